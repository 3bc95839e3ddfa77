import type pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { durableConsumers, eventsStreamName } from '@ecert/contracts';
import { natsServers } from '@ecert/messaging';
import { waitFor } from '../../support/http';
import { LIFECYCLE_KINDS, type Call } from './load';

export interface Report {
  scenario: string;
  calls: number;
  acknowledged: Record<string, number>;
  found: Record<string, number>;
  lost: string[];
  duplicated: string[];
  /** Duplicates by kind of call (or `event`, `seal state`). */
  duplicatedByKind: Record<string, number>;
  halfWritten: string[];
  /** Answers that are neither 2xx nor a clean 503 problem (a 500, no answer, an unexpected 4xx). */
  unclean: string[];
  status: Record<string, number>;
  /** Answers to the retries with the same Idempotency-Key, by kind and status. */
  retries: Record<string, number>;
  events: { outbox: number; inStream: number; unpublished: number };
  recoveredMs?: number;
}

const is2xx = (c: Call) => c.status >= 200 && c.status < 300;

/** A clean refusal while a dependency is down: 503 problem+json with a code, never a 500 or a hang. */
export const isClean503 = (c: Call) => c.status === 503 && c.contentType.startsWith('application/problem+json') && typeof c.code === 'string';

/**
 * The one 500 the gateway means to send: the change was made but its outcome record could not be
 * written (apps/gateway/src/audit/audit.interceptor.ts). A retry with the same Idempotency-Key
 * must then return the original answer; the checker holds it to that.
 */
export const isAuditUnavailable = (c: Call) => c.status === 500 && c.code === 'audit_unavailable' && c.contentType.startsWith('application/problem+json');

/**
 * Every message of the run's events stream, counted by event id (the payload's, not the Nats-Msg-Id).
 * `natsUrl` may list a cluster's nodes: any one that still runs reads the replicated stream.
 */
async function streamEventCounts(natsUrl: string): Promise<Map<string, number>> {
  const nc = await connect({ servers: natsServers(natsUrl) });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = eventsStreamName();
    const info = await jsm.streams.info(stream);
    const counts = new Map<string, number>();
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (!m) continue;
      const id = (m.json() as { id: string }).id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  } finally {
    await nc.close();
  }
}

async function rows<T = Record<string, unknown>>(db: pg.Pool, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, params)).rows as T[];
}

/**
 * Compares what the clients were told (every 2xx) with what is there afterwards: the row, its
 * history, its events (committed, published to JetStream once, applied by each consumer once)
 * and its audit records. Also looks for what must not exist: a second certificate for one
 * request, a certificate without its history or event, an event twice in the stream.
 */
export interface CheckOptions {
  consumers?: ('seal' | 'gateway')[];
  /**
   * Calls left without an answer because the fault took their gateway away mid-call (a killed
   * gateway): not unclean, their outcome is unknown, and their retries with the key are checked.
   */
  cutOff?: (c: Call) => boolean;
}

