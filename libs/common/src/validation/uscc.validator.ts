import { isKnownProvinceCode, lookupRegion, type RegionInfo } from './region-code.validator';
import { normalizeInput, validationFailure, validationSuccess, type ValidationResult } from './validation-result';

/**
 * Unified Social Credit Code (统一社会信用代码), GB 32100-2015:
 *
 *   9 1 350100 M000100Y4 3
 *   │ │ │      │         └ 18: check character, weights 3^(i-1) mod 31, mod 31
 *   │ │ │      └ 9-17: organisation code (主体标识码) with its own GB 11714-1997 check digit
 *   │ │ └ 3-8: GB/T 2260 region of the registering authority (100000 = national level)
 *   │ └ 2: organisation type, meaningful only per authority
 *   └ 1: registration authority
 *
 * Charset is 0-9 and A-Z without I, O, S, V, Z (31 symbols). Input is NFKC-folded, trimmed and
 * upper-cased; inner spaces are not accepted.
 *
 * Region strictness: by default chars 3-8 must be six digits that are either 100000 or start with
 * a province code that exists in GB/T 2260. The rest is not checked against the region table,
 * because a USCC is issued for life and keeps the authority's code even after that division is
 * renamed or merged (莱芜 3712xx, 简阳 512081 …); the installed table only knows current codes.
 * Pass `{ region: 'known' }` to require a currently valid code instead (e.g. for new registrations).
 *
 * Known limitation: some codes issued before 2016 (reportedly in Xiamen, e.g. 91350203M0001QKT19)
 * do not satisfy the check character and are rejected; the standard leaves no room for them.
 */

/** GB 32100-2015 table A (with the later 'A' and 'N' authorities); 'Y' has the single type '1'. */
export const USCC_REGISTRATION_AUTHORITIES: Readonly<Record<string, { readonly name: string; readonly types: Readonly<Record<string, string>> }>> = {
  '1': { name: '机构编制', types: { '1': '机关', '2': '事业单位', '3': '中央编办直接管理机构编制的群众团体', '9': '其他' } },
  '2': { name: '外交', types: { '1': '外国常驻新闻机构', '9': '其他' } },
  '3': {
    name: '司法行政',
    types: { '1': '律师执业机构', '2': '公证处', '3': '基层法律服务所', '4': '司法鉴定机构', '5': '仲裁委员会', '9': '其他' },
  },
  '4': { name: '文化', types: { '1': '外国在华文化中心', '9': '其他' } },
  '5': { name: '民政', types: { '1': '社会团体', '2': '民办非企业单位', '3': '基金会', '9': '其他' } },
  '6': { name: '旅游', types: { '1': '外国旅游部门常驻代表机构', '2': '港澳台地区旅游部门常驻内地（大陆）代表机构', '9': '其他' } },
  '7': { name: '宗教', types: { '1': '宗教活动场所', '2': '宗教院校', '9': '其他' } },
  '8': { name: '工会', types: { '1': '基层工会', '9': '其他' } },
  '9': { name: '工商', types: { '1': '企业', '2': '个体工商户', '3': '农民专业合作社' } },
  A: { name: '中央军委改革和编制办公室', types: { '1': '军队事业单位', '9': '其他' } },
  N: { name: '农业', types: { '1': '组级集体经济组织', '2': '村级集体经济组织', '3': '乡镇级集体经济组织', '9': '其他' } },
  Y: { name: '其他', types: { '1': '其他' } },
};

export interface UsccParts {
  readonly registrationAuthority: { readonly code: string; readonly name: string };
  readonly organizationType: { readonly code: string; readonly name: string };
  /** Chars 3-8. */
  readonly regionCode: string;
  /** Decoded region when the code is current (absent for 100000 and for retired codes). */
  readonly region?: RegionInfo;
  /** Chars 9-17: the GB 11714 organisation code including its check digit. */
  readonly organizationCode: string;
  readonly checkCharacter: string;
}

export type UsccFailureReason =
  | 'required'
  | 'length'
  | 'charset'
  | 'registration_authority'
  | 'organization_type'
  | 'region'
  | 'organization_code'
  | 'check_character';

