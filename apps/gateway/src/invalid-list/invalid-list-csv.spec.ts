import { describe, expect, it } from 'vitest';
import type { InvalidListEntry } from '@ecert/contracts';
import { csvField, csvRow, INVALID_LIST_CSV_COLUMNS } from './invalid-list-csv';

describe('invalid list CSV', () => {
  it('quotes what needs quoting (RFC 4180) and keeps formulas from running in a spreadsheet', () => {
    expect(csvField('南宁市某某科技有限公司')).toBe('南宁市某某科技有限公司');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(undefined)).toBe('');
  });

  it('writes one line per entry in the header order', () => {
    const e: InvalidListEntry = {
      serial: 'ab12',
      caId: 'sm2-issuing',
      profile: 'unit',
      unitName: '某公司,分部',
      uscc: '91450100MA5L000000',
      accountNo: '4501000001',
      regionCode: '450100',
      invalidReason: 'idle',
      revocationReason: 'cessationOfOperation',
      invalidatedAt: '2026-12-01T04:00:00.000Z',
      lastActivityAt: '2024-11-01T04:00:00.000Z',
      notAfter: '2027-06-01T00:00:00.000Z',
      cursor: 'x',
    };
    expect(INVALID_LIST_CSV_COLUMNS).not.toContain('cursor');
    expect(csvRow(e)).toBe('ab12,"某公司,分部",91450100MA5L000000,4501000001,450100,idle,cessationOfOperation,2026-12-01T04:00:00.000Z,2024-11-01T04:00:00.000Z,2027-06-01T00:00:00.000Z,,sm2-issuing,unit\r\n');
  });
});
