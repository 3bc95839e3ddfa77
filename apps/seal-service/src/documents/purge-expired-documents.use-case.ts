import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { DocumentPurgedEventData } from '@ecert/contracts';
import type { DocumentStore } from '@ecert/documents';
import { appendEvent, DATA_SOURCE, LOGGER, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { MATERIAL_REFERENCES } from '../workflow-client/material-references.token';
import type { MaterialReferences } from '../workflow-client/workflow-service.client';
import { SEAL_DOCUMENT_STORE } from './document-store.provider';

/** Documents per transaction: bounded locks, bounded work lost to a crash. */
export const RETENTION_CHUNK = 200;

export interface PurgeExpiredDocumentsCommand {
  /** The time retention is judged by (the scheduler's now; tests pass their own). */
  now: Date;
  chunkSize?: number;
}

export interface PurgeResult {
  /** Documents marked purged. */
  purged: number;
  /** Contents removed from the store. */
  removed: number;
  /** Contents kept because another live record still uses them. */
  kept: number;
}

/** Keys every purge and registration of one content serialise on (pg advisory locks, per transaction). */
export const CONTENT_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtextextended('ecert-document:' || s, 0)) FROM unnest($1::text[]) AS s ORDER BY s`;

/**
 * 保存期限: documents past retention_until are purged, set-based, a chunk per transaction (rows
 * taken FOR UPDATE SKIP LOCKED, so two sweepers share the work): each content they hold is locked
 * (the registration of the same bytes takes the same lock, so no new record appears between the
 * check and the removal), and removed from the store only when nothing live uses it — another
 * document not yet due, an open deferred session's prepared PDF, an application's material (asked
 * of the workflow-service). Every due row is marked purged either way: its retention is over;
 * signatures, verification reports and the row with its hash stay as the audit trail. One
 * `document.purged` event per chunk.
 */
@Injectable()
export class PurgeExpiredDocumentsUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(SEAL_DOCUMENT_STORE) private readonly store: DocumentStore,
    @Inject(MATERIAL_REFERENCES) private readonly materials: MaterialReferences,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(cmd: PurgeExpiredDocumentsCommand): Promise<PurgeResult> {
    const chunk = cmd.chunkSize ?? RETENTION_CHUNK;
    const total: PurgeResult = { purged: 0, removed: 0, kept: 0 };
    for (;;) {
      const r = await this.purgeChunk(cmd.now, chunk);
      total.purged += r.purged;
      total.removed += r.removed;
      total.kept += r.kept;
      if (r.purged < chunk) break;
    }
    if (total.purged) {
      this.relay.kick();
      this.logger.info({ ...total, asOf: cmd.now.toISOString() }, 'documents past retention purged');
    }
    return total;
  }

  private purgeChunk(now: Date, chunk: number): Promise<PurgeResult> {
    return this.ds.transaction(async (m) => {
      const due: { id: string; sha256: string }[] = await m.query(
        `SELECT id, sha256 FROM "seal"."document"
          WHERE purged_at IS NULL AND retained_until <= $1
          ORDER BY retained_until, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, chunk],
      );
      if (!due.length) return { purged: 0, removed: 0, kept: 0 };
      const contents = [...new Set(due.map((d) => d.sha256))].sort();
      await m.query(CONTENT_LOCK_SQL, [contents]);
      const ids = due.map((d) => d.id);
      // Still used here: another document not due (or not in this chunk and not purged), an open session's prepared PDF.
      const used: { sha256: string }[] = await m.query(
        `SELECT DISTINCT c AS sha256 FROM unnest($1::text[]) AS c
          WHERE EXISTS (SELECT 1 FROM "seal"."document" d WHERE d.sha256 = c AND d.purged_at IS NULL AND NOT (d.id = ANY($2::uuid[])))
             OR EXISTS (SELECT 1 FROM "seal"."seal_session" s WHERE s.prepared_sha256 = c AND s.used_at IS NULL AND s.expires_at > $3)`,
        [contents, ids, now],
      );
      const inUse = new Set(used.map((u) => u.sha256));
      const free = contents.filter((c) => !inUse.has(c));
      const materials = free.length ? await this.materials.referenced(free) : new Set<string>();
      const removable = free.filter((c) => !materials.has(c));
      await m.query(`UPDATE "seal"."document" SET purged_at = $2 WHERE id = ANY($1::uuid[])`, [ids, now]);
      const data: DocumentPurgedEventData = { documentIds: ids, removedSha256s: removable, keptSha256s: contents.filter((c) => !removable.includes(c)), asOf: now.toISOString() };
      await appendEvent(m, 'document.purged', ids[0]!, data);
      // Last, inside the transaction that holds the content locks: a failure here rolls the marks
      // back and the next sweep tries again (a content already removed is simply not there).
      for (const c of removable) await this.store.remove(c);
      return { purged: ids.length, removed: removable.length, kept: contents.length - removable.length };
    });
  }
}
