import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATIONAL_SCOPE, OPERATIONS, ProblemError, requestContext } from '@ecert/common';
import { Subjects, type CertificateView, type SealView } from '@ecert/contracts';
import { BusIdentity, BusRpcClient } from '@ecert/messaging';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeUscc, opensslCsr, TempDir } from '../support/fixtures';
import { api } from '../support/http';
import { Redis } from 'ioredis';
import { sealPng } from '../../apps/seal-service/src/images/test-images.spec-helper';

/**
 * Command-level idempotency keys: a saga that got no answer sends the same command with the same
 * key again, and the receiving service carries it out once per caller and key. Commands go over
 * the bus as the workflow-service and as the gateway for two clients, against the real services.
 */
let p: TestPlatform;
let gatewayBus: BusRpcClient;
let workflowBus: BusRpcClient;
const dir = new TempDir();
const SEAL_PNG = sealPng(240, 20).toString('base64');

beforeAll(async () => {
  p = await startTestPlatform({ services: ['cert', 'seal', 'gateway'] });
  gatewayBus = new BusRpcClient(p.config, BusIdentity.fromConfig(p.config, 'gateway'), 'idempotency-test-gateway');
  workflowBus = new BusRpcClient(p.config, BusIdentity.fromConfig(p.config, 'workflow-service'), 'idempotency-test-workflow');
});

afterAll(async () => {
  await gatewayBus?.close();
  await workflowBus?.close();
  await p?.close();
  dir.remove();
});

type Caller = <T>(subject: string, data: unknown) => Promise<T>;
/** A fresh request id each call, as each retry of a saga step or HTTP request has. */
const workflow: Caller = (subject, data) => requestContext.run({ requestId: `idem-${randomUUID()}` }, () => workflowBus.call(subject, data, { timeoutMs: 15_000 }));
const client =
  (clientId: string): Caller =>
  (subject, data) =>
    requestContext.run({ requestId: `idem-${randomUUID()}`, clientId, operations: [...OPERATIONS], regions: [NATIONAL_SCOPE] }, () => gatewayBus.call(subject, data, { timeoutMs: 15_000 }));

/** The problem a call ended with (its status, code and field), or fails the test if it succeeded. */
async function refusal(call: Promise<unknown>): Promise<{ status: number; code: string; field?: string }> {
  const e = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof ProblemError)) throw new Error(`expected a problem, got ${e === undefined ? 'success' : String(e)}`);
  return { status: e.status, code: e.code, field: e.field };
}

const key = () => `saga:${randomUUID()}`;
const unit = (uscc = makeUscc()) => ({ name: '南宁市某某科技有限公司', uscc, regionCode: '450100', accountNo: '4501000001' });
const issueCommand = <E extends Record<string, unknown>>(extra: E = {} as E) => ({ profile: 'unit', csr: opensslCsr(dir, 'p256').csr, unit: unit(), ...extra });

