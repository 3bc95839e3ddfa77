import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SM3_IS_NATIVE } from '@ecert/pki';
import { digestChunks } from './chunk-digester';
import { digestStream } from './stream-digester';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const text = (s: string) => new TextEncoder().encode(s);

describe('digestChunks', () => {
  it('gives the GM/T 0004-2012 (GB/T 32905) SM3 test vectors', () => {
    expect(hex(digestChunks([text('abc')], 'sm3'))).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    expect(hex(digestChunks([text('abcd'.repeat(16))], 'sm3'))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
    // the same across chunk boundaries, including empty chunks and a split inside a 64-byte block
    expect(hex(digestChunks([text('ab'), new Uint8Array(0), text('cdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdab'), text('cd')], 'sm3'))).toBe(
      'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
    );
  });

  it('equals the one-shot digest for any split (SHA-2 and SM3)', () => {
    const data = new Uint8Array(randomBytes(10_000));
    for (const alg of ['sha256', 'sha384', 'sha512', 'sm3'] as const) {
      const whole = hex(digestChunks([data], alg));
      for (const cut of [0, 1, 63, 64, 65, 5_000, 9_999]) {
        expect(hex(digestChunks([data.subarray(0, cut), data.subarray(cut)], alg))).toBe(whole);
      }
    }
    expect(hex(digestChunks([data], 'sha256'))).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('takes a generator (the ByteRange pieces read lazily)', () => {
    function* pieces() {
      yield text('ab');
      yield text('c');
    }
    expect(hex(digestChunks(pieces(), 'sm3'))).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });

  it('digestStream reads an async source', async () => {
    const data = new Uint8Array(randomBytes(200_000));
    const fromStream = await digestStream(Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), 'sm3');
    expect(hex(fromStream)).toBe(hex(digestChunks([data], 'sm3')));
  });

  it('SM3 runs on OpenSSL here, not the pure-JS fallback (its speed is measured in npm run bench, phase 5)', () => {
    // Node's OpenSSL has SM3 on every supported platform; the fallback would make sealing a 50 MB
    // document take seconds. A timing assertion would be flaky on a loaded machine: check the path.
    expect(SM3_IS_NATIVE).toBe(true);
    const chunk = new Uint8Array(randomBytes(1 << 20));
    expect(hex(digestChunks(Array.from({ length: 3 }, () => chunk), 'sm3'))).toBe(hex(digestChunks([Buffer.concat([chunk, chunk, chunk])], 'sm3')));
  });
});
