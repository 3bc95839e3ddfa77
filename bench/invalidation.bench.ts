import { createHash } from 'node:crypto';
import pg from 'pg';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { createLogger, NATIONAL_SCOPE, requestContext, type EcertConfig } from '@ecert/common';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { durableConsumers, EVENTS_STREAM, natsPrefix, type DomainEvent } from '@ecert/contracts';
import { connectNats, durableConsumerConfig } from '@ecert/messaging';
import { CertServiceModule } from '../apps/cert-service/src/cert-service.module';
import { InvalidationRunner } from '../apps/cert-service/src/batch/invalidation/invalidation-runner.service';
import { FreezeCertificateUseCase } from '../apps/cert-service/src/certificates/usecases/freeze-certificate.use-case';
import { withMemoryPeaks, type MemoryPeaks } from './memory';
import { waitForQuiet } from './cpu';

/**
 * 第二十条 at scale (issue 12 §2): N certificates (default 10,000,000) generated set-based into
 * the bench database's cert.certificate (dummy 1-byte DER; the scans read the partial indexes, not
 * the rows' width), 1.2% of them due (1% idle two years, 0.1% lost two years, 0.1% expired two
 * years). The cert-service module runs in this process (Nest application context, the real relay
 * publishing to JetStream). Measured: the dry run (one aggregate query), the real run (chunks of
 * ECERT_BATCH_CHUNK_SIZE), while an ordinary freeze is made every second: how long the freeze
 * takes (it must not wait for the run's locks) and how long its event waits in the outbox while
 * the run's events drain (the bulk lane: never behind them). Peak RSS of every process throughout.
 * On the bus: a durable consumer with the seal-service's ordinary filter, read throughout, gives
 * each freeze's delay from commit to delivery there; a twin with its bulk filter, never read,
 * shows the run's events stayed out of that consumer's way (its backlog at the end).
 */
export interface InvalidationBenchResult {
  rows: number;
  due: number;
  chunkSize: number;
  insertMs: number;
  indexBuildMs: number;
  tableMb: number;
  indexMb: Record<string, number>;
  dryRun: { ms: number; total: number; memory: MemoryPeaks };
  realRun: { ms: number; flagged: number; flaggedPerS: number; scannedPerS: number; chunks: number; chunkRetries: number; memory: MemoryPeaks };
  /** Freezes beside the run that failed (a lock timeout while a complete CRL was built, say). */
  freezeFailures: string[];
  freezesDuringRun: ProbeStats;
  drain: { ms: number; events: number; eventsPerS: number; freezes: ProbeStats; memory: MemoryPeaks; complete: boolean };
  /**
   * The bus as a follower of certificate events sees it: the ordinary-lane consumer (the
   * seal-service's filter, read throughout) and the bulk-lane one (its bulk filter, never read).
   */
  consumers: {
    /** Events the ordinary consumer received, by type: no certificate.invalidated among them. */
    ordinaryByType: Record<string, number>;
    /** Freezes whose event had not reached the ordinary consumer when the bench ended. */
    undelivered: number;
    /** Messages waiting in the bulk consumer at the end (all the run's events: nobody read them). */
    bulkBacklog: number;
  };
}

export interface ProbeStats {
  count: number;
  /** Freeze use case: call to commit. */
  commitMs: { p50: number; p95: number; max: number };
  /** The freeze's event: commit to published (outbox published_at). */
  publishMs: { p50: number; p95: number; max: number };
  /** The freeze's event: commit (the row's status_changed_at, taken just before) to its delivery to the ordinary-lane consumer. */
  deliveryMs: { p50: number; p95: number; max: number };
}

const REGIONS = ['450100', '450200', '450300', '450400', '450500', '450600', '450700', '450800', '450900', '451000', '451100', '451200', '451300', '451400'];
const BATCH = 500_000;
/** One ordinary freeze per second beside the run: each also triggers a complete CRL of its CA. */
const PROBE_EVERY_MS = 1000;
const serialOf = (g: number) => '5' + createHash('md5').update(`inv${g}`).digest('hex').slice(1);

/** How many g in 1..n have g % m = r. */
function countMod(n: number, m: number, r: number): number {
  return r === 0 ? Math.floor(n / m) : n >= r ? Math.floor((n - r) / m) + 1 : 0;
}

