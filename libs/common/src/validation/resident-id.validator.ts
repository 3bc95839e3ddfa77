import { isKnownProvinceCode, lookupRegion, type RegionInfo } from './region-code.validator';
import { normalizeInput, validationFailure, validationSuccess, type ValidationResult } from './validation-result';

/**
 * Citizen identity number (公民身份号码), GB 11643-1999, 18 characters:
 *
 *   450102 19900307 123 X
 *   │      │        │   └ ISO 7064 MOD 11-2 check digit (0-9 or X; lower-case x accepted)
 *   │      │        └ sequence; odd = male, even = female
 *   │      └ birth date YYYYMMDD
 *   └ GB/T 2260 county of first registration
 *
 * Region strictness: only the province (first two digits) must exist in GB/T 2260. The full code
 * is deliberately not required to be current: a number is issued for life and keeps the county
 * code of its time (e.g. 110103 崇文区, abolished 2010). `parts.region` is filled when it is current.
 * Old 15-digit numbers are rejected ('length'); they have not been valid documents since 2013.
 */
export interface ResidentIdParts {
  readonly regionCode: string;
  /** PP0000. */
  readonly provinceCode: string;
  /** Absent only for Taiwan residence permits (830000), which GB/T 2260 does not list. */
  readonly provinceName?: string;
  /** The full region when its code is still current. */
  readonly region?: RegionInfo;
  /** ISO 8601 calendar date, YYYY-MM-DD. */
  readonly birthDate: string;
  readonly sequence: string;
  readonly gender: 'male' | 'female';
  readonly checkDigit: string;
}

export type ResidentIdFailureReason =
  | 'required'
  | 'length'
  | 'format'
  | 'region'
  | 'birth_date'
  | 'birth_date_future'
  | 'birth_date_too_early'
  | 'check_digit';

export type ResidentIdResult = ValidationResult<ResidentIdParts, ResidentIdFailureReason>;

export interface ResidentIdValidationOptions {
  /** The clock for the "not in the future" rule; defaults to now. Compared as a date in China (UTC+8). */
  readonly now?: Date;
  /** Earliest accepted birth year; default 1900. */
  readonly minBirthYear?: number;
  /**
   * Also accept 台湾居民居住证 numbers (prefix 830000). Hong Kong and Macao permits (810000, 820000)
   * pass anyway because 81 and 82 are GB/T 2260 provinces.
   */
  readonly acceptTaiwanResidencePermit?: boolean;
}

const PATTERN = /^\d{17}[\dX]$/;
/** 2^(17-i) mod 11 for positions 1..17. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHINA_UTC_OFFSET_MS = 8 * 60 * 60 * 1000; // no DST in China since 1991

/** ISO 7064 MOD 11-2 check digit over the first 17 digits. */
export function computeResidentIdCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('expected 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  const c = (12 - (sum % 11)) % 11;
  return c === 10 ? 'X' : String(c);
}

function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  return d <= days;
}

/** Today's date in China as YYYYMMDD, so a baby born after 16:00 UTC is not "in the future". */
function chinaToday(now: Date): string {
  return new Date(now.getTime() + CHINA_UTC_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '');
}

export function validateResidentId(input: unknown, options: ResidentIdValidationOptions = {}): ResidentIdResult {
  const raw = normalizeInput(input);
  if (!raw) return validationFailure('required', '身份证号码不能为空', 'Resident ID number is required');
  const s = raw.toUpperCase();
  if (s.length !== 18) {
    return validationFailure('length', `身份证号码应为18位，实际为${s.length}位`, `Resident ID must be 18 characters, got ${s.length}`);
  }
  if (!PATTERN.test(s)) {
    return validationFailure('format', '身份证号码前17位应为数字，末位为数字或X', 'Resident ID must be 17 digits followed by a digit or X');
  }

  const regionCode = s.slice(0, 6);
  const provinceCode = `${s.slice(0, 2)}0000`;
  const taiwanPermit = options.acceptTaiwanResidencePermit === true && regionCode === '830000';
  if (!taiwanPermit && !isKnownProvinceCode(s.slice(0, 2))) {
    return validationFailure('region', `身份证号码地址码无效：${regionCode}`, `Unknown province in resident ID region code: ${regionCode}`);
  }

  const birth = s.slice(6, 14);
  const y = Number(birth.slice(0, 4));
  const m = Number(birth.slice(4, 6));
  const d = Number(birth.slice(6, 8));
  if (!isRealDate(y, m, d)) {
    return validationFailure('birth_date', `出生日期不是有效日期：${birth}`, `Birth date is not a real calendar date: ${birth}`);
  }
  const minYear = options.minBirthYear ?? 1900;
  if (y < minYear) {
    return validationFailure('birth_date_too_early', `出生日期早于${minYear}年：${birth}`, `Birth date is before ${minYear}: ${birth}`);
  }
  if (birth > chinaToday(options.now ?? new Date())) {
    return validationFailure('birth_date_future', `出生日期晚于今天：${birth}`, `Birth date is in the future: ${birth}`);
  }

  if (computeResidentIdCheckDigit(s.slice(0, 17)) !== s[17]) {
    return validationFailure('check_digit', '身份证号码校验位错误', 'Resident ID check digit does not match');
  }

  const provinceName = lookupRegion(provinceCode)?.provinceName;
  const region = lookupRegion(regionCode);
  return validationSuccess(s, {
    regionCode,
    provinceCode,
    ...(provinceName ? { provinceName } : {}),
    ...(region ? { region } : {}),
    birthDate: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`,
    sequence: s.slice(14, 17),
    gender: Number(s[16]) % 2 === 1 ? 'male' : 'female',
    checkDigit: s[17],
  });
}

/**
 * For logs and screens: keeps the region (first 6) and the last 4, e.g. 450102********123X.
 * Never throws and never reveals more than that; anything of 10 characters or fewer (including
 * garbage) is masked completely, non-strings become ''.
 */
export function maskResidentId(id: unknown): string {
  const s = (normalizeInput(id) ?? '').toUpperCase();
  if (s.length <= 10) return '*'.repeat(s.length);
  return `${s.slice(0, 6)}${'*'.repeat(s.length - 10)}${s.slice(-4)}`;
}