async function count(sql: string, params: unknown[]): Promise<number> {
  return (await p.db.query(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0].n;
}
const certificatesOf = (uscc: string) => count('cert.certificate WHERE uscc = $1', [uscc]);
const certificateEvents = (serial: string, type: string) => count('cert.outbox WHERE aggregate_id = $1 AND type = $2', [serial, type]);
const sealEvents = (id: string) => count("seal.outbox WHERE aggregate_id = $1 AND type = 'seal.created'", [id]);

async function issued(extra: Record<string, unknown> = {}): Promise<CertificateView> {
  return workflow<CertificateView>(Subjects.cert.issue, issueCommand(extra));
}

describe('issue', () => {
  it('issues once for a key: the retry gets the same certificate, no second one and no second event', async () => {
    const cmd = issueCommand({ idempotencyKey: key() });
    const first = await workflow<CertificateView>(Subjects.cert.issue, cmd);
    const retry = await workflow<CertificateView>(Subjects.cert.issue, cmd);
    expect(retry).toEqual(first);
    expect(await certificatesOf(cmd.unit.uscc)).toBe(1);
    expect(await certificateEvents(first.serial, 'certificate.issued')).toBe(1);
    const { rows } = await p.db.query('SELECT caller, command, serial, request_hash FROM cert.command_receipt WHERE idempotency_key = $1', [cmd.idempotencyKey]);
    expect(rows).toEqual([{ caller: 'workflow-service', command: 'issue', serial: first.serial, request_hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
  });

  it('answers a retry with the certificate as it is now', async () => {
    const cmd = issueCommand({ idempotencyKey: key() });
    const first = await workflow<CertificateView>(Subjects.cert.issue, cmd);
    await workflow(Subjects.cert.freeze, { serial: first.serial });
    const retry = await workflow<CertificateView>(Subjects.cert.issue, cmd);
    expect(retry).toMatchObject({ serial: first.serial, status: 'frozen' });
    expect(await certificatesOf(cmd.unit.uscc)).toBe(1);
  });

  it('refuses the key with another body or for another command (422 on idempotencyKey)', async () => {
    const cmd = issueCommand({ idempotencyKey: key() });
    const first = await workflow<CertificateView>(Subjects.cert.issue, cmd);
    expect(await refusal(workflow(Subjects.cert.issue, { ...cmd, validityDays: 30 }))).toEqual({ status: 422, code: 'idempotency_key_reused', field: 'idempotencyKey' });
    expect(await refusal(workflow(Subjects.cert.freeze, { serial: first.serial, idempotencyKey: cmd.idempotencyKey }))).toEqual({
      status: 422,
      code: 'idempotency_key_reused',
      field: 'idempotencyKey',
    });
    expect(await certificatesOf(cmd.unit.uscc)).toBe(1);
    expect((await workflow<CertificateView>(Subjects.cert.get, { serial: first.serial })).status).toBe('active');
  });

  it('issues exactly one certificate for eight concurrent requests with one key', async () => {
    const cmd = issueCommand({ idempotencyKey: key() });
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => workflow<CertificateView>(Subjects.cert.issue, cmd)));
    const serials = new Set(outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.serial] : [])));
    expect(serials.size).toBe(1);
    for (const o of outcomes) {
      if (o.status === 'rejected') expect((o.reason as ProblemError).code).toBe('concurrent_modification');
    }
    expect(await certificatesOf(cmd.unit.uscc)).toBe(1);
    expect(await certificateEvents([...serials][0]!, 'certificate.issued')).toBe(1);
  });

  it('keeps keys per caller: the workflow-service and two gateway clients may use one key', async () => {
    const shared = key();
    const byWorkflow = issueCommand({ idempotencyKey: shared });
    const byA = issueCommand({ idempotencyKey: shared });
    const byB = issueCommand({ idempotencyKey: shared });
    const [w, a, b] = [
      await workflow<CertificateView>(Subjects.cert.issue, byWorkflow),
      await client('client-a')<CertificateView>(Subjects.cert.issue, byA),
      await client('client-b')<CertificateView>(Subjects.cert.issue, byB),
    ];
    expect(new Set([w.serial, a.serial, b.serial]).size).toBe(3);
    expect((await client('client-a')<CertificateView>(Subjects.cert.issue, byA)).serial).toBe(a.serial);
    // The other caller's command under the same key is another body for this caller: 422, not its certificate.
    expect((await refusal(client('client-a')(Subjects.cert.issue, byB))).code).toBe('idempotency_key_reused');
    const { rows } = await p.db.query('SELECT caller FROM cert.command_receipt WHERE idempotency_key = $1 ORDER BY caller', [shared]);
    expect(rows.map((r) => r.caller)).toEqual(['gateway:client-a', 'gateway:client-b', 'workflow-service']);
  });

  it('refuses a malformed key with a 400 on idempotencyKey and writes nothing', async () => {
    const before = await count('cert.certificate', []);
    const receipts = await count('cert.command_receipt', []);
    for (const bad of ['short', 'has space in it', 'x'.repeat(129), 'ümlaut-key', 12345678, {}]) {
      const cmd = issueCommand({ idempotencyKey: bad });
      expect(await refusal(workflow(Subjects.cert.issue, cmd))).toEqual({ status: 400, code: 'validation_failed', field: 'idempotencyKey' });
    }
    const cert = await issued();
    expect(await refusal(workflow(Subjects.cert.freeze, { serial: cert.serial, idempotencyKey: 'bad key!' }))).toMatchObject({ status: 400, field: 'idempotencyKey' });
    expect((await workflow<CertificateView>(Subjects.cert.get, { serial: cert.serial })).status).toBe('active');
    expect(await count('cert.certificate', [])).toBe(before + 1);
    expect(await count('cert.command_receipt', [])).toBe(receipts);
  });
});

