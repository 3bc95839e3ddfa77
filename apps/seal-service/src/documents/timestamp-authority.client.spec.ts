import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, ProblemError } from '@ecert/common';
import { startTestTsa, type TestTsa } from '../../../../test/support/test-tsa';
import { TimestampAuthorityClient } from './timestamp-authority.client';

let tsa: TestTsa;
beforeAll(async () => {
  tsa = await startTestTsa();
});
afterAll(async () => {
  await tsa?.close();
});

const client = (env: Record<string, string>) => new TimestampAuthorityClient(loadConfig({ ...process.env, ...env }));

describe('TimestampAuthorityClient', () => {
  it('without a TSA: no token (B-B)', async () => {
    expect(await client({ ECERT_TSA_URL: '' }).tokenFor(randomBytes(64))).toBeUndefined();
  });

  it('with a TSA: a checked token over the signature value (B-T)', async () => {
    const token = await client({ ECERT_TSA_URL: tsa.url }).tokenFor(randomBytes(64));
    expect(token!.length).toBeGreaterThan(500);
  });

  it('a TSA that does not answer fails the sealing cleanly (503), one that answers garbage too (502)', async () => {
    const down = await client({ ECERT_TSA_URL: 'http://127.0.0.1:9/tsa', ECERT_TSA_TIMEOUT_MS: '500' }).tokenFor(randomBytes(64)).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(ProblemError);
    expect((down as ProblemError).status).toBe(503);
    const garbage = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end('not a TimeStampResp'));
    await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
    const port = (garbage.address() as { port: number }).port;
    const e = await client({ ECERT_TSA_URL: `http://127.0.0.1:${port}/tsa` }).tokenFor(randomBytes(64)).catch((x: unknown) => x);
    garbage.close();
    expect(e).toBeInstanceOf(ProblemError);
    expect((e as ProblemError).status).toBe(502);
  });
});