export async function check(scenario: string, calls: Call[], db: pg.Pool, natsUrl: string, opts: CheckOptions = {}): Promise<Report> {
  const consumers = opts.consumers ?? ['seal', 'gateway'];
  const lost: string[] = [];
  const duplicated: string[] = [];
  const duplicatedByKind: Record<string, number> = {};
  const duplicate = (kind: string, what: string) => {
    duplicated.push(what);
    duplicatedByKind[kind] = (duplicatedByKind[kind] ?? 0) + 1;
  };
  const halfWritten: string[] = [];
  const unclean: string[] = [];
  const acknowledged: Record<string, number> = {};
  const found: Record<string, number> = {};
  const status: Record<string, number> = {};
  const retries: Record<string, number> = {};
  for (const c of calls) {
    if (c.retryOf) {
      const k = `${c.kind} ${c.status}${is2xx(c) ? '' : ` ${c.code}`}`;
      retries[k] = (retries[k] ?? 0) + 1;
      if (is2xx(c.retryOf) && (!is2xx(c) || c.ref !== c.retryOf.ref)) lost.push(`${c.kind} ${c.idempotencyKey}: first answered ${c.retryOf.status} ${c.retryOf.ref}, the retry ${c.status} ${c.ref ?? c.code}`);
      if (isAuditUnavailable(c.retryOf) && !is2xx(c)) lost.push(`${c.kind} ${c.idempotencyKey}: audit_unavailable, and the retry got ${c.status} ${c.code} instead of the original answer`);
      if (!is2xx(c) && c.status !== 409 && !isClean503(c)) unclean.push(`retry of ${c.kind} ${c.path} → ${c.status} ${c.code ?? ''}`);
    } else status[c.status] = (status[c.status] ?? 0) + 1;
    if (is2xx(c) && !(c.retryOf && is2xx(c.retryOf))) acknowledged[c.kind] = (acknowledged[c.kind] ?? 0) + 1;
    else if (!c.retryOf && !is2xx(c) && !isClean503(c) && !isAuditUnavailable(c) && !opts.cutOff?.(c)) {
      unclean.push(`${c.kind} ${c.path} → ${c.status} ${c.code ?? ''} ${c.contentType} after ${c.ms} ms`);
    }
  }

  // Every event committed must get out: wait for the relays (and the consumers) to catch up.
  const outboxSql = ['cert', 'workflow', 'seal'].map((schema) => `SELECT id::text, type, aggregate_id, published_at FROM ${schema}.outbox`).join(' UNION ALL ');
  await waitFor(async () => (await rows(db, `SELECT 1 FROM (${outboxSql}) o WHERE published_at IS NULL`)).length === 0, 60_000, 500).catch(() => undefined);
  const consumerName = { seal: durableConsumers().sealCertificates.name, gateway: durableConsumers().gatewayAudit.name };
  const inboxSql = (who: 'seal' | 'gateway') => `SELECT event_id::text AS id FROM ${who}.inbox WHERE consumer = '${consumerName[who]}'`;
  const applied = async () => {
    const out = new Map<string, Set<string>>();
    for (const who of consumers) out.set(who, new Set((await rows<{ id: string }>(db, inboxSql(who))).map((r) => r.id)));
    return out;
  };
  type OutboxRow = { id: string; type: string; aggregate_id: string; published_at: Date | null };
  const needs = (who: string, type: string) => who === 'gateway' || type.startsWith('certificate.');
  // Consumers still catching up (a restarted seal-service applying the certificate events it
  // missed) write events of their own: wait until the outboxes stop growing, all published and
  // all applied, before reading them for the comparison.
  let outbox: OutboxRow[] = [];
  const idsOf = (list: OutboxRow[]) => list.map((e) => e.id).sort().join(',');
  await waitFor(async () => {
    const before = idsOf(outbox);
    outbox = await rows<OutboxRow>(db, outboxSql);
    const a = await applied();
    return idsOf(outbox) === before && outbox.every((e) => e.published_at && consumers.every((who) => !needs(who, e.type) || a.get(who)!.has(e.id)));
  }, 60_000, 500).catch(() => undefined);
  const inbox = await applied();
  const stream = await streamEventCounts(natsUrl);
  // Read after the stream: every message in it came from a row committed before, so a stream
  // message missing from this read is a real stray, not one written after the first read.
  const outboxAfterStream = await rows<OutboxRow>(db, outboxSql);
  const eventAudits = new Map((await rows<{ id: string; n: number }>(db, "SELECT details->>'eventId' AS id, count(*)::int AS n FROM gateway.audit_log WHERE action LIKE 'event.%' GROUP BY 1")).map((r) => [r.id, r.n]));
  let unpublished = 0;
  for (const e of outbox) {
    const what = `${e.type} ${e.aggregate_id} (event ${e.id})`;
    if (!e.published_at) {
      unpublished++;
      halfWritten.push(`${what}: committed, never published`);
    }
    const n = stream.get(e.id) ?? 0;
    if (n === 0) lost.push(`${what}: not in the JetStream stream`);
    if (n > 1) duplicate('event', `${what}: ${n} times in the stream`);
    for (const who of consumers) if (needs(who, e.type) && !inbox.get(who)!.has(e.id)) lost.push(`${what}: never applied by the ${who} consumer`);
    if (consumers.includes('gateway')) {
      const a = eventAudits.get(e.id) ?? 0;
      if (a === 0) lost.push(`${what}: 0 audit records of the event`);
      if (a > 1) duplicate('event', `${what}: ${a} audit records of the event`);
    }
  }
  const outboxIds = new Set(outboxAfterStream.map((e) => e.id));
  for (const id of stream.keys()) if (!outboxIds.has(id)) duplicate('event', `event ${id} in the stream but in no outbox`);

  // Certificates: one per issuance request at most, exactly one per acknowledged one, and each
  // whole (history row, certificate.issued event).
  const certs = await rows<{ serial: string; uscc: string; status: string; history: number; issued: number }>(
    db,
    `SELECT c.serial, c.uscc, c.status,
       (SELECT count(*)::int FROM cert.certificate_history h WHERE h.serial = c.serial AND h.action = 'issue') AS history,
       (SELECT count(*)::int FROM cert.outbox o WHERE o.aggregate_id = c.serial AND o.type = 'certificate.issued') AS issued
     FROM cert.certificate c`,
  );
  const byUscc = new Map<string, typeof certs>();
  for (const c of certs) byUscc.set(c.uscc, [...(byUscc.get(c.uscc) ?? []), c]);
  for (const c of certs) if (c.history !== 1 || c.issued !== 1) halfWritten.push(`certificate ${c.serial}: ${c.history} issue history rows, ${c.issued} certificate.issued events`);
  const audits = await rows<{ action: string; target: string | null; outcome: string; request_id: string }>(db, "SELECT action, target, outcome, request_id FROM gateway.audit_log WHERE request_id LIKE 'fault-%'");
  const auditOf = (c: Call, target: string | undefined) => audits.filter((a) => a.action.startsWith('POST ') && a.request_id === c.requestId && a.outcome === 'success' && a.target === (target ?? null));
  // Calls made straight to a use case (no HTTP, so no gateway audit record).
  const audited = (c: Call, target: string | undefined) => (c.path.startsWith('direct:') ? 1 : auditOf(c, target).length);
  const history = await rows<{ serial: string; action: string; request_id: string | null }>(db, "SELECT serial, action, request_id FROM cert.certificate_history WHERE action IN ('freeze','unfreeze','revoke')");
  const lifecycleEvents = await rows<{ aggregate_id: string; type: string; request_id: string }>(db, "SELECT aggregate_id, type, payload->>'requestId' AS request_id FROM cert.outbox WHERE type IN ('certificate.frozen','certificate.unfrozen','certificate.revoked')");
  const apps = await rows<{ id: string; uscc: string }>(db, 'SELECT id::text, uscc FROM workflow.application');
  const seals = await rows<{ id: string; name: string; status: string; certificate_serial: string; created: number; createdEvents: number }>(
    db,
    `SELECT s.id::text, s.name, s.status, s.certificate_serial,
       (SELECT count(*)::int FROM seal.seal_history h WHERE h.seal_id = s.id AND h.action = 'create') AS created,
       (SELECT count(*)::int FROM seal.outbox o WHERE o.aggregate_id = s.id::text AND o.type = 'seal.created') AS "createdEvents"
     FROM seal.seal s`,
  );
  const appsByUscc = new Map<string, number>();
  for (const a of apps) appsByUscc.set(a.uscc, (appsByUscc.get(a.uscc) ?? 0) + 1);

  for (const c of calls) {
    if (c.retryOf && is2xx(c.retryOf)) continue;
    const requestIds = [c.requestId, c.retryOf?.requestId];
    const uscc = (c.body as { unit?: { uscc?: string } }).unit?.uscc;
    if (c.kind === 'issue') {
      const mine = byUscc.get(uscc!) ?? [];
      if (mine.length > 1) duplicate('issue', `issuance ${c.idempotencyKey}: ${mine.length} certificates for one request`);
      if (!is2xx(c)) continue;
      const ok = mine.length === 1 && mine[0].serial === c.ref;
      if (!ok) lost.push(`issuance ${c.idempotencyKey} answered ${c.status} ${c.ref}: ${mine.length} certificates found`);
      else if (audited(c, c.ref) !== 1) lost.push(`issuance ${c.ref}: ${auditOf(c, c.ref).length} success audit records`);
      else found.issue = (found.issue ?? 0) + 1;
    } else if (LIFECYCLE_KINDS.has(c.kind)) {
      const h = history.filter((r) => r.serial === c.target && r.action === c.kind && requestIds.includes(r.request_id ?? ''));
      const ev = lifecycleEvents.filter((r) => r.aggregate_id === c.target && requestIds.includes(r.request_id));
      if (h.length > 1 || ev.length > 1) duplicate(c.kind, `${c.kind} ${c.target}: ${h.length} history rows, ${ev.length} events for one request`);
      if (!is2xx(c)) {
        if (c.retryOf) continue;
        if (h.length !== ev.length) halfWritten.push(`${c.kind} ${c.target} (answered ${c.status}): ${h.length} history rows, ${ev.length} events`);
        continue;
      }
      if (h.length !== 1 || ev.length !== 1) lost.push(`${c.kind} ${c.target}: ${h.length} history rows, ${ev.length} events`);
      else if (audited(c, c.target) !== 1) lost.push(`${c.kind} ${c.target}: ${auditOf(c, c.target).length} success audit records`);
      else found[c.kind] = (found[c.kind] ?? 0) + 1;
    } else if (c.kind === 'application') {
      const n = appsByUscc.get(uscc!) ?? 0;
      if (n > 1) duplicate('application', `application for ${uscc}: ${n} rows for one request`);
      if (!is2xx(c)) continue;
      if (n !== 1 || !apps.some((a) => a.id === c.ref)) lost.push(`application ${c.ref}: ${n} rows`);
      else if (audited(c, c.ref) !== 1) lost.push(`application ${c.ref}: ${auditOf(c, c.ref).length} success audit records`);
      else found.application = (found.application ?? 0) + 1;
    } else if (c.kind === 'seal') {
      const name = (c.body as { name: string }).name;
      const mine = seals.filter((x) => x.name === name);
      if (mine.length > 1) duplicate('seal', `seal-making ${c.idempotencyKey}: ${mine.length} seals for one request`);
      for (const x of mine) if (x.created !== 1 || x.createdEvents !== 1) halfWritten.push(`seal ${x.id}: ${x.created} create history rows, ${x.createdEvents} seal.created events`);
      if (!is2xx(c)) continue;
      if (mine.length !== 1 || mine[0].id !== c.ref) lost.push(`seal-making ${c.idempotencyKey} answered ${c.status} ${c.ref}: ${mine.length} seals found`);
      else if (audited(c, c.ref) !== 1) lost.push(`seal ${c.ref}: ${auditOf(c, c.ref).length} success audit records`);
      else found.seal = (found.seal ?? 0) + 1;
    }
  }
  // The last acknowledged state of each certificate is the state it has — unless a later call cut
  // off by the fault (an unknown outcome) was carried out all the same: its history row says so.
  const last = new Map<string, string>();
  const carriedOut = (c: Call) => history.some((r) => r.serial === c.target && r.action === c.kind && r.request_id === c.requestId);
  for (const c of [...calls].sort((a, b) => a.startedAt - b.startedAt)) {
    if (!LIFECYCLE_KINDS.has(c.kind) || !c.target || (c.retryOf && is2xx(c.retryOf))) continue;
    if (is2xx(c)) last.set(c.target, (c.answer as { status?: string })?.status ?? '');
    else if (!c.retryOf && opts.cutOff?.(c) && carriedOut(c)) last.set(c.target, STATUS_AFTER[c.kind] ?? '');
  }
  for (const [serial, st] of last) {
    const row = certs.find((c) => c.serial === serial);
    if (row && st && row.status !== st) lost.push(`certificate ${serial}: acknowledged ${st}, found ${row.status}`);
  }
  checkSealsFollowed(certs, seals, acknowledged, found, lost);
  for (const d of await rows<{ seal_id: string; event_id: string; n: number }>(db, 'SELECT seal_id::text, event_id::text, count(*)::int AS n FROM seal.seal_history WHERE event_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1')) {
    duplicate('seal state', `seal ${d.seal_id}: certificate event ${d.event_id} applied ${d.n} times`);
  }
  // A seal's change made by a certificate event and its seal event commit together.
  for (const h of await rows<{ seal_id: string; event_id: string; action: string; events: number }>(
    db,
    `SELECT h.seal_id::text, h.event_id::text, h.action,
       (SELECT count(*)::int FROM seal.outbox o WHERE o.aggregate_id = h.seal_id::text AND o.payload->'data'->>'causeEventId' = h.event_id::text) AS events
     FROM seal.seal_history h WHERE h.event_id IS NOT NULL`,
  )) {
    if (h.events !== 1) halfWritten.push(`seal ${h.seal_id}: ${h.action} for certificate event ${h.event_id} with ${h.events} seal events`);
  }
  return { scenario, calls: calls.length, acknowledged, found, lost, duplicated, duplicatedByKind, halfWritten, unclean, status, retries, events: { outbox: outbox.length, inStream: [...stream.values()].reduce((a, b) => a + b, 0), unpublished } };
}