describe('freeze, unfreeze, revoke', () => {
  it('freezes once: the retry returns the frozen certificate, not a 409, and there is one event', async () => {
    const cert = await issued();
    const cmd = { serial: cert.serial, comment: '挂失', idempotencyKey: key() };
    const first = await workflow<CertificateView>(Subjects.cert.freeze, cmd);
    const retry = await workflow<CertificateView>(Subjects.cert.freeze, cmd);
    expect(first.status).toBe('frozen');
    expect(retry).toEqual(first);
    expect(await certificateEvents(cert.serial, 'certificate.frozen')).toBe(1);
    expect(await count("cert.certificate_history WHERE serial = $1 AND action = 'freeze'", [cert.serial])).toBe(1);
    // Without a key the repetition is what it always was: a 409.
    expect((await refusal(workflow(Subjects.cert.freeze, { serial: cert.serial }))).status).toBe(409);
    expect(await refusal(workflow(Subjects.cert.freeze, { ...cmd, comment: 'other' }))).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
  });

  it('freezes once for eight concurrent requests with one key', async () => {
    const cert = await issued();
    const cmd = { serial: cert.serial, idempotencyKey: key() };
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => workflow<CertificateView>(Subjects.cert.freeze, cmd)));
    for (const o of outcomes) {
      if (o.status === 'fulfilled') expect(o.value.status).toBe('frozen');
      else expect((o.reason as ProblemError).code).toBe('concurrent_modification');
    }
    expect(outcomes.some((o) => o.status === 'fulfilled')).toBe(true);
    expect(await certificateEvents(cert.serial, 'certificate.frozen')).toBe(1);
  });

  it('unfreezes once, and a later retry shows the certificate as it is now', async () => {
    const cert = await issued();
    await workflow(Subjects.cert.freeze, { serial: cert.serial });
    const cmd = { serial: cert.serial, idempotencyKey: key() };
    const first = await workflow<CertificateView>(Subjects.cert.unfreeze, cmd);
    expect(first.status).toBe('active');
    expect((await workflow<CertificateView>(Subjects.cert.unfreeze, cmd)).status).toBe('active');
    expect(await certificateEvents(cert.serial, 'certificate.unfrozen')).toBe(1);
    // Frozen again by someone else: the retry changes nothing and says so.
    await workflow(Subjects.cert.freeze, { serial: cert.serial });
    expect((await workflow<CertificateView>(Subjects.cert.unfreeze, cmd)).status).toBe('frozen');
    expect(await certificateEvents(cert.serial, 'certificate.unfrozen')).toBe(1);
    expect(await refusal(workflow(Subjects.cert.freeze, { serial: cert.serial, idempotencyKey: cmd.idempotencyKey }))).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
  });

  it('revokes once: the retry returns the same revocation', async () => {
    const cert = await issued();
    const cmd = { serial: cert.serial, reason: 'cessationOfOperation', idempotencyKey: key() };
    const first = await workflow<CertificateView>(Subjects.cert.revoke, cmd);
    const retry = await workflow<CertificateView>(Subjects.cert.revoke, cmd);
    expect(first).toMatchObject({ status: 'revoked', revocationReason: 'cessationOfOperation' });
    expect(retry).toEqual(first);
    expect(await certificateEvents(cert.serial, 'certificate.revoked')).toBe(1);
    expect(await refusal(workflow(Subjects.cert.revoke, { ...cmd, reason: 'superseded' }))).toMatchObject({ status: 422, code: 'idempotency_key_reused', field: 'idempotencyKey' });
  });
});

