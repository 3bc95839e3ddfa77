/**
 * Issue 12: the invalid-list CSV export through the gateway is streamed page by page from the
 * cert-service; a client that goes away mid-download ends the export — the gateway stops asking
 * for further pages (an abandoned download must not walk the whole list, page after page, into a
 * socket nobody reads). The certificates are made invalid in the database directly: the run that
 * makes them so has its own tests (batch-jobs), and thousands of issuances would take minutes.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Subjects } from '@ecert/contracts';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { RpcClient } from '../../apps/gateway/src/rpc/rpc-client.service';

/** The export asks for pages of 1000 (EXPORT_PAGE in the controller): this many pages' worth. */
const PAGES = 8;
const ROWS = PAGES * 1000;
let p: TestPlatform;
/** Every invalid-list page the gateway asks the cert-service for, while a test counts. */
const pageCalls: { at: number; settled: boolean }[] = [];

beforeAll(async () => {
  p = await startTestPlatform({ services: ['cert', 'gateway'], env: { ECERT_INVALIDATION_CRON: 'off', ECERT_REMINDERS_CRON: 'off' } });
  const [{ id: caId }] = (await p.db.query(`SELECT id FROM cert.ca WHERE role = 'issuing' ORDER BY id LIMIT 1`)).rows;
  await p.db.query(
    `INSERT INTO cert.certificate (serial, ca_id, profile, key_algorithm, status, subject, uscc, account_no, region_code, unit_name,
       not_before, not_after, der, status_changed_at, version, revoked_at, revocation_reason, invalid_reason, invalidated_at)
     SELECT md5($2 || g), $1, 'unit', 'SM2', 'invalid', 'CN=unit', '91450100MA5L000000', 'A' || g, '450100', '南宁市某某科技有限公司',
            now() - interval '30 months', now() + interval '6 months', '\\x00', now(), 2, now() - g * interval '1 second', 'cessationOfOperation', 'idle', now() - g * interval '1 second'
       FROM generate_series(1, $3::int) g`,
    [caId, randomBytes(8).toString('hex'), ROWS],
  );
  // Counts the pages at the gateway's one client to the bus, as the controller asks for them.
  const rpc = p.gateway!.get(RpcClient);
  const call = rpc.call.bind(rpc);
  rpc.call = (<T>(subject: string, data: unknown, opts?: Parameters<RpcClient['call']>[2]) => {
    if (subject !== Subjects.cert.invalidList) return call<T>(subject, data, opts);
    const entry = { at: Date.now(), settled: false };
    pageCalls.push(entry);
    return call<T>(subject, data, opts).finally(() => (entry.settled = true));
  }) as RpcClient['call'];
});

afterAll(async () => {
  await p?.close();
});

const exportUrl = () => new URL('/api/v1/invalid-list/export.csv', p.baseUrl);

/** Waits until no page is being fetched and none was asked for in the last `quietMs`. */
async function quiet(quietMs = 1500, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = pageCalls.at(-1);
    if (pageCalls.every((c) => c.settled) && (!last || Date.now() - last.at >= quietMs)) return;
    if (Date.now() > deadline) throw new Error('the export kept asking for pages');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('invalid-list CSV export', () => {
  it('streams the whole list page by page', async () => {
    pageCalls.length = 0;
    const r = await fetch(exportUrl(), { headers: { 'x-api-key': p.apiKey! } });
    expect(r.status).toBe(200);
    const lines = (await r.text()).replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines).toHaveLength(ROWS + 1);
    expect(new Set(lines.slice(1).map((l) => l.split(',')[0])).size).toBe(ROWS);
    // One request per page (the last page says there is no next one).
    expect(pageCalls).toHaveLength(PAGES);
  });

  it('stops asking for pages when the client disconnects mid-stream', async () => {
    await quiet(200);
    pageCalls.length = 0;
    let received = 0;
    const { atDisconnect } = await new Promise<{ atDisconnect: number }>((resolve, reject) => {
      const req = request(exportUrl(), { headers: { 'x-api-key': p.apiKey! }, agent: false }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`export answered ${res.statusCode}`));
        // Reads a little of the first page, then goes away.
        res.once('data', (chunk: Buffer) => {
          received += chunk.length;
          const atDisconnect = pageCalls.length;
          req.destroy();
          resolve({ atDisconnect });
        });
      });
      req.on('error', () => undefined);
      req.end();
    });
    expect(received).toBeGreaterThan(0);
    // Whatever was under way at the disconnect finishes; then nothing more is asked for.
    await quiet();
    const after = pageCalls.length - atDisconnect;
    expect(after, `${pageCalls.length} pages asked for, ${atDisconnect} of them before the disconnect`).toBeLessThanOrEqual(1);
    expect(pageCalls.length).toBeLessThan(PAGES);
    // The gateway still serves the next export in full.
    pageCalls.length = 0;
    const again = await fetch(exportUrl(), { headers: { 'x-api-key': p.apiKey! } });
    expect((await again.text()).trimEnd().split('\r\n')).toHaveLength(ROWS + 1);
    expect(pageCalls).toHaveLength(PAGES);
  });
});