export type UsccResult = ValidationResult<UsccParts, UsccFailureReason>;

export interface UsccValidationOptions {
  /** 'province' (default): 100000 or an existing province prefix. 'known': a current GB/T 2260 code or 100000. */
  readonly region?: 'province' | 'known';
}

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_PATTERN = /^[0-9A-HJ-NPQRTUWXY]{18}$/;
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/** Registered by a national-level authority (e.g. ministries 111000…, SAMR 911000…). */
const NATIONAL_REGION = '100000';

/** Check character for the first 17 characters (already upper-case, USCC charset). */
export function computeUsccCheckCharacter(first17: string): string {
  if (!/^[0-9A-HJ-NPQRTUWXY]{17}$/.test(first17)) throw new RangeError('expected 17 USCC characters');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CHARSET.indexOf(first17[i]) * WEIGHTS[i];
  return CHARSET[(31 - (sum % 31)) % 31];
}

const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** GB 11714-1997 check digit for an 8-character organisation code body (0-9, A-Z; A=10 … Z=35). */
export function computeOrganizationCodeCheckDigit(first8: string): string {
  if (!/^[0-9A-Z]{8}$/.test(first8)) throw new RangeError('expected 8 organisation code characters');
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += parseInt(first8[i], 36) * ORG_WEIGHTS[i];
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

export function validateUscc(input: unknown, options: UsccValidationOptions = {}): UsccResult {
  const raw = normalizeInput(input);
  if (!raw) return validationFailure('required', '统一社会信用代码不能为空', 'Unified Social Credit Code is required');
  const s = raw.toUpperCase();
  if (s.length !== 18) {
    return validationFailure('length', `统一社会信用代码应为18位，实际为${s.length}位`, `USCC must be 18 characters, got ${s.length}`);
  }
  if (!USCC_PATTERN.test(s)) {
    return validationFailure(
      'charset',
      '统一社会信用代码只能包含数字和除 I、O、S、V、Z 以外的大写字母',
      'USCC may only contain digits and upper-case letters other than I, O, S, V, Z',
    );
  }

  const authority = USCC_REGISTRATION_AUTHORITIES[s[0]];
  if (!authority) {
    return validationFailure('registration_authority', `登记管理部门代码无效：${s[0]}`, `Unknown registration authority code: ${s[0]}`);
  }
  const typeName = authority.types[s[1]];
  if (!typeName) {
    return validationFailure(
      'organization_type',
      `机构类别代码 ${s[1]} 不适用于登记管理部门「${authority.name}」`,
      `Organisation type ${s[1]} is not defined for registration authority ${s[0]}`,
    );
  }

  const regionCode = s.slice(2, 8);
  const regionIsDigits = /^\d{6}$/.test(regionCode);
  const region = regionIsDigits ? lookupRegion(regionCode) : undefined;
  const regionOk =
    regionIsDigits &&
    (regionCode === NATIONAL_REGION ||
      (options.region === 'known' ? region !== undefined : isKnownProvinceCode(regionCode.slice(0, 2))));
  if (!regionOk) {
    return validationFailure('region', `登记管理机关行政区划码无效：${regionCode}`, `Invalid registration region code: ${regionCode}`);
  }

  const organizationCode = s.slice(8, 17);
  if (computeOrganizationCodeCheckDigit(organizationCode.slice(0, 8)) !== organizationCode[8]) {
    return validationFailure(
      'organization_code',
      `主体标识码（组织机构代码）${organizationCode} 校验位错误`,
      `Organisation code ${organizationCode} fails its GB 11714 check digit`,
    );
  }

  if (computeUsccCheckCharacter(s.slice(0, 17)) !== s[17]) {
    return validationFailure('check_character', '统一社会信用代码校验码错误', 'USCC check character does not match');
  }

  return validationSuccess(s, {
    registrationAuthority: { code: s[0], name: authority.name },
    organizationType: { code: s[1], name: typeName },
    regionCode,
    ...(region ? { region } : {}),
    organizationCode,
    checkCharacter: s[17],
  });
}