describe('renew', () => {
  it('renews once: the retry gets the same successor, and there is one successor and one event', async () => {
    const old = await issued();
    const cmd = { serial: old.serial, csr: opensslCsr(dir, 'p256').csr, idempotencyKey: key() };
    const first = await workflow<CertificateView>(Subjects.cert.renew, cmd);
    const retry = await workflow<CertificateView>(Subjects.cert.renew, cmd);
    expect(first.replaces).toBe(old.serial);
    expect(retry).toEqual(first);
    expect(await count('cert.certificate WHERE replaces = $1', [old.serial])).toBe(1);
    expect(await certificateEvents(first.serial, 'certificate.renewed')).toBe(1);
    expect(await refusal(workflow(Subjects.cert.renew, { ...cmd, validityDays: 30 }))).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
  });

  it('renews once for eight concurrent requests with one key', async () => {
    const old = await issued();
    const cmd = { serial: old.serial, csr: opensslCsr(dir, 'p256').csr, idempotencyKey: key() };
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => workflow<CertificateView>(Subjects.cert.renew, cmd)));
    const serials = new Set(outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.serial] : [])));
    expect(serials.size).toBe(1);
    for (const o of outcomes) {
      if (o.status === 'rejected') expect((o.reason as ProblemError).code).toBe('concurrent_modification');
    }
    expect(await count('cert.certificate WHERE replaces = $1', [old.serial])).toBe(1);
  });

  it('refuses a malformed key before anything is signed or changed', async () => {
    const old = await issued();
    expect(await refusal(workflow(Subjects.cert.renew, { serial: old.serial, csr: opensslCsr(dir, 'p256').csr, idempotencyKey: 'no' }))).toMatchObject({ status: 400, field: 'idempotencyKey' });
    expect(await count('cert.certificate WHERE replaces = $1', [old.serial])).toBe(0);
    expect((await workflow<CertificateView>(Subjects.cert.get, { serial: old.serial })).status).toBe('active');
  });
});