/** The status a lifecycle change leaves a certificate in. */
const STATUS_AFTER: Partial<Record<string, string>> = { freeze: 'frozen', unfreeze: 'active', revoke: 'revoked' };

/** What the seals of a certificate in each status must be (seal-service SealLifecycle's FOLLOW). */
const SEAL_STATUS_OF: Record<string, string> = { active: 'active', frozen: 'suspended', revoked: 'revoked', invalid: 'suspended' };

/**
 * Every seal (but a retired one) is in the state its certificate's status requires, once the
 * seal-service has applied every certificate event. Counted as the `seal state` row: seals there
 * are (acknowledged), seals in the right state (found).
 */
function checkSealsFollowed(certs: { serial: string; status: string }[], seals: { id: string; status: string; certificate_serial: string }[], acknowledged: Record<string, number>, found: Record<string, number>, lost: string[]): void {
  const statusOf = new Map(certs.map((c) => [c.serial, c.status]));
  for (const s of seals) {
    const want = SEAL_STATUS_OF[statusOf.get(s.certificate_serial) ?? ''];
    if (s.status === 'retired' || !want) continue;
    acknowledged['seal state'] = (acknowledged['seal state'] ?? 0) + 1;
    if (s.status === want) found['seal state'] = (found['seal state'] ?? 0) + 1;
    else lost.push(`seal ${s.id}: certificate ${s.certificate_serial} ${statusOf.get(s.certificate_serial)}, the seal ${s.status} (should be ${want})`);
  }
}

