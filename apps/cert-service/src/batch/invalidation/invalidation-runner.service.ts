import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { BulkEventSubjects, type InvalidationCount, type InvalidationReason } from '@ecert/contracts';
import { CONFIG, DATA_SOURCE, LOGGER, OUTBOX_RELAY, OutboxLane, type OutboxRelay } from '@ecert/messaging';
import { INVALIDATION_REVOCATION_REASON, invalidationCutoff } from '@ecert/pki';
import { RevocationChangeNotifier } from '../../revocation/revocation-change.notifier';
import { DRY_RUN_SQL, invalidateChunkSql, REASON_ORDER } from './invalidation-rules.sql';

export interface InvalidationRunOptions {
  requestId: string;
  /** Who started it: an operator's staff id and/or the client (system) it came through; null: the schedule. */
  actor: { staffId: string | null; clientId: string | null } | null;
  chunkSize?: number;
  /** Called after each committed chunk (benchmarks, progress) with the counts so far (the caller saves them). */
  onChunk?: (reason: InvalidationReason, rows: number, countsSoFar: InvalidationCount[]) => void | Promise<void>;
  /** Called when a chunk waited too long for a lock and is tried again. */
  onRetry?: (reason: InvalidationReason, attempt: number) => void;
}

/** A chunk that hits lock_timeout (a table lock: an index built, a migration) is retried this often, with backoff. */
const LOCK_RETRIES = 8;
const isLockTimeout = (e: unknown) => (e as { code?: string })?.code === '55P03' || (e as { driverError?: { code?: string } })?.driverError?.code === '55P03';

/**
 * Applies 第二十条 set-based: the dry run is one aggregate query; the real run goes reason by
 * reason in chunks of ECERT_BATCH_CHUNK_SIZE certificates, each chunk one transaction (one
 * statement, see invalidateChunkSql), so no more than a chunk is ever locked or held in memory.
 * Each chunk is of one CA and takes that CA's CRL lock shared like any status change; after it
 * commits, OCSP caches drop its serials; the CRLs (complete and delta) are made once, at the end
 * of the run — also of a run that failed part-way (for the chunks it committed).
 */
@Injectable()
export class InvalidationRunner {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    @Inject(CONFIG) private readonly config: EcertConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly notifier: RevocationChangeNotifier,
  ) {}

  async dryRun(now: Date): Promise<InvalidationCount[]> {
    return this.ds.query(DRY_RUN_SQL, [invalidationCutoff(now), now]);
  }

  async run(now: Date, opts: InvalidationRunOptions): Promise<InvalidationCount[]> {
    const cutoff = invalidationCutoff(now);
    const chunk = opts.chunkSize ?? this.config.ECERT_BATCH_CHUNK_SIZE;
    const counts = new Map<string, InvalidationCount>();
    const cas = new Set<string>();
    const sorted = () => [...counts.values()].sort((a, b) => a.regionCode.localeCompare(b.regionCode) || a.reason.localeCompare(b.reason));
    const caIds: string[] = (await this.ds.query('SELECT id FROM "cert"."ca" ORDER BY id')).map((r: { id: string }) => r.id);
    try {
      for (const reason of REASON_ORDER) {
        const sql = invalidateChunkSql(reason);
        // Chunk by CA: the CRLs to rebuild are those of the CAs whose certificates changed.
        for (const caId of caIds) {
          const params = [cutoff, now, chunk, reason, INVALIDATION_REVOCATION_REASON[reason], BulkEventSubjects.certificateInvalidated, opts.requestId,
            opts.actor?.staffId ?? null, OutboxLane.bulk, opts.actor?.clientId ?? null, caId];
          for (;;) {
            // No CRL lock: a CRL built meanwhile sees all of a chunk or none (one statement), and the
            // next delta lists what it did not see (status_xid, see CrlGenerator).
            const chunkOnce = (): Promise<{ serial: string; caId: string; regionCode: string }[]> => this.ds.transaction((m) => m.query(sql, params));
            let rows: { serial: string; caId: string; regionCode: string }[] | undefined;
            for (let attempt = 1; !rows; attempt++) {
              try {
                rows = await chunkOnce();
              } catch (e) {
                // The chunk rolled back whole; nothing of it is half-written. Wait and go again.
                if (!isLockTimeout(e) || attempt >= LOCK_RETRIES) throw e;
                opts.onRetry?.(reason, attempt);
                this.logger.warn({ reason, attempt }, 'invalidation chunk waited too long for a CRL lock; retrying');
                await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)));
              }
            }
            if (!rows.length) break;
            for (const r of rows) {
              const key = `${r.regionCode}|${reason}`;
              const c = counts.get(key) ?? { regionCode: r.regionCode, reason, count: 0 };
              c.count++;
              counts.set(key, c);
              cas.add(r.caId);
            }
            try {
              // The counts of what has committed, recorded before anything else can fail.
              await opts.onChunk?.(reason, rows.length, sorted());
            } finally {
              this.relay.kick();
              // OCSP at once (every instance's and gateway's cache drops the serials); the CRLs once, at
              // the end: one per chunk would rebuild a CRL growing with the run, over and over.
              await this.notifier.changed([], rows.map((r) => r.serial), false);
            }
            if (rows.length < chunk) break;
          }
        }
      }
    } finally {
      // Also when a chunk failed: what the committed chunks revoked must reach the CRLs now, not at the next run.
      if (cas.size) await this.notifier.changed([...cas], [], true);
    }
    const result = sorted();
    this.logger.info({ requestId: opts.requestId, total: result.reduce((n, c) => n + c.count, 0), counts: result }, '第二十条 invalidation run finished');
    return result;
  }
}