function quantiles(xs: number[]): { p50: number; p95: number; max: number } {
  if (!xs.length) return { p50: 0, p95: 0, max: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: Math.round(at(0.5)), p95: Math.round(at(0.95)), max: Math.round(s[s.length - 1]!) };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

/** Rows g = 1..n; the CASEs decide which are due (see the header). */
const INSERT_SQL = `
  INSERT INTO "cert"."certificate" (serial, ca_id, profile, key_algorithm, status, subject, uscc, account_no, region_code, unit_name,
     not_before, not_after, der, status_changed_at, version, last_activity_at, frozen_at)
  SELECT '5' || substr(md5('inv' || g), 2), 'sm2-issuing', 'unit', 'SM2',
         CASE WHEN g % 1000 IN (1, 5) THEN 'frozen' ELSE 'active' END,
         'CN=bench ' || g, '91450100MA5KBENCH0', 'acct-' || g, ($4::text[])[1 + g % 14], '广西基准测试科技有限公司',
         CASE WHEN g % 10 = 3 THEN $3::timestamptz - (g % 600) * interval '1 day' ELSE $3::timestamptz - interval '30 months' END,
         CASE WHEN g % 1000 = 2 THEN $3::timestamptz - interval '25 months' ELSE $3::timestamptz + (1 + g % 700) * interval '1 day' END,
         '\\x00'::bytea, $3::timestamptz - interval '30 months', 1,
         CASE WHEN g % 100 = 0 THEN $3::timestamptz - interval '25 months' - (g % 1440) * interval '1 minute'
              WHEN g % 10 = 3 THEN NULL
              ELSE $3::timestamptz - (g % 680) * interval '1 day' END,
         CASE WHEN g % 1000 = 1 THEN $3::timestamptz - interval '25 months' WHEN g % 1000 = 5 THEN $3::timestamptz - interval '3 months' END
    FROM generate_series($1::int, $2::int) g`;

export async function runInvalidationBench(o: { config: EcertConfig; rows: number; quietWaitS: number; log: (s: string) => void; drainLimitS?: number }): Promise<InvalidationBenchResult> {
  const n = o.rows;
  // idle: g % 100 = 0; lost: g % 1000 = 1; expired: g % 1000 = 2
  const expectedDue = countMod(n, 100, 0) + countMod(n, 1000, 1) + countMod(n, 1000, 2);
  const logger = createLogger('cert-service-bench', 'warn');
  let app: INestApplicationContext | undefined;
  let nc: NatsConnection | undefined;
  let lanesStop: (() => Promise<void>) | undefined;
  const admin = new pg.Pool({ connectionString: o.config.DATABASE_URL, max: 2 });
  try {
    o.log('  booting the cert-service module in-process (migrations, CAs, relay) ...');
    app = await NestFactory.createApplicationContext(CertServiceModule.forRoot(o.config, logger), { logger: false, abortOnError: false });
    const runner = app.get(InvalidationRunner);
    const freeze = app.get(FreezeCertificateUseCase);
    const now = new Date();

    // Setup (not measured as the job): the certificate table's secondary indexes are dropped, the
    // rows inserted set-based, then the indexes rebuilt — a bench shortcut, timed on its own.
    const defs: { indexname: string; indexdef: string }[] = (
      await admin.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'cert' AND tablename = 'certificate' AND indexname <> 'certificate_pkey'`)
    ).rows;
    for (const d of defs) await admin.query(`DROP INDEX "cert"."${d.indexname}"`);
    o.log(`  inserting ${n.toLocaleString('en')} certificates (${expectedDue.toLocaleString('en')} due) ...`);
    const [, insertMs] = await timed(async () => {
      for (let start = 1; start <= n; start += BATCH) {
        const end = Math.min(n, start + BATCH - 1);
        await admin.query('SET statement_timeout = 0');
        await admin.query(INSERT_SQL, [start, end, now, REGIONS]);
        if (end % 2_000_000 === 0 || end === n) o.log(`    ${end.toLocaleString('en')} rows`);
      }
    });
    o.log(`  rebuilding ${defs.length} indexes ...`);
    const [, indexBuildMs] = await timed(async () => {
      await admin.query('SET statement_timeout = 0');
      await admin.query('SET maintenance_work_mem = \'256MB\'');
      for (const d of defs) await admin.query(d.indexdef);
      await admin.query('VACUUM ANALYZE "cert"."certificate"');
    });
    const sizes: { name: string; mb: number }[] = (
      await admin.query(
        `SELECT c.relname AS name, round(pg_relation_size(c.oid) / 1048576.0, 1)::float AS mb FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
          WHERE s.nspname = 'cert' AND (c.relname = 'certificate' OR c.relname LIKE 'certificate%idx' OR c.relname = 'certificate_pkey')`,
      )
    ).rows;
    const tableMb = sizes.find((s) => s.name === 'certificate')?.mb ?? 0;
    const indexMb = Object.fromEntries(sizes.filter((s) => s.name !== 'certificate').map((s) => [s.name, s.mb]));

    // Created now, from here on (deliver policy new): the run's and the freezes' events only.
    nc = await connectNats(o.config.NATS_URL, 'bench-lane-probe');
    const lanes = await laneProbe(nc);
    lanesStop = lanes.stop;

    await waitForQuiet(o.quietWaitS);
    o.log('  dry run ...');
    const [[dryCounts, dryMs], dryMem] = await withMemoryPeaks(() => timed(() => runner.dryRun(now)));
    const dryTotal = dryCounts.reduce((s, c) => s + c.count, 0);
    o.log(`    ${dryTotal.toLocaleString('en')} due in ${(dryMs / 1000).toFixed(2)} s`);

    // Ordinary freezes beside the run: certificates that are not due (g % 100 = 50 → active, recent activity).
    const probes: { serial: string; commitMs: number; committedAt: number }[] = [];
    let probeG = 50;
    let probing = true;
    const probeFailures: string[] = [];
    const probeLoop = (async () => {
      while (probing) {
        const serial = serialOf(probeG);
        probeG += 100;
        const t = performance.now();
        try {
          await requestContext.run({ requestId: `bench-freeze-${probeG}`, actor: 'bench', regions: [NATIONAL_SCOPE] }, () => freeze.execute({ serial, comment: 'bench' }));
          probes.push({ serial, commitMs: performance.now() - t, committedAt: Date.now() });
        } catch (e) {
          probeFailures.push((e as Error).message);
        }
        await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
      }
    })();
    const publishDelays = async (from: number, to: number) => {
      const slice = probes.slice(from, to);
      const { rows } = await admin.query(
        `SELECT aggregate_id, extract(epoch FROM (published_at - created_at)) * 1000 AS ms FROM "cert"."outbox" WHERE type = 'certificate.frozen' AND aggregate_id = ANY($1) AND published_at IS NOT NULL`,
        [slice.map((p) => p.serial)],
      );
      const { rows: committed } = await admin.query(`SELECT serial, status_changed_at FROM "cert"."certificate" WHERE serial = ANY($1)`, [slice.map((p) => p.serial)]);
      const delivery = committed.flatMap((r: { serial: string; status_changed_at: Date }) => {
        const at = lanes.deliveredAt.get(r.serial);
        return at === undefined ? [] : [at - r.status_changed_at.getTime()];
      });
      return { commit: slice.map((p) => p.commitMs), publish: rows.map((r: { ms: string }) => Number(r.ms)), delivery, unpublished: slice.length - rows.length, undelivered: slice.length - delivery.length };
    };

    await waitForQuiet(o.quietWaitS);
    o.log('  real run (a freeze every second beside it) ...');
    let chunks = 0;
    let chunkRetries = 0;
    const [[counts, runMs], runMem] = await withMemoryPeaks(() =>
      timed(() => runner.run(now, { requestId: 'bench-run', actor: { staffId: 'bench', clientId: null }, onChunk: () => void chunks++, onRetry: () => void chunkRetries++ })),
    );
    const flagged = counts.reduce((s, c) => s + c.count, 0);
    const duringRun = probes.length;
    o.log(`    ${flagged.toLocaleString('en')} made invalid in ${(runMs / 1000).toFixed(2)} s (${chunks} chunks), ${duringRun} freezes beside it`);

    o.log('  draining the bulk lane (freezes continue) ...');
    const limit = (o.drainLimitS ?? 600) * 1000;
    const backlog = async () => Number((await admin.query(`SELECT count(*) AS n FROM "cert"."outbox" WHERE published_at IS NULL AND lane = 1`)).rows[0].n);
    const startBacklog = await backlog();
    const [[drainMs, complete], drainMem] = await withMemoryPeaks(() =>
      timed(async () => {
        const t = Date.now();
        for (;;) {
          const left = await backlog();
          if (!left) return true;
          if (Date.now() - t > limit) return false;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }).then(([ok, ms]) => [ms, ok] as const),
    );
    probing = false;
    await probeLoop;
    await new Promise((r) => setTimeout(r, 1500));
    const run = await publishDelays(0, duringRun);
    const drain = await publishDelays(duringRun, probes.length);
    if (run.unpublished + drain.unpublished) o.log(`    ${run.unpublished + drain.unpublished} freeze events not yet published`);
    const published = startBacklog - (await backlog());
    const bulkBacklog = await lanes.bulkBacklog();
    o.log(`    ordinary-lane consumer received ${JSON.stringify(Object.fromEntries(lanes.byType))}; bulk-lane consumer backlog ${bulkBacklog.toLocaleString('en')}`);
    o.log(`    ${published.toLocaleString('en')} events published in ${(drainMs / 1000).toFixed(1)} s${complete ? '' : ' (limit reached)'}`);
    if (flagged !== expectedDue || dryTotal !== expectedDue) throw new Error(`expected ${expectedDue} due, dry run counted ${dryTotal}, real run flagged ${flagged}`);
    return {
      rows: n,
      due: expectedDue,
      chunkSize: o.config.ECERT_BATCH_CHUNK_SIZE,
      insertMs: Math.round(insertMs),
      indexBuildMs: Math.round(indexBuildMs),
      tableMb,
      indexMb,
      dryRun: { ms: Math.round(dryMs), total: dryTotal, memory: dryMem },
      realRun: { ms: Math.round(runMs), flagged, flaggedPerS: Math.round(flagged / (runMs / 1000)), scannedPerS: Math.round(n / (runMs / 1000)), chunks, chunkRetries, memory: runMem },
      freezeFailures: probeFailures,
      freezesDuringRun: { count: run.commit.length, commitMs: quantiles(run.commit), publishMs: quantiles(run.publish), deliveryMs: quantiles(run.delivery) },
      drain: {
        ms: Math.round(drainMs),
        events: published,
        eventsPerS: Math.round(published / (drainMs / 1000)),
        freezes: { count: drain.commit.length, commitMs: quantiles(drain.commit), publishMs: quantiles(drain.publish), deliveryMs: quantiles(drain.delivery) },
        memory: drainMem,
        complete,
      },
      consumers: { ordinaryByType: Object.fromEntries(lanes.byType), undelivered: run.undelivered + drain.undelivered, bulkBacklog },
    };
  } finally {
    await lanesStop?.();
    await nc?.drain().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
}

/**
 * Two durable consumers of the bench's own (deleted with its stream): one with the seal-service's
 * ordinary filter, read and acked as fast as it comes (when each freeze reached it), and one with
 * its bulk filter that nobody reads (what a follower still had to work through at the end).
 */
async function laneProbe(nc: NatsConnection) {
  const jsm = await jetstreamManager(nc);
  const seal = durableConsumers();
  const ordinary = { name: `${natsPrefix}-bench-ordinary-lane`, filterSubject: seal.sealCertificates.filterSubject, deliverPolicy: 'new' as const };
  const bulk = { name: `${natsPrefix}-bench-bulk-lane`, filterSubject: seal.sealCertificatesBulk.filterSubject, deliverPolicy: 'new' as const };
  for (const c of [ordinary, bulk]) await jsm.consumers.add(EVENTS_STREAM, durableConsumerConfig(c));
  const deliveredAt = new Map<string, number>();
  const byType = new Map<string, number>();
  const messages = await (await jetstream(nc).consumers.get(EVENTS_STREAM, ordinary.name)).consume({ max_messages: 100 });
  const loop = (async () => {
    for await (const m of messages) {
      const at = Date.now();
      const e = m.json<DomainEvent<string, { serial?: string }>>();
      byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
      if (e.type === 'certificate.frozen' && e.data?.serial && !deliveredAt.has(e.data.serial)) deliveredAt.set(e.data.serial, at);
      m.ack();
    }
  })();
  return {
    deliveredAt,
    byType,
    bulkBacklog: async () => {
      const i = await jsm.consumers.info(EVENTS_STREAM, bulk.name);
      return i.num_pending + i.num_ack_pending;
    },
    stop: async () => {
      messages.stop();
      await loop.catch(() => undefined);
    },
  };
}

/** The bench's table and the figures that matter, for the report. */
export function formatInvalidation(r: InvalidationBenchResult): string[] {
  const mem = (m: MemoryPeaks) =>
    Object.entries(m.peakRssMb)
      .map(([k, v]) => `${k} ${v} MB`)
      .join(', ') + (m.postgresTotalPeakMb ? `, all postgres processes ${m.postgresTotalPeakMb} MB` : '');
  const q = (x: { p50: number; p95: number; max: number }) => `p50 ${x.p50} / p95 ${x.p95} / max ${x.max} ms`;
  return [
    `### 第二十条 invalid-list run, ${r.rows.toLocaleString('en')} certificates (${r.due.toLocaleString('en')} due), chunks of ${r.chunkSize}`,
    '',
    '| phase | time | rate | peak RSS |',
    '| --- | --- | --- | --- |',
    `| dry run (counts by region and reason) | ${(r.dryRun.ms / 1000).toFixed(2)} s | ${Math.round(r.rows / (r.dryRun.ms / 1000)).toLocaleString('en')} rows/s scanned | ${mem(r.dryRun.memory)} |`,
    `| real run (revoke, history, events) | ${(r.realRun.ms / 1000).toFixed(2)} s | ${r.realRun.flaggedPerS.toLocaleString('en')} flagged/s, ${r.realRun.scannedPerS.toLocaleString('en')} rows/s scanned | ${mem(r.realRun.memory)} |`,
    `| bulk lane drained to JetStream | ${(r.drain.ms / 1000).toFixed(1)} s${r.drain.complete ? '' : ' (limit)'} | ${r.drain.eventsPerS.toLocaleString('en')} events/s | ${mem(r.drain.memory)} |`,
    '',
    `Chunks: ${r.realRun.chunks}, retried after a lock timeout: ${r.realRun.chunkRetries}; freezes that failed: ${r.freezeFailures.length}${r.freezeFailures.length ? ` (${r.freezeFailures[0]})` : ''}.`,
    `Ordinary freezes beside the run (${r.freezesDuringRun.count}): commit ${q(r.freezesDuringRun.commitMs)}; event published after ${q(r.freezesDuringRun.publishMs)}.`,
    `Freezes while the run's ${r.drain.events.toLocaleString('en')} events drained (${r.drain.freezes.count}): commit ${q(r.drain.freezes.commitMs)}; event published after ${q(r.drain.freezes.publishMs)}.`,
    '',
    '| freeze event, commit → delivered to an ordinary-lane consumer (seal-service filter) | count | p50 | p95 | max |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...([['beside the run', r.freezesDuringRun], ['while its events drained', r.drain.freezes]] as const).map(
      ([k, f]) => `| ${k} | ${f.count} | ${f.deliveryMs.p50} ms | ${f.deliveryMs.p95} ms | ${f.deliveryMs.max} ms |`,
    ),
    '',
    `Ordinary-lane consumer received ${Object.entries(r.consumers.ordinaryByType).map(([t, n]) => `${t} ${n.toLocaleString('en')}`).join(', ') || 'nothing'}${r.consumers.undelivered ? ` (${r.consumers.undelivered} freezes not delivered)` : ''}; bulk-lane consumer (unread) backlog at the end: ${r.consumers.bulkBacklog.toLocaleString('en')}.`,
    `Setup: insert ${(r.insertMs / 1000).toFixed(0)} s, index rebuild ${(r.indexBuildMs / 1000).toFixed(0)} s; table ${r.tableMb} MB; indexes ${Object.entries(r.indexMb)
      .map(([k, v]) => `${k} ${v} MB`)
      .join(', ')}.`,
    '',
  ];
}
