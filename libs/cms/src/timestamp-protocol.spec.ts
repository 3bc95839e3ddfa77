import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTsa, type TestTsa } from '../../../test/support/test-tsa';
import { buildTimestampRequest, readTimestampResponse } from './timestamp-protocol';
import { verifyTimestampToken } from './timestamp-token-verifier';

let tsa: TestTsa;
beforeAll(async () => {
  tsa = await startTestTsa();
});
afterAll(async () => {
  await tsa?.close();
});

async function ask(der: Uint8Array): Promise<Uint8Array> {
  const res = await fetch(tsa.url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: der });
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

describe('RFC 3161 with openssl ts as the TSA', () => {
  it('asks for a token over a signature value and takes it from the answer, bound by its nonce', async () => {
    const signatureValue = randomBytes(72);
    const { der, nonce } = buildTimestampRequest(signatureValue);
    const token = readTimestampResponse(await ask(der), nonce);
    const v = verifyTimestampToken(token, signatureValue);
    expect(v).toMatchObject({ imprintMatches: true, digestMatches: true, signatureValid: true, problems: [] });
    expect(Math.abs(v.genTime!.getTime() - Date.now())).toBeLessThan(120_000);
  });

  it('refuses an answer to another request (nonce) and an answer that is not a TimeStampResp', async () => {
    const signatureValue = randomBytes(64);
    const { der } = buildTimestampRequest(signatureValue);
    const answer = await ask(der);
    expect(() => readTimestampResponse(answer, Uint8Array.of(1, 2, 3))).toThrow(/another request/);
    expect(() => readTimestampResponse(Uint8Array.of(1, 2, 3))).toThrow(/TimeStampResp/);
  });
});

describe('the nonce', () => {
  it('is a minimal positive INTEGER whatever the random bytes (a TSA rejects a malformed one)', async () => {
    for (const first of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
      const nonce = Uint8Array.of(first, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde);
      const signatureValue = randomBytes(64);
      const { der, nonce: sent } = buildTimestampRequest(signatureValue, nonce);
      expect(sent[0]! & 0x80).toBe(0);
      expect(sent[0]).not.toBe(0);
      expect(verifyTimestampToken(readTimestampResponse(await ask(der), sent), signatureValue).imprintMatches).toBe(true);
    }
  });
});
