import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePdfStream, PdfStreamDecodeError, type StreamDictionary } from './pdf-stream-decoder';

const dict = (filter: string | string[]): StreamDictionary => new Map([['Filter', filter]]);
const kind = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as PdfStreamDecodeError).kind;
  }
  return 'decoded';
};

describe('decodePdfStream', () => {
  it('decodes ASCII85 (with z) and ASCIIHex exactly', () => {
    // "Man " → 9jqo^ ; z → four zero bytes
    const a85 = decodePdfStream(Buffer.from('9jqo^z~>'), dict('ASCII85Decode'), { remaining: 1024 });
    expect(Buffer.from(a85)).toEqual(Buffer.concat([Buffer.from('Man '), Buffer.alloc(4)]));
    expect(Buffer.from(decodePdfStream(Buffer.from('48 65 6c6C 6F7>'), dict('ASCIIHexDecode'), { remaining: 1024 })).toString('latin1')).toBe('Hellop');
  });

  it('charges every filter to the budget: an ASCII85 z-bomb behind Flate is refused, not decoded', () => {
    // 64 MiB of output from 16 MiB of 'z' that deflates to a few KiB: refused within the budget, nothing allocated.
    const bomb = deflateSync(Buffer.alloc(16 * 1024 * 1024, 0x7a));
    const budget = { remaining: 32 * 1024 * 1024 };
    expect(kind(() => decodePdfStream(bomb, dict(['FlateDecode', 'ASCII85Decode']), budget))).toBe('budget');
    expect(kind(() => decodePdfStream(Buffer.alloc(2 * 1024 * 1024, 0x7a), dict('ASCII85Decode'), { remaining: 1024 * 1024 }))).toBe('budget');
  });

  it('refuses long filter chains', () => {
    expect(kind(() => decodePdfStream(Buffer.from('00>'), dict(['ASCIIHexDecode', 'ASCIIHexDecode', 'ASCIIHexDecode', 'ASCIIHexDecode']), { remaining: 1024 }))).toBe('unsupported');
  });
});

describe('predictors', () => {
  it('undoes the TIFF predictor (2) for 8-bit components', () => {
    // Two RGB pixels per row: the second stores its difference from the first.
    const rows = Buffer.from([10, 20, 30, 1, 2, 3, 100, 100, 100, 0xff, 0, 1]);
    const parms = new Map<string, unknown>([['Predictor', 2], ['Colors', 3], ['Columns', 2]]);
    const d = new Map<string, unknown>([['Filter', 'FlateDecode'], ['DecodeParms', parms]]);
    expect([...decodePdfStream(deflateSync(rows), d, { remaining: 1024 })]).toEqual([10, 20, 30, 11, 22, 33, 100, 100, 100, 99, 100, 101]);
  });
});