describe('seal.create', () => {
  const sealRequest = <E extends Record<string, unknown>>(cert: CertificateView, extra: E = {} as E) => ({
    kind: 'department',
    name: '南宁市某某科技有限公司人事部',
    image: SEAL_PNG,
    widthMm: 42,
    heightMm: 42,
    certificateSerial: cert.serial,
    ...extra,
  });
  const sealsOf = (serial: string) => count('seal.seal WHERE certificate_serial = $1', [serial]);

  it('makes one seal for a key: the retry gets the same seal as it is now, with one event', async () => {
    const cert = await issued();
    const cmd = sealRequest(cert, { idempotencyKey: key() });
    const first = await client('client-a')<SealView>(Subjects.seal.create, cmd);
    const retry = await client('client-a')<SealView>(Subjects.seal.create, cmd);
    expect(retry).toEqual(first);
    expect(await sealsOf(cert.serial)).toBe(1);
    expect(await sealEvents(first.id)).toBe(1);
    const { rows } = await p.db.query('SELECT caller, command, seal_id FROM seal.command_receipt WHERE idempotency_key = $1', [cmd.idempotencyKey]);
    expect(rows).toEqual([{ caller: 'gateway:client-a', command: 'create', seal_id: first.id }]);
    expect(await refusal(client('client-a')(Subjects.seal.create, { ...cmd, name: '另一个名称' }))).toEqual({ status: 422, code: 'idempotency_key_reused', field: 'idempotencyKey' });
    // The certificate frozen since: the retry reports the seal suspended with it.
    await workflow(Subjects.cert.freeze, { serial: cert.serial });
    await expect.poll(async () => (await client('client-a')<SealView>(Subjects.seal.create, cmd)).status, { timeout: 10_000 }).toBe('suspended');
    expect(await sealsOf(cert.serial)).toBe(1);
  });

  it('retries an official seal as that seal, not as a second official seal of the unit', async () => {
    const cert = await issued();
    const cmd = sealRequest(cert, { kind: 'official', name: '南宁市某某科技有限公司', idempotencyKey: key() });
    const first = await client('client-a')<SealView>(Subjects.seal.create, cmd);
    expect((await client('client-a')<SealView>(Subjects.seal.create, cmd)).id).toBe(first.id);
  });

  it('makes exactly one seal for eight concurrent requests with one key', async () => {
    const cert = await issued();
    const cmd = sealRequest(cert, { idempotencyKey: key() });
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => client('client-a')<SealView>(Subjects.seal.create, cmd)));
    const ids = new Set(outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.id] : [])));
    expect(ids.size).toBe(1);
    for (const o of outcomes) {
      if (o.status === 'rejected') expect((o.reason as ProblemError).code).toBe('concurrent_modification');
    }
    expect(await sealsOf(cert.serial)).toBe(1);
  });

  it('keeps keys per caller: two clients with one key make two seals', async () => {
    const cert = await issued();
    const shared = key();
    const a = await client('client-a')<SealView>(Subjects.seal.create, sealRequest(cert, { idempotencyKey: shared }));
    const b = await client('client-b')<SealView>(Subjects.seal.create, sealRequest(cert, { name: '南宁市某某科技有限公司财务部', idempotencyKey: shared }));
    expect(a.id).not.toBe(b.id);
    expect(await sealsOf(cert.serial)).toBe(2);
  });

  it('refuses a malformed key with a 400 on idempotencyKey and makes no seal', async () => {
    const cert = await issued();
    expect(await refusal(client('client-a')(Subjects.seal.create, sealRequest(cert, { idempotencyKey: 'a/b/c/d/e/f' })))).toEqual({
      status: 400,
      code: 'validation_failed',
      field: 'idempotencyKey',
    });
    expect(await sealsOf(cert.serial)).toBe(0);
    expect(await count('cert.seal_maker_signature WHERE certificate_serial = $1', [cert.serial])).toBe(0);
  });
});

describe('REST', () => {
  it('does not take idempotencyKey in a body (the Idempotency-Key header is the HTTP way)', async () => {
    const cmd = issueCommand({ idempotencyKey: key() });
    const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', cmd);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'validation_failed', field: 'idempotencyKey' });
    expect(await certificatesOf(cmd.unit.uscc)).toBe(0);
    const cert = await issued();
    const s = await api(p.baseUrl, 'POST', '/api/v1/seals', { kind: 'department', name: '人事部', image: SEAL_PNG, widthMm: 42, heightMm: 42, certificateSerial: cert.serial, idempotencyKey: key() });
    expect(s.status).toBe(400);
    expect(s.body).toMatchObject({ field: 'idempotencyKey' });
  });

  it('forwards the Idempotency-Key of a seal creation: a retry the gateway no longer knows gets the same seal', async () => {
    const cert = await issued();
    const key = `http-${randomUUID()}`;
    const body = { kind: 'department', name: '人事部', image: SEAL_PNG, widthMm: 42, heightMm: 42, certificateSerial: cert.serial };
    const first = await api(p.baseUrl, 'POST', '/api/v1/seals', body, { 'idempotency-key': key });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    // What the gateway kept of the key is gone (Redis lost, or the first answer never stored: a 5xx).
    const redis = new Redis(p.config.REDIS_URL);
    try {
      const kept = await redis.keys(`${p.config.ECERT_REDIS_PREFIX}:idem:*:${key}`);
      expect(kept).toHaveLength(1);
      await redis.del(...kept);
    } finally {
      redis.disconnect();
    }
    const again = await api(p.baseUrl, 'POST', '/api/v1/seals', body, { 'idempotency-key': key });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(await count('seal.seal WHERE certificate_serial = $1', [cert.serial])).toBe(1);
  });
});
