import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { headers as natsHeaders } from '@nats-io/transport-node';
import pino from 'pino';
import { jetstream } from '@nats-io/jetstream';
import { auditHash, type AuditAlgorithm } from '@ecert/common';
import { bulkEventSubject, durableConsumers, EVENT_SIGNATURE_HEADER, EVENT_SIGNER_HEADER, eventSubject, natsPrefix, type DomainEvent } from '@ecert/contracts';
import { BusIdentity, connectNats } from '@ecert/messaging';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeUscc, opensslCsr, TempDir } from '../support/fixtures';
import { api, waitFor } from '../support/http';
import { sealPng } from '../../apps/seal-service/src/images/test-images.spec-helper';
import { auditVerify } from '../../scripts/audit-verify';
import { AnonymousRefusals } from '../../apps/gateway/src/audit/anonymous-refusals.service';
import { AuditCheckpointer } from '../../apps/gateway/src/audit/audit-checkpointer.service';
import { AuditLifecycle } from '../../apps/gateway/src/audit/audit-lifecycle.service';
import { AuditTrail } from '../../apps/gateway/src/audit/audit-trail.service';
import { AUDIT_KEYS } from '../../apps/gateway/src/audit/audit-keys.provider';
import { GATEWAY_DATA_SOURCE } from '../../apps/gateway/src/gateway.tokens';
import { toStoredRecord } from '../../apps/gateway/src/audit/audit-chain-reader';
import { auditCheckpointDirectory, writeAuditCheckpointFile } from '../../apps/gateway/src/audit/audit-checkpoint-files';
import { randomUUID } from 'node:crypto';

/**
 * Issue 8, the audit trail: what it records (write-ahead for changes, events of the services,
 * anonymous refusals bounded), that a change it cannot record is not reported as done, and that
 * audit:verify catches an edit, a keyless re-hash, a deletion and a cut tail.
 */
let p: TestPlatform;
const dir = new TempDir();
const none = { 'x-api-key': '' };

beforeAll(async () => {
  // Checkpoints only when the tests ask (and at shutdown).
  p = await startTestPlatform({ services: ['cert', 'seal', 'gateway'], env: { ECERT_AUDIT_CHECKPOINT_INTERVAL_SECONDS: '3600' } });
});
afterAll(async () => {
  await p?.db.query('DROP TRIGGER IF EXISTS test_refuse_audit ON gateway.audit_log').catch(() => undefined);
  await p?.close();
  dir.remove();
});

const unit = (accountNo = 'AUDIT') => ({ name: '南宁市审计测试有限公司', uscc: makeUscc(), regionCode: '450100', accountNo });

async function issue(headers: Record<string, string> = {}) {
  const { csr } = opensslCsr(dir, 'sm2');
  return api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: unit() }, headers);
}

async function headSeq(): Promise<number> {
  const { rows } = await p.db.query('SELECT coalesce(max(seq), 0)::int AS n FROM gateway.audit_log');
  return rows[0].n;
}

/** Makes the audit store refuse records with this outcome (a trigger), as a broken one would. */
async function refuseAudit(outcome: string | undefined): Promise<void> {
  await p.db.query('DROP TRIGGER IF EXISTS test_refuse_audit ON gateway.audit_log');
  if (!outcome) return;
  await p.db.query(`CREATE OR REPLACE FUNCTION gateway.test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.outcome = TG_ARGV[0] THEN RAISE EXCEPTION 'audit store refuses (test)'; END IF; RETURN NEW; END $$`);
  await p.db.query(`CREATE TRIGGER test_refuse_audit BEFORE INSERT ON gateway.audit_log FOR EACH ROW EXECUTE FUNCTION gateway.test_refuse_audit('${outcome}')`);
}

