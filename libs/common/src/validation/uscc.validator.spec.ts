import { describe, expect, it } from 'vitest';
import {
  computeOrganizationCodeCheckDigit,
  computeUsccCheckCharacter,
  USCC_REGISTRATION_AUTHORITIES,
  validateUscc,
} from './uscc.validator';

// Reference implementation written from the standards' definitions rather than copied from the
// module: GB 32100 weight Wi = 3^(i-1) mod 31, check = 31 - (Σ mod 31) (31 → 0); GB 11714 weight
// Wi = 2^(9-i) mod 11, check = 11 - (Σ mod 11) (10 → X, 11 → 0).
const SYMBOLS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const refCheck = (first17: string): string => {
  const sum = [...first17].reduce((acc, ch, i) => acc + SYMBOLS.indexOf(ch) * (3 ** i % 31), 0);
  const c = 31 - (sum % 31);
  return SYMBOLS[c === 31 ? 0 : c];
};
const refOrgCheck = (body8: string): string => {
  const value = (ch: string) => (ch >= '0' && ch <= '9' ? ch.charCodeAt(0) - 48 : ch.charCodeAt(0) - 55);
  const sum = [...body8].reduce((acc, ch, i) => acc + value(ch) * (2 ** (8 - i) % 11), 0);
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
};
const refValid = (code: string) => refOrgCheck(code.slice(8, 16)) === code[16] && refCheck(code.slice(0, 17)) === code[17];

/** Fixes both check characters after a deliberate edit, so only the edited property is wrong. */
const withChecks = (first16: string): string => {
  const org = first16 + refOrgCheck(first16.slice(8, 16));
  return org + refCheck(org);
};

/** Small deterministic PRNG so generated cases are reproducible. */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

const BRIEF_EXAMPLE = '91350100M000100Y43';

// Published real-world codes: the brief's example, python-stdnum's test corpus (collected online),
// and widely published company codes. Each is re-verified by the reference computation below, so
// nothing here is trusted just because it was copied.
const REAL_WORLD = [
  BRIEF_EXAMPLE,
  '91110000600037341L',
  '121200004013590816',
  '91110000710926094P',
  '91120224064012553U',
  '91152201078371135X',
  '9115220107837941X1',
  '91310000631696382C',
  '913101127033980359',
  '91310115MA1K3BTP2B',
  '9131012056010553X5',
  '91320214745555318W',
  '91340600MA2PBM9HXD',
  '91340603MA2UJXXCXF',
  '913505007821784439',
  '91371082775260043P',
  '914112810713741814',
  '91420684MA4927PJ7B',
  '9144030071526726XG',
  '9144060573144633XL',
  '91442000696462712R',
  '91620105L015101280',
  '91620105MA73NBBLXE',
  '92340602MA2PBMEM24',
  '92340603MA2PBN17X5',
  '92340621MA2PBKRXXG',
  '92340621MA2UK3PJXE',
  '914403001922038216',
  '91440300708461136T',
  '91110108551385082Q',
];

describe('reference implementation sanity', () => {
  it('derives the weights given in the standard', () => {
    expect(Array.from({ length: 17 }, (_, i) => 3 ** i % 31)).toEqual([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]);
    expect(Array.from({ length: 8 }, (_, i) => 2 ** (8 - i) % 11)).toEqual([3, 7, 9, 10, 5, 8, 4, 2]);
  });

  it('verifies the brief example by hand: M000100Y → 4, then check character 3', () => {
    // M=22, Y=34: 22·3 + 1·5 + 34·2 = 139; 139 mod 11 = 7; 11 − 7 = 4.
    expect(refOrgCheck('M000100Y')).toBe('4');
    expect(refCheck(BRIEF_EXAMPLE.slice(0, 17))).toBe('3');
  });
});

