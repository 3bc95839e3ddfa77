import { ValidateBy, type ValidationOptions } from 'class-validator';
import { validateEmail, validatePhone, validateRegionCode, validateResidentId, validateUscc } from '@ecert/common';

type Check = (value: unknown) => { ok: true } | { ok: false; message: string };

/** The national code standards, checked by the same validators the services run. */
const CHECKS = {
  /** 统一社会信用代码 (GB 32100, check character included). */
  uscc: (v) => validateUscc(v),
  /** 居民身份证号码 (GB 11643, check digit and birth date). */
  residentId: (v) => validateResidentId(v),
  /** A current GB/T 2260 administrative division. */
  regionCode: (v) => validateRegionCode(v),
  /** A mainland mobile number: the handler is reached by SMS. */
  mobile: (v) => validatePhone(v),
  email: (v) => validateEmail(v),
} satisfies Record<string, Check>;

export type NationalCode = keyof typeof CHECKS;

/**
 * A class-validator constraint over one of the @ecert/common validators, so a bad code is a 400
 * naming its field at the gateway, with the validator's bilingual message, before any service
 * is asked. The services validate again (and keep the canonical form); the value is not changed here.
 */
export function IsNationalCode(code: NationalCode, options?: ValidationOptions): PropertyDecorator {
  const check: Check = CHECKS[code];
  return ValidateBy(
    {
      name: `isNationalCode:${code}`,
      validator: {
        validate: (value: unknown) => check(value).ok,
        defaultMessage: (args) => {
          const r = check(args?.value);
          return r.ok ? `${args?.property} is invalid` : `${args?.property}: ${r.message}`;
        },
      },
    },
    options,
  );
}