describe('what the audit trail records', () => {
  it('records a change write-ahead: the attempt first, then the outcome pointing at it', async () => {
    const r = await issue();
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const freeze = await api(p.baseUrl, 'POST', `/api/v1/certificates/${r.body.serial}/freeze`, { comment: '挂失' });
    expect(freeze.status).toBe(200);
    const { rows } = await p.db.query("SELECT seq::int, outcome, details FROM gateway.audit_log WHERE action = 'POST /api/v1/certificates/:serial/freeze' AND target = $1 ORDER BY seq", [r.body.serial]);
    expect(rows.map((x) => x.outcome)).toEqual(['attempted', 'success']);
    expect(rows[0].details.body).toEqual({ comment: '挂失' });
    expect(rows[1].details.attempt).toBe(rows[0].seq);
  });

  it('does nothing when the attempt cannot be recorded (503 audit_unavailable)', async () => {
    const { rows: before } = await p.db.query('SELECT count(*)::int AS n FROM cert.certificate');
    await refuseAudit('attempted');
    try {
      const r = await issue();
      expect(r.status).toBe(503);
      expect(r.body.code).toBe('audit_unavailable');
      expect(r.headers.get('retry-after')).toBe('1');
    } finally {
      await refuseAudit(undefined);
    }
    const { rows: after } = await p.db.query('SELECT count(*)::int AS n FROM cert.certificate');
    expect(after[0].n).toBe(before[0].n);
  });

  it('never answers success when the outcome cannot be recorded; a retry with the Idempotency-Key gets the answer', async () => {
    const { rows: before } = await p.db.query('SELECT count(*)::int AS n FROM cert.certificate');
    const { csr } = opensslCsr(dir, 'p256');
    const body = { profile: 'unit', csr, unit: unit('IDEM') };
    const key = { 'idempotency-key': `audit-${randomUUID()}` };
    await refuseAudit('success');
    let failed;
    try {
      failed = await api(p.baseUrl, 'POST', '/api/v1/certificates', body, key);
    } finally {
      await refuseAudit(undefined);
    }
    expect(failed.status).toBe(500);
    expect(failed.body.code).toBe('audit_unavailable');
    // The cert-service did issue it, and the trail knows it was attempted.
    const { rows: attempt } = await p.db.query('SELECT outcome, action FROM gateway.audit_log WHERE seq = $1', [failed.body.attempt]);
    expect(attempt[0]).toEqual({ outcome: 'attempted', action: 'POST /api/v1/certificates' });
    const retry = await api(p.baseUrl, 'POST', '/api/v1/certificates', body, key);
    expect(retry.status, JSON.stringify(retry.body)).toBe(201);
    const { rows: after } = await p.db.query('SELECT count(*)::int AS n FROM cert.certificate');
    expect(after[0].n).toBe(before[0].n + 1);
    const { rows: success } = await p.db.query("SELECT count(*)::int AS n FROM gateway.audit_log WHERE action = 'POST /api/v1/certificates' AND outcome = 'success' AND target = $1", [retry.body.serial]);
    expect(success[0].n).toBe(1);
  });

  it('audits what the services change on their own: seals following a frozen certificate', async () => {
    const cert = await issue();
    expect(cert.status).toBe(201);
    const seal = await api(p.baseUrl, 'POST', '/api/v1/seals', {
      kind: 'official',
      name: '南宁市审计测试有限公司',
      image: sealPng(240, 20).toString('base64'),
      widthMm: 42,
      heightMm: 42,
      certificateSerial: cert.body.serial,
    });
    expect(seal.status, JSON.stringify(seal.body)).toBe(201);
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.body.serial}/freeze`, {})).status).toBe(200);
    const suspended = await waitFor(async () => {
      const { rows } = await p.db.query("SELECT client_id, staff_id, actor, request_id, details FROM gateway.audit_log WHERE action = 'event.seal.suspended' AND target = $1", [seal.body.id]);
      return rows[0];
    }, 20_000);
    // The seal-service did it on its own (following the certificate), no client or staff member.
    expect(suspended).toMatchObject({ client_id: null, staff_id: null, actor: 'seal-service' });
    expect(suspended.details.data).toMatchObject({ sealId: seal.body.id, status: 'suspended', certificateSerial: cert.body.serial });
    // The freeze itself, as the cert-service published it, names the client that asked.
    const frozen = await waitFor(async () => {
      const { rows } = await p.db.query("SELECT client_id, actor FROM gateway.audit_log WHERE action = 'event.certificate.frozen' AND target = $1", [cert.body.serial]);
      return rows[0];
    }, 20_000);
    const { rows: call } = await p.db.query("SELECT client_id FROM gateway.audit_log WHERE action = 'POST /api/v1/certificates/:serial/freeze' AND target = $1 AND outcome = 'success'", [cert.body.serial]);
    expect(frozen).toEqual({ client_id: call[0].client_id, actor: 'cert-service' });
    // Each event exactly once.
    const { rows: once } = await p.db.query("SELECT details->>'eventId' AS id, count(*)::int AS n FROM gateway.audit_log WHERE action LIKE 'event.%' GROUP BY 1 HAVING count(*) > 1");
    expect(once).toEqual([]);
  });

  it('audits workflow events signed by the workflow-service, and no forged event', async () => {
    const nc = await connectNats(p.config.NATS_URL, 'audit-test-publisher');
    try {
      const js = jetstream(nc);
      const publish = async (type: string, signer?: BusIdentity) => {
        const event: DomainEvent = { id: randomUUID(), type, version: 1, occurredAt: new Date().toISOString(), aggregateId: `app-${randomUUID()}`, data: { step: 'submitted' } };
        const body = new TextEncoder().encode(JSON.stringify(event));
        const h = natsHeaders();
        if (signer) {
          h.set(EVENT_SIGNER_HEADER, signer.principal);
          h.set(EVENT_SIGNATURE_HEADER, signer.signBytes(body));
        }
        await js.publish(eventSubject(type), body, { msgID: event.id, headers: h });
        return event;
      };
      const forged = await publish('application.approved');
      const genuine = await publish('application.submitted', BusIdentity.fromConfig(p.config, 'workflow-service'));
      const row = await waitFor(async () => (await p.db.query('SELECT actor, action FROM gateway.audit_log WHERE target = $1', [genuine.aggregateId])).rows[0], 20_000);
      expect(row).toEqual({ actor: 'workflow-service', action: 'event.application.submitted' });
      // Delivered in stream order: the forged one came first and was refused.
      expect((await p.db.query('SELECT 1 FROM gateway.audit_log WHERE target = $1', [forged.aggregateId])).rows).toEqual([]);
    } finally {
      await nc.close();
    }
  });

  it('audits the bulk lane (certificate.invalidated) through its own consumer into the same inbox, and refuses a freeze sent on it', async () => {
    const nc = await connectNats(p.config.NATS_URL, 'audit-test-bulk-publisher');
    try {
      const js = jetstream(nc);
      const cert = BusIdentity.fromConfig(p.config, 'cert-service');
      const publish = async (type: string, subject: string) => {
        const serial = randomUUID().replace(/-/g, '');
        const event: DomainEvent = { id: randomUUID(), type, version: 1, occurredAt: new Date().toISOString(), aggregateId: serial, data: { serial, regionCode: '450100', version: 2 } };
        const body = new TextEncoder().encode(JSON.stringify(event));
        const h = natsHeaders();
        h.set(EVENT_SIGNER_HEADER, cert.principal);
        h.set(EVENT_SIGNATURE_HEADER, cert.signBytes(body));
        await js.publish(subject, body, { msgID: event.id, headers: h });
        return event;
      };
      // Genuinely signed, but a freeze has no business on the bulk lane (nor would the server let
      // the cert-service's credentials publish there: deploy/nats).
      const misrouted = await publish('certificate.frozen', `${natsPrefix}.bulk.v1.certificate.frozen`);
      const invalidated = await publish('certificate.invalidated', bulkEventSubject('certificate.invalidated'));
      const row = await waitFor(async () => (await p.db.query('SELECT actor, action FROM gateway.audit_log WHERE target = $1', [invalidated.aggregateId])).rows[0], 20_000);
      expect(row).toEqual({ actor: 'cert-service', action: 'event.certificate.invalidated' });
      // One inbox per follower for both its lanes: recorded under the ordinary consumers' keys (audit, notifications).
      const inbox = await waitFor(async () => {
        const { rows } = await p.db.query('SELECT consumer FROM gateway.inbox WHERE event_id = $1 ORDER BY consumer', [invalidated.id]);
        return rows.length === 2 && rows;
      }, 20_000);
      expect(inbox.map((r: { consumer: string }) => r.consumer)).toEqual([durableConsumers().gatewayAudit.name, durableConsumers().gatewayNotifications.name].sort());
      // The bulk consumer reads in its stream order: the misrouted freeze came first and was refused.
      expect((await p.db.query('SELECT 1 FROM gateway.audit_log WHERE target = $1', [misrouted.aggregateId])).rows).toEqual([]);
      expect((await p.db.query('SELECT 1 FROM gateway.inbox WHERE event_id = $1', [misrouted.id])).rows).toEqual([]);
    } finally {
      await nc.close();
    }
  });

  it('writes at most two records per address and minute for anonymous refusals', async () => {
    const before = await headSeq();
    const firstMinute = Math.floor(Date.now() / 60_000);
    const results = await Promise.all(Array.from({ length: 200 }, () => api(p.baseUrl, 'GET', '/api/v1/certificates', undefined, none)));
    // On a slow machine the calls may span a minute boundary: two records for each minute they touched.
    const minutes = Math.floor(Date.now() / 60_000) - firstMinute + 1;
    expect(results.every((r) => r.status === 401)).toBe(true);
    await p.gateway!.get(AnonymousRefusals).flush();
    const { rows } = await p.db.query("SELECT details FROM gateway.audit_log WHERE seq > $1 AND action = 'access.refused' ORDER BY seq", [before]);
    expect(rows.length).toBeLessThanOrEqual(2 * minutes);
    // the first in full, the other 199 counted in the minute's summary
    expect(rows.reduce((n, r) => n + (r.details.repeated ?? 1), 0)).toBe(200);
  });

  it('pages the trail newest first with next/after, unaffected by records appended meanwhile', async () => {
    const { rows } = await p.db.query('SELECT seq::int AS seq FROM gateway.audit_log ORDER BY seq DESC LIMIT 4');
    const first = await api(p.baseUrl, 'GET', '/api/v1/audit?pageSize=2');
    expect(first.status).toBe(200);
    expect(first.body.items.map((r: { seq: number }) => r.seq)).toEqual(rows.slice(0, 2).map((r) => r.seq));
    expect(first.body.total).toBeGreaterThanOrEqual(4);
    // A change appends records at the top; the cursor continues below page 1 all the same.
    expect((await api(p.baseUrl, 'POST', '/api/v1/clients', { name: 'paging', department: 'audit', operations: ['certificates:read'] })).status).toBe(201);
    const second = await api(p.baseUrl, 'GET', `/api/v1/audit?pageSize=2&after=${first.body.next}`);
    expect(second.status).toBe(200);
    expect(second.body.items.map((r: { seq: number }) => r.seq)).toEqual(rows.slice(2, 4).map((r) => r.seq));
    expect(second.body.total).toBeUndefined();
    // The one page query of every list: at most 100 a page.
    expect((await api(p.baseUrl, 'GET', '/api/v1/audit?pageSize=500')).body).toMatchObject({ status: 400, field: 'pageSize' });
    expect((await api(p.baseUrl, 'GET', '/api/v1/audit?after=not-a-cursor')).body).toMatchObject({ status: 400, field: 'after' });
  });

  it('keeps one strict chain under concurrent changes', async () => {
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => api(p.baseUrl, 'POST', '/api/v1/clients', { name: `load ${i}`, department: 'audit', operations: ['certificates:read'] })));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const v = await auditVerify(p.config);
    expect(v.break).toBeUndefined();
    expect(v.checked).toBe(await headSeq());
  });
});

describe('tamper evidence (audit:verify)', () => {
  let head: number;
  let auditorDir: string;
  let auditorKey: string;

  it('signs checkpoints an auditor can fetch, keep and verify with the public key alone', async () => {
    const signed = (await p.gateway!.get(AuditCheckpointer).checkpoint())!;
    // The head when it was signed: a late event or refusal summary may have been appended since.
    expect(signed.checkpoint.seq).toBeLessThanOrEqual(await headSeq());
    const { rows: signedRecord } = await p.db.query('SELECT hash FROM gateway.audit_log WHERE seq = $1', [signed.checkpoint.seq]);
    expect(signedRecord[0].hash).toBe(signed.checkpoint.hash);
    const file = join(auditCheckpointDirectory(p.config.ECERT_AUDIT_CHECKPOINT_DIR, signed.checkpoint.chain), `checkpoint-${String(signed.checkpoint.seq).padStart(15, '0')}.json`);
    expect(existsSync(file)).toBe(true);
    // The auditor's copies: the key and the checkpoints over the API, kept in a directory of their own.
    const key = await api(p.baseUrl, 'GET', '/api/v1/audit/checkpoint-key');
    expect(key.status).toBe(200);
    expect(key.body).toMatchObject({ algorithm: 'Ed25519', chain: signed.checkpoint.chain });
    auditorKey = key.body.publicKeyPem;
    const list = await api(p.baseUrl, 'GET', '/api/v1/audit/checkpoints?after=0');
    expect(list.body.items.at(-1)).toEqual(signed);
    auditorDir = join(dir.path, 'auditor');
    for (const cp of list.body.items) await writeAuditCheckpointFile(auditorDir, cp);
    const v = await auditVerify(p.config, { checkpointDirs: [auditorDir], publicKeyPem: auditorKey, withoutMacKey: true });
    expect(v.break).toBeUndefined();
    expect(v.checkpoints.verified).toBeGreaterThanOrEqual(1);
  });

  describe('with the gateway quiet (its shutdown sequence: every record written and checkpointed)', () => {
    let snapshot: Record<string, unknown>[];
    let checkpoints: Record<string, unknown>[];
    let cpDir: string;
    let cpFiles: string[];

    beforeAll(async () => {
      await p.gateway!.get(AuditLifecycle).beforeApplicationShutdown();
      head = await headSeq();
      snapshot = (await p.db.query('SELECT * FROM gateway.audit_log ORDER BY seq')).rows;
      checkpoints = (await p.db.query('SELECT * FROM gateway.audit_checkpoint ORDER BY seq')).rows;
      expect(Number(checkpoints.at(-1)!.seq)).toBe(head);
      cpDir = auditCheckpointDirectory(p.config.ECERT_AUDIT_CHECKPOINT_DIR, p.gateway!.get(AuditCheckpointer).chain);
      cpFiles = readdirSync(cpDir);
    });

    /** Puts the tables (and the checkpoint files, for the tests that make new ones) back as they were before the tampering. */
    async function restore() {
      await p.db.query('DELETE FROM gateway.audit_log');
      await p.db.query('INSERT INTO gateway.audit_log SELECT * FROM json_populate_recordset(null::gateway.audit_log, $1)', [JSON.stringify(snapshot)]);
      await p.db.query('DELETE FROM gateway.audit_checkpoint');
      await p.db.query('INSERT INTO gateway.audit_checkpoint SELECT * FROM json_populate_recordset(null::gateway.audit_checkpoint, $1)', [JSON.stringify(checkpoints)]);
      for (const f of readdirSync(cpDir)) if (!cpFiles.includes(f)) rmSync(join(cpDir, f));
      expect((await auditVerify(p.config)).break).toBeUndefined();
    }

    /** What an attacker without the key can do: re-hash records from `from` on with SHA-256 (optionally editing one), labelled `alg`. */
    async function rehash(from: number, alg: AuditAlgorithm, editSeq?: number) {
      const rows = (await p.db.query('SELECT * FROM gateway.audit_log WHERE seq >= $1 ORDER BY seq', [from])).rows;
      let prev = from === 1 ? '0'.repeat(64) : (await p.db.query('SELECT hash FROM gateway.audit_log WHERE seq = $1', [from - 1])).rows[0].hash;
      for (const row of rows) {
        const r = toStoredRecord({ ...row, alg });
        const outcome = r.seq === editSeq ? 'failure' : r.outcome;
        const { hash: _h, alg: _a, actor, ...body } = { ...r, outcome, prevHash: prev };
        // SHA-256 is all an attacker without the key can compute.
        const hash = auditHash(alg === 'sha256' ? body : { ...body, actor });
        await p.db.query('UPDATE gateway.audit_log SET outcome = $2, prev_hash = $3, hash = $4, alg = $5, actor = $6 WHERE seq = $1', [r.seq, outcome, prev, hash, alg, alg === 'sha256' ? null : actor]);
        prev = hash;
      }
    }

    /** A checkpointer of the running gateway's chain and keys whose log the test reads. */
    function checkpointerWithLog(config = p.config) {
      const lines: { level: number; msg: string }[] = [];
      const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
      const checkpointer = new AuditCheckpointer(config, p.gateway!.get(GATEWAY_DATA_SOURCE), logger, p.gateway!.get(AUDIT_KEYS));
      const security = () => lines.filter((l) => l.level >= 50 && l.msg.startsWith('SECURITY')).map((l) => l.msg);
      return { checkpointer, security };
    }

    it('is intact before anything is touched, every record anchored', async () => {
      const v = await auditVerify(p.config);
      expect(v.break).toBeUndefined();
      expect(v.checked).toBe(head);
      expect(v.unanchored).toBe(0);
    });

    it('detects an edited record', async () => {
      const victim = head - 5;
      await p.db.query("UPDATE gateway.audit_log SET outcome = 'failure', details = '{}' WHERE seq = $1", [victim]);
      expect((await auditVerify(p.config)).break).toMatchObject({ seq: victim, reason: 'hash_mismatch' });
      await restore();
    });

    it('detects an edit whose author re-hashed the rest without the key', async () => {
      const victim = head - 5;
      await rehash(victim, 'hmac-sha256', victim);
      expect((await auditVerify(p.config)).break).toMatchObject({ seq: victim, reason: 'hash_mismatch' });
      await restore();
      await rehash(victim, 'sha256', victim);
      expect((await auditVerify(p.config)).break).toMatchObject({ seq: victim, reason: 'downgraded' });
      await restore();
      // The whole chain passed off as unkeyed: it links up, but this deployment has no unkeyed
      // records (ECERT_AUDIT_LEGACY_UNTIL=0), and it contradicts the signed checkpoints.
      await rehash(1, 'sha256', victim);
      expect((await auditVerify(p.config)).break).toMatchObject({ seq: 1, reason: 'downgraded' });
      expect((await auditVerify({ ...p.config, ECERT_AUDIT_LEGACY_UNTIL: head })).break?.reason).toBe('checkpoint_mismatch');
      await restore();
    });

    it('detects the whole chain re-hashed as unkeyed with every checkpoint the attacker can reach deleted', async () => {
      // The attacker writes the database but holds neither the key nor the checkpoint files.
      await rehash(1, 'sha256', head - 5);
      await p.db.query('DELETE FROM gateway.audit_checkpoint');
      const v = await auditVerify(p.config, { checkpointDirs: [join(dir.path, 'no-checkpoints-here')] });
      expect(v.checkpoints.verified).toBe(0);
      expect(v.break).toMatchObject({ seq: 1, reason: 'downgraded' });
      expect(v.legacyUntil).toBe(0);
      await restore();
    });

    it('detects a deleted record', async () => {
      const victim = head - 3;
      await p.db.query('DELETE FROM gateway.audit_log WHERE seq = $1', [victim]);
      expect((await auditVerify(p.config)).break).toMatchObject({ seq: victim, reason: 'sequence_gap' });
      await restore();
    });

    it('detects a cut tail from the checkpoints kept outside the database', async () => {
      // The attacker cuts the last records and the database's own checkpoints with them.
      await p.db.query('DELETE FROM gateway.audit_log WHERE seq > $1', [head - 3]);
      await p.db.query('DELETE FROM gateway.audit_checkpoint');
      const v = await auditVerify(p.config);
      expect(v.break).toMatchObject({ seq: head - 2, reason: 'truncated' });
      // The first kept checkpoint beyond the cut: the head's, or an earlier one above the cut.
      expect(Number(/names record (\d+)/.exec(v.break?.detail ?? '')?.[1])).toBeGreaterThan(head - 3);
      // The auditor's copies (fetched earlier) catch it too, if the cut reaches back to them.
      await p.db.query('DELETE FROM gateway.audit_log WHERE seq > 1');
      expect((await auditVerify(p.config, { checkpointDirs: [auditorDir], publicKeyPem: auditorKey, withoutMacKey: true })).break?.reason).toBe('truncated');
      await restore();
    });

    it('keeps checkpointing past junk rows in the checkpoint table, trusting only checkpoints that verify', async () => {
      const { checkpointer, security } = checkpointerWithLog();
      const genuine = checkpoints.at(-1)!;
      const huge = 1_000_000_000_000;
      // Garbage, and a genuine checkpoint copied under a seq it does not sign.
      await p.db.query(`INSERT INTO gateway.audit_checkpoint (seq, hash, at, checkpoint, algorithm, signature) VALUES ($1, repeat('0', 64), now(), '{}', 'Ed25519', '')`, [huge]);
      await p.db.query('INSERT INTO gateway.audit_checkpoint (seq, hash, at, checkpoint, algorithm, signature) VALUES ($1, $2, $3, $4, $5, $6)', [
        huge + 1,
        genuine.hash,
        genuine.at,
        JSON.stringify(genuine.checkpoint),
        genuine.algorithm,
        genuine.signature,
      ]);
      // Nothing new to anchor: the genuine checkpoint at the head is found below the junk.
      expect(await checkpointer.checkpoint()).toBeUndefined();
      await p.gateway!.get(AuditTrail).append({ action: 'test.after-junk', outcome: 'success' });
      const signed = await checkpointer.checkpoint();
      expect(signed?.checkpoint.seq).toBe(head + 1);
      expect((await p.db.query('SELECT 1 FROM gateway.audit_checkpoint WHERE seq = $1', [head + 1])).rows).toHaveLength(1);
      expect(security().some((m) => m.includes('2 rows of gateway.audit_checkpoint') && m.includes('not signed checkpoints'))).toBe(true);
      await restore();
    });

    it('tells at the first checkpoint when unkeyed records lie beyond ECERT_AUDIT_LEGACY_UNTIL (an upgrade not configured)', async () => {
      await p.db.query("UPDATE gateway.audit_log SET alg = 'sha256' WHERE seq = 1");
      await p.gateway!.get(AuditTrail).append({ action: 'test.boundary', outcome: 'success' });
      const unset = checkpointerWithLog();
      await unset.checkpointer.checkpoint();
      expect(unset.security().some((m) => m.includes('record 1 is unkeyed but ECERT_AUDIT_LEGACY_UNTIL is 0'))).toBe(true);
      const set = checkpointerWithLog({ ...p.config, ECERT_AUDIT_LEGACY_UNTIL: 1 });
      await p.gateway!.get(AuditTrail).append({ action: 'test.boundary', outcome: 'success' });
      await set.checkpointer.checkpoint();
      expect(set.security()).toEqual([]);
      await restore();
    });

    it('raises a SECURITY error when the chain head is below the last signed checkpoint, and keeps checkpointing', async () => {
      const { checkpointer, security } = checkpointerWithLog();
      // The attacker cuts the tail but leaves the checkpoint table alone.
      await p.db.query('DELETE FROM gateway.audit_log WHERE seq > $1', [head - 3]);
      await checkpointer.checkpoint();
      expect(security().some((m) => m.includes(`ends at record ${head - 3}`) && m.includes(`names record ${head}`) && m.includes('cut off'))).toBe(true);
      // New records are still anchored, without replacing the evidence of the cut.
      await p.gateway!.get(AuditTrail).append({ action: 'test.after-cut', outcome: 'success' });
      const signed = await checkpointer.checkpoint();
      expect(signed?.checkpoint.seq).toBe(head - 2);
      expect(readdirSync(cpDir)).toEqual(expect.arrayContaining(cpFiles));
      expect((await p.db.query('SELECT 1 FROM gateway.audit_checkpoint WHERE seq = $1', [head])).rows).toHaveLength(1);
      // Signed once: the same head is not signed again every round.
      expect(await checkpointer.checkpoint()).toBeUndefined();
      expect((await auditVerify(p.config)).break?.reason).toMatch(/^(truncated|checkpoint_conflict|checkpoint_mismatch)$/);
      await restore();
    });
  });
});