describe('validateUscc – valid codes', () => {
  it.each(REAL_WORLD)('%s is valid by computation and accepted', (code) => {
    expect(refValid(code)).toBe(true);
    const r = validateUscc(code);
    expect(r).toMatchObject({ ok: true, value: code });
  });

  it('decodes the parts', () => {
    const r = validateUscc(BRIEF_EXAMPLE);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.parts).toMatchObject({
      registrationAuthority: { code: '9', name: '工商' },
      organizationType: { code: '1', name: '企业' },
      regionCode: '350100',
      organizationCode: 'M000100Y4',
      checkCharacter: '3',
    });
    expect(r.parts.region).toMatchObject({ level: 'city', provinceName: '福建省', cityName: '福州市' });
  });

  it('normalises lower case, full-width characters and surrounding whitespace', () => {
    expect(validateUscc('91350100m000100y43')).toMatchObject({ ok: true, value: BRIEF_EXAMPLE });
    expect(validateUscc('  91350100M000100Y43\n')).toMatchObject({ ok: true, value: BRIEF_EXAMPLE });
    expect(validateUscc('９１３５０１００Ｍ０００１００Ｙ４３')).toMatchObject({ ok: true, value: BRIEF_EXAMPLE });
  });

  it('accepts the national-level region 100000 (no region decoded)', () => {
    const code = withChecks('12100000' + '40000062');
    const r = validateUscc(code);
    expect(r).toMatchObject({ ok: true, value: code });
    if (r.ok) expect(r.parts.region).toBeUndefined();
  });

  it('accepts a retired region code by default (codes are issued for life) but not with region: known', () => {
    const code = withChecks('91371202' + 'MA3C0001'); // 371202 莱城区, abolished 2019
    expect(validateUscc(code)).toMatchObject({ ok: true });
    expect(validateUscc(code, { region: 'known' })).toMatchObject({ ok: false, reason: 'region' });
    expect(validateUscc(BRIEF_EXAMPLE, { region: 'known' })).toMatchObject({ ok: true });
    expect(validateUscc(withChecks('12100000' + '40000062'), { region: 'known' })).toMatchObject({ ok: true });
    expect(validateUscc(withChecks('91450101' + 'MA5K0001'), { region: 'known' })).toMatchObject({ ok: false, reason: 'region' });
  });

  it('accepts 300 generated codes covering every authority/type pair', () => {
    const next = rng(32100);
    const provinces = ['11', '12', '31', '35', '37', '44', '45', '50', '65', '71', '81', '82'];
    const pairs = Object.entries(USCC_REGISTRATION_AUTHORITIES).flatMap(([a, { types }]) => Object.keys(types).map((t) => a + t));
    for (let i = 0; i < 300; i++) {
      const pair = pairs[i % pairs.length];
      const region = provinces[next(provinces.length)] + String(next(10000)).padStart(4, '0');
      const body = Array.from({ length: 8 }, () => SYMBOLS[next(31)]).join('');
      const code = withChecks(pair + region + body);
      expect(refValid(code)).toBe(true);
      const r = validateUscc(code);
      expect(r.ok, `${code}: ${r.ok ? '' : r.message}`).toBe(true);
      expect(validateUscc(code.toLowerCase())).toMatchObject({ ok: true, value: code });
    }
  });
});

