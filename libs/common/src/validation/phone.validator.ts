import { normalizeInput, validationFailure, validationSuccess, type ValidationResult } from './validation-result';

/**
 * Mainland China phone numbers. Mobile: 1[3-9] + 9 digits, canonical value the bare 11 digits.
 * Landline (only with `allowLandline`): 0 + area code (010, 02x, or 4 digits 03xx-09xx) + a
 * 7-8 digit subscriber number not starting with 0 or 1, optional extension; canonical value
 * "0771-5551234" or "010-87654321-123".
 *
 * Accepted decoration: spaces, hyphens and brackets as separators, a +86 / 0086 / 86 country
 * prefix, full-width digits (via NFKC). Service numbers (400/800, 95xxx, 12345) are rejected.
 */
export interface PhoneParts {
  readonly type: 'mobile' | 'landline';
  /** Landline only: area code including the leading 0. */
  readonly areaCode?: string;
  /** Landline only. */
  readonly subscriber?: string;
  readonly extension?: string;
}

export type PhoneFailureReason = 'required' | 'format' | 'landline_not_allowed';
export type PhoneResult = ValidationResult<PhoneParts, PhoneFailureReason>;

export interface PhoneValidationOptions {
  /** Accept fixed-line numbers too; default false (mobile only, e.g. for SMS verification). */
  readonly allowLandline?: boolean;
}

const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^(0(?:10|2\d|[3-9]\d{2}))-?([2-9]\d{6,7})(?:(?:-|转|ext\.?|#)(\d{1,6}))?$/i;

/** Removes the country prefix and separators; what is left is a national number (or garbage). */
function stripDecoration(s: string): string {
  let t = s.replace(/[\s()（）]/g, '');
  const intl = /^(?:\+86|0086|86)-?/.exec(t);
  // A bare "86" is only a prefix if a whole mobile number follows; 86xxxxxxxxx alone is not a number anyway.
  if (intl && (intl[0].startsWith('+') || intl[0].startsWith('00') || MOBILE.test(t.slice(intl[0].length).replace(/-/g, '')))) {
    t = t.slice(intl[0].length);
    // International landline format drops the trunk 0: +86 771 5551234, +86 10 87654321.
    if (!MOBILE.test(t.replace(/-/g, '')) && !t.startsWith('0')) t = `0${t}`;
  }
  return t;
}

export function validatePhone(input: unknown, options: PhoneValidationOptions = {}): PhoneResult {
  const raw = normalizeInput(input);
  if (!raw) return validationFailure('required', '电话号码不能为空', 'Phone number is required');
  const t = stripDecoration(raw);

  const mobile = t.replace(/-/g, '');
  if (MOBILE.test(mobile)) return validationSuccess(mobile, { type: 'mobile' });

  const landline = LANDLINE.exec(t);
  if (landline) {
    if (!options.allowLandline) {
      return validationFailure('landline_not_allowed', '请填写手机号码，不接受固定电话', 'A mobile number is required; landlines are not accepted');
    }
    const [, areaCode, subscriber, extension] = landline;
    return validationSuccess(`${areaCode}-${subscriber}${extension ? `-${extension}` : ''}`, {
      type: 'landline',
      areaCode,
      subscriber,
      ...(extension ? { extension } : {}),
    });
  }

  return options.allowLandline
    ? validationFailure('format', '电话号码格式不正确', 'Not a valid mainland China mobile or landline number')
    : validationFailure('format', '手机号码格式不正确，应为11位且以13-19开头', 'Not a valid mainland China mobile number (11 digits starting 13-19)');
}

/**
 * For logs: 138****5678. Drops the country prefix and separators, then keeps the first 3 and
 * last 4 digits of anything longer than 7 digits and masks shorter input completely (07715551234
 * becomes 077****1234). Never throws; non-strings become ''.
 */
export function maskPhone(phone: unknown): string {
  const digits = stripDecoration(normalizeInput(phone) ?? '').replace(/\D/g, '');
  if (digits.length <= 7) return '*'.repeat(digits.length);
  return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
}