/** The table each scenario prints: what was acknowledged, what was found, and the difference. */
export function printReport(r: Report): void {
  const kinds = [...new Set([...Object.keys(r.acknowledged), ...Object.keys(r.found), ...Object.keys(r.duplicatedByKind)])].sort();
  const lines = [
    `── fault scenario: ${r.scenario}`,
    `   calls ${r.calls}; answers by status ${JSON.stringify(r.status)}; retries with the same Idempotency-Key ${JSON.stringify(r.retries)}${r.recoveredMs !== undefined ? `; recovered ${(r.recoveredMs / 1000).toFixed(1)} s after the fault ended` : ''}`,
    `   ${'kind'.padEnd(12)}${'acknowledged'.padStart(14)}${'found'.padStart(8)}${'lost'.padStart(6)}${'dup.'.padStart(6)}`,
    ...kinds.map(
      (k) => `   ${k.padEnd(12)}${String(r.acknowledged[k] ?? 0).padStart(14)}${String(r.found[k] ?? 0).padStart(8)}${String((r.acknowledged[k] ?? 0) - (r.found[k] ?? 0)).padStart(6)}${String(r.duplicatedByKind[k] ?? 0).padStart(6)}`,
    ),
    `   events: ${r.events.outbox} committed, ${r.events.inStream} in the stream, ${r.events.unpublished} unpublished`,
    `   lost ${r.lost.length}, duplicated ${r.duplicated.length}, half-written ${r.halfWritten.length}, unclean answers ${r.unclean.length}`,
    ...[...r.lost.map((x) => `   LOST ${x}`), ...r.duplicated.map((x) => `   DUPLICATED ${x}`), ...r.halfWritten.map((x) => `   HALF-WRITTEN ${x}`), ...r.unclean.map((x) => `   UNCLEAN ${x}`)].slice(0, 40),
  ];
  console.log(lines.join('\n'));
}