describe('validateUscc – invalid codes', () => {
  it.each([...SYMBOLS].filter((c) => c !== '3'))('wrong check character %s → check_character', (c) => {
    const r = validateUscc(BRIEF_EXAMPLE.slice(0, 17) + c);
    expect(r).toMatchObject({ ok: false, reason: 'check_character' });
    if (!r.ok) {
      expect(r.messages.zh).toContain('校验码');
      expect(r.messages.en).toMatch(/check character/);
    }
  });

  it('rejects every single-character substitution in a valid code', () => {
    // Both check characters are designed to catch single substitutions; none may slip through.
    for (const code of REAL_WORLD.slice(0, 5)) {
      for (let pos = 0; pos < 18; pos++) {
        for (const c of SYMBOLS) {
          if (c === code[pos]) continue;
          const mutated = code.slice(0, pos) + c + code.slice(pos + 1);
          expect(validateUscc(mutated).ok, mutated).toBe(false);
        }
      }
    }
  });

  it('rejects adjacent transpositions in the body', () => {
    const code = '91110000600037341L';
    for (let pos = 8; pos < 16; pos++) {
      if (code[pos] === code[pos + 1]) continue;
      const swapped = code.slice(0, pos) + code[pos + 1] + code[pos] + code.slice(pos + 2);
      expect(validateUscc(swapped).ok, swapped).toBe(false);
    }
  });

  it.each(['I', 'O', 'S', 'V', 'Z', '-', '*', 'é', '_'])('charset: %j at the end → charset', (c) => {
    expect(validateUscc(BRIEF_EXAMPLE.slice(0, 17) + c)).toMatchObject({ ok: false, reason: 'charset' });
  });

  it('a trailing space is trimmed, so the remaining 17 characters fail on length', () => {
    expect(validateUscc(BRIEF_EXAMPLE.slice(0, 17) + ' ')).toMatchObject({ ok: false, reason: 'length' });
  });

  it.each(['91350100M00O100Y43', '9135010OM000100Y43', '91350100M000100Z43', '91 350100M000100Y4'])('charset: %s', (code) => {
    expect(validateUscc(code)).toMatchObject({ ok: false, reason: 'charset' });
  });

  it.each([
    ['91350100M000100Y4', 17],
    ['91350100M000100Y433', 19],
    ['9135', 4],
    ['91350100-M000100Y4-3', 20],
  ])('length: %s (%d)', (code, n) => {
    const r = validateUscc(code);
    expect(r).toMatchObject({ ok: false, reason: 'length' });
    if (!r.ok) expect(r.messages.en).toContain(String(n));
  });

  it.each([undefined, null, '', '  ', 91350100, ['91350100M000100Y43']])('required: %j', (input) => {
    expect(validateUscc(input)).toMatchObject({ ok: false, reason: 'required' });
  });

  it.each(['0', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'P', 'Q', 'R', 'T', 'U', 'W', 'X'])(
    'unknown registration authority %s → registration_authority',
    (a) => {
      expect(validateUscc(withChecks(a + '1350100M000100Y'))).toMatchObject({ ok: false, reason: 'registration_authority' });
    },
  );

  it.each(['90', '94', '99', '9A', '22', '36', '58', '73', '83', 'A2', 'N4', 'Y2', 'Y9', '10'])(
    'type not defined for the authority: %s → organization_type',
    (pair) => {
      expect(validateUscc(withChecks(pair + '350100M000100Y'))).toMatchObject({ ok: false, reason: 'organization_type' });
    },
  );

  it('rejects a resident ID number that happens to satisfy the USCC check (hutool#1367)', () => {
    const id = '362322198709086409';
    expect(refCheck(id.slice(0, 17))).toBe(id[17]); // it really does pass the mod-31 check alone
    expect(validateUscc(id)).toMatchObject({ ok: false, reason: 'organization_type' });
  });

  it.each([
    ['91A50100', 'letter in region'],
    ['91990100', 'province 99'],
    ['91000000', 'province 00'],
    ['91830000', 'province 83'],
    ['91160100', 'province 16'],
    ['91X00000', 'letter in region'],
  ])('region %s (%s) → region', (prefix) => {
    expect(validateUscc(withChecks(prefix + 'M000100Y'))).toMatchObject({ ok: false, reason: 'region' });
  });

  it('wrong organisation-code check digit (USCC check character recomputed) → organization_code', () => {
    for (const c of '0123456789X') {
      if (c === '4') continue;
      const first17 = BRIEF_EXAMPLE.slice(0, 16) + c;
      const code = first17 + refCheck(first17);
      expect(validateUscc(code), code).toMatchObject({ ok: false, reason: 'organization_code' });
    }
  });

  it('rejects a reportedly real but non-conforming pre-2016 Xiamen code (documented limitation, hutool#4119)', () => {
    expect(validateUscc('91350203M0001QKT19')).toMatchObject({ ok: false, reason: 'check_character' });
  });
});

describe('check helpers', () => {
  it('match the reference implementation', () => {
    const next = rng(11714);
    for (let i = 0; i < 200; i++) {
      const body = Array.from({ length: 8 }, () => SYMBOLS[next(31)]).join('');
      expect(computeOrganizationCodeCheckDigit(body)).toBe(refOrgCheck(body));
      const first17 = Array.from({ length: 17 }, () => SYMBOLS[next(31)]).join('');
      expect(computeUsccCheckCharacter(first17)).toBe(refCheck(first17));
    }
  });

  it('accept GB 11714 letters that the USCC charset excludes', () => {
    expect(computeOrganizationCodeCheckDigit('IOSVZ123')).toBe(refOrgCheck('IOSVZ123'));
  });

  it('reject malformed input loudly (programming errors, not user input)', () => {
    expect(() => computeUsccCheckCharacter('9135010')).toThrow(RangeError);
    expect(() => computeUsccCheckCharacter('91350100M000100I4')).toThrow(RangeError);
    expect(() => computeOrganizationCodeCheckDigit('m000100y')).toThrow(RangeError);
  });
});
