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
