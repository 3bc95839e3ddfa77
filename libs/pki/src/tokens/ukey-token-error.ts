import { Pkcs11TokenError } from '../keys/key-store-errors';
import { ckrName } from '../keys/pkcs11-module';

/** What went wrong, for a station operator or a handler's tool to act on. */
export type UkeyTokenErrorReason =
  | 'wrong_pin'
  | 'pin_locked'
  | 'pin_length'
  | 'pin_invalid'
  | 'pin_not_set'
  | 'not_logged_in'
  | 'already_logged_in'
  | 'sessions_open'
  | 'token_absent'
  | 'token_not_found'
  | 'token_read_only'
  | 'token_full'
  | 'mechanism_unsupported'
  | 'template_refused'
  | 'object_exists'
  | 'object_not_found'
  | 'key_extractable'
  | 'module_unavailable'
  | 'device_error'
  | 'token_error';

/** CKR_* codes a person can do something about, each with a plain message. */
const CKR_REASONS: Readonly<Record<string, { reason: UkeyTokenErrorReason; message: string }>> = {
  CKR_PIN_INCORRECT: { reason: 'wrong_pin', message: 'wrong PIN' },
  CKR_PIN_LOCKED: { reason: 'pin_locked', message: 'PIN locked after too many wrong tries (a user PIN is unlocked remotely: npm run ukey:unlock)' },
  CKR_PIN_LEN_RANGE: { reason: 'pin_length', message: "PIN length is outside the token's allowed range" },
  CKR_PIN_INVALID: { reason: 'pin_invalid', message: 'the PIN contains characters the token does not accept' },
  CKR_PIN_EXPIRED: { reason: 'wrong_pin', message: 'the PIN has expired on the token and must be changed' },
  CKR_USER_PIN_NOT_INITIALIZED: { reason: 'pin_not_set', message: 'the user PIN is not set on this token (initialise it first)' },
  CKR_USER_NOT_LOGGED_IN: { reason: 'not_logged_in', message: 'not logged in to the token (log in with the user PIN first)' },
  CKR_USER_ALREADY_LOGGED_IN: { reason: 'already_logged_in', message: 'already logged in to the token' },
  CKR_USER_ANOTHER_ALREADY_LOGGED_IN: { reason: 'already_logged_in', message: 'another user (SO or user) is logged in to the token: log out first' },
  CKR_SESSION_EXISTS: { reason: 'sessions_open', message: 'the token has open sessions (close other programs using it): initialising needs none' },
  CKR_SESSION_READ_ONLY_EXISTS: { reason: 'sessions_open', message: 'a read-only session is open on the token (close other programs using it)' },
  CKR_TOKEN_NOT_PRESENT: { reason: 'token_absent', message: 'no UKey in the slot (was it removed?)' },
  CKR_DEVICE_REMOVED: { reason: 'token_absent', message: 'the UKey was removed' },
  CKR_TOKEN_NOT_RECOGNIZED: { reason: 'token_absent', message: 'the module does not recognise the token in the slot' },
  CKR_SLOT_ID_INVALID: { reason: 'token_not_found', message: 'no such slot' },
  CKR_TOKEN_WRITE_PROTECTED: { reason: 'token_read_only', message: 'the token is write-protected' },
  CKR_DEVICE_MEMORY: { reason: 'token_full', message: 'the token has no room left for this object' },
  CKR_MECHANISM_INVALID: { reason: 'mechanism_unsupported', message: "the token does not support this mechanism (SM2 UKeys need the vendor's CKM_VENDOR_DEFINED mechanism)" },
  CKR_MECHANISM_PARAM_INVALID: { reason: 'mechanism_unsupported', message: 'the token refused the mechanism parameters' },
  CKR_DOMAIN_PARAMS_INVALID: { reason: 'mechanism_unsupported', message: 'the token does not support this curve' },
  CKR_TEMPLATE_INCONSISTENT: { reason: 'template_refused', message: 'the token refused the object template' },
  CKR_TEMPLATE_INCOMPLETE: { reason: 'template_refused', message: 'the token wants attributes the template lacks' },
  CKR_ATTRIBUTE_VALUE_INVALID: { reason: 'template_refused', message: 'the token refused an attribute value' },
  CKR_ATTRIBUTE_TYPE_INVALID: { reason: 'template_refused', message: 'the token does not know an attribute of the template' },
  CKR_DEVICE_ERROR: { reason: 'device_error', message: 'the token reported a device error' },
  CKR_GENERAL_ERROR: { reason: 'device_error', message: 'the module reported a general error' },
  CKR_FUNCTION_FAILED: { reason: 'device_error', message: 'the token could not carry out the function' },
};

/**
 * A UKey operation that failed, with a message a station operator can act on ("wrong PIN", not
 * "CKR_PIN_INCORRECT"). Still a Pkcs11TokenError, so code handling key store errors handles it;
 * `reason` is stable for branching (the unlock tool retries on `wrong_pin`).
 */
export class UkeyTokenError extends Pkcs11TokenError {
  // `name` stays Pkcs11TokenError (the base fixes it as a literal type); branch on instanceof or `reason`.
  constructor(
    readonly reason: UkeyTokenErrorReason,
    message: string,
    ckr?: string,
  ) {
    super(message, ckr);
  }

  /** Maps a pkcs11js error of `fn` ("C_Login") during `doing` ("user login") to a clear message. */
  static from(doing: string, fn: string, err: unknown): UkeyTokenError {
    if (err instanceof UkeyTokenError) return err;
    const ckr = ckrName(err);
    const known = ckr ? CKR_REASONS[ckr] : undefined;
    if (fn === 'load' || fn === 'C_Initialize') {
      return new UkeyTokenError('module_unavailable', `${doing}: cannot load the PKCS#11 module (${ckr ?? (err as Error)?.message ?? String(err)})`, ckr);
    }
    const detail = known ? known.message : `PKCS#11 error ${ckr ?? (err instanceof Error ? err.message : String(err))}`;
    return new UkeyTokenError(known?.reason ?? 'token_error', `${doing}: ${detail} (${fn}${ckr ? ` ${ckr}` : ''})`, ckr);
  }
}
