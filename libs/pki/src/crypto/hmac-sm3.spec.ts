import { createHmac, getHashes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacSm3 } from './hmac-sm3';

const te = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('hmacSm3', () => {
  it('matches the value OpenSSL gives (openssl dgst -sm3 -hmac key)', () => {
    expect(hex(hmacSm3(te('key'), te('abc')))).toBe('28e63256e7c5a087b1f073265dc53092163f7b82729735d06f28f10af9d52393');
  });

  it.runIf(getHashes().includes('sm3'))('agrees with Node for short, block-sized and long keys', () => {
    for (const key of ['k', 'x'.repeat(64), 'y'.repeat(65), 'z'.repeat(200)]) {
      const msg = te(`message for ${key.length}`);
      expect(hex(hmacSm3(te(key), msg))).toBe(createHmac('sm3', key).update(msg).digest('hex'));
    }
  });
});
