import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { EventSubjects } from '@ecert/contracts';
import { asNationalOperator, freePort, startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeUscc, opensslCsr, TempDir } from '../support/fixtures';
import { waitFor } from '../support/http';
import { IssueCertificateUseCase } from '../../apps/cert-service/src/certificates/usecases/issue-certificate.use-case';
import { FreezeCertificateUseCase } from '../../apps/cert-service/src/certificates/usecases/freeze-certificate.use-case';

/**
 * The outbox guarantee, against a NATS server of this test's own (so stopping it disturbs no
 * other test): a state change commits while NATS is down, and its event is delivered and applied
 * exactly once after NATS returns.
 */
const dir = new TempDir();
let natsPort: number;
let nats: ChildProcess | undefined;
let p: TestPlatform;

function startNats(): Promise<void> {
  nats = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', dir.path], { stdio: 'ignore' });
  return waitFor(async () => {
    const nc = await connect({ servers: `127.0.0.1:${natsPort}`, timeout: 500 }).catch(() => undefined);
    if (!nc) return false;
    await nc.close();
    return true;
  }, 10_000).then(() => undefined);
}

async function stopNats(): Promise<void> {
  const n = nats;
  nats = undefined;
  if (!n || n.exitCode !== null) return;
  await new Promise((r) => {
    n.once('exit', r);
    n.kill('SIGTERM');
  });
}

async function inboxRows(serial: string, type: string): Promise<number> {
  const { rows } = await p.db.query('SELECT count(*)::int AS n FROM seal.inbox WHERE aggregate_id = $1 AND type = $2', [serial, type]);
  return rows[0].n;
}

beforeAll(async () => {
  natsPort = await freePort();
  await startNats();
  p = await startTestPlatform({ services: ['cert', 'seal'], env: { NATS_URL: `nats://127.0.0.1:${natsPort}` } });
});

afterAll(async () => {
  if (!nats) await startNats().catch(() => undefined);
  await p?.close();
  await stopNats();
  dir.remove();
});

describe('transactional outbox', () => {
  it('commits with NATS down and delivers the event exactly once when NATS returns', async () => {
    const issue = p.services.cert!.get(IssueCertificateUseCase);
    const freeze = p.services.cert!.get(FreezeCertificateUseCase);
    const { csr } = opensslCsr(dir, 'p256');
    const cert = await asNationalOperator(() => issue.execute({ profile: 'unit', csr, unit: { name: '测试单位', uscc: makeUscc(), regionCode: '450100', accountNo: 'DUR-1' } }));
    await waitFor(async () => (await inboxRows(cert.serial, 'certificate.issued')) === 1);

    await stopNats();
    const frozen = await asNationalOperator(() => freeze.execute({ serial: cert.serial, comment: 'NATS is down' }));
    expect(frozen.status).toBe('frozen');
    const { rows: stored } = await p.db.query('SELECT status FROM cert.certificate WHERE serial = $1', [cert.serial]);
    expect(stored[0].status).toBe('frozen');
    const { rows: pending } = await p.db.query(
      "SELECT id, published_at FROM cert.outbox WHERE aggregate_id = $1 AND type = 'certificate.frozen'",
      [cert.serial],
    );
    expect(pending).toHaveLength(1);
    expect(pending[0].published_at).toBeNull();
    await new Promise((r) => setTimeout(r, 1000));
    expect(await inboxRows(cert.serial, 'certificate.frozen')).toBe(0);

    await startNats();
    await waitFor(async () => (await inboxRows(cert.serial, 'certificate.frozen')) === 1, 30_000, 200);
    const { rows: published } = await p.db.query('SELECT published_at FROM cert.outbox WHERE id = $1', [pending[0].id]);
    expect(published[0].published_at).not.toBeNull();

    // A redelivery of the same event (same id, bypassing JetStream's dedup window with another
    // message id) is acknowledged and ignored by the consumer's inbox.
    const { rows: outboxRow } = await p.db.query('SELECT payload FROM cert.outbox WHERE id = $1', [pending[0].id]);
    const nc = await connect({ servers: `127.0.0.1:${natsPort}` });
    await jetstream(nc).publish(EventSubjects.certificateFrozen, JSON.stringify(outboxRow[0].payload), { msgID: `replay-${pending[0].id}` });
    await nc.close();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await inboxRows(cert.serial, 'certificate.frozen')).toBe(1);
  }, 90_000);
});
