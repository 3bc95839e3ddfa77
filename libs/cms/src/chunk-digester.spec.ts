import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
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

  it('SM3 over 50 MB in 1 MB chunks is fast enough for sealing (rate reported)', () => {
    const chunk = new Uint8Array(randomBytes(1 << 20));
    const chunks = Array.from({ length: 50 }, () => chunk);
    const rate = (alg: 'sm3' | 'sha256') => {
      const t = performance.now();
      digestChunks(chunks, alg);
      const ms = performance.now() - t;
      return { ms, mbps: 50 / (ms / 1000) };
    };
    const sm3 = rate('sm3');
    const sha256 = rate('sha256');
    console.info(`50 MB: SM3 ${sm3.ms.toFixed(0)} ms (${sm3.mbps.toFixed(0)} MB/s), SHA-256 ${sha256.ms.toFixed(0)} ms (${sha256.mbps.toFixed(0)} MB/s)`);
    // OpenSSL's SM3 does ~190 MB/s here; the pure-JS fallback would take many seconds.
    expect(sm3.ms).toBeLessThan(3_000);
  });
});
