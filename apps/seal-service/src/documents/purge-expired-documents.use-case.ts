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

/** How long a content marked for removal keeps its bytes: a re-upload or a late reference in that time keeps it. */
export const RETENTION_REMOVAL_GRACE_MS = 60 * 60_000;

/** How far a document whose deferred session or approved request is still open has its retention extended. */
export const RETENTION_PROTECTED_EXTENSION_MS = 86_400_000;

export interface PurgeExpiredDocumentsCommand {
  /** The time retention is judged by (the scheduler's now; tests pass their own). */
  now: Date;
  chunkSize?: number;
  /** How long marked contents keep their bytes (RETENTION_REMOVAL_GRACE_MS unless given). */
  graceMs?: number;
}

export interface PurgeResult {
  /** Documents marked purged. */
  purged: number;
  /** Contents whose bytes were removed from the store in this sweep. */
  removed: number;
  /** Contents of purged documents kept because something live still uses them. */
  kept: number;
  /** Contents marked for removal in this sweep (removed once the grace period is over). */
  marked?: number;
  /** Due documents not purged: the source of an open deferred session or approved request (retention extended). */
  extended?: number;
}

/** Keys every purge and registration of one content serialise on (pg advisory locks, per transaction). */
export const CONTENT_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtextextended('ecert-document:' || s, 0)) FROM unnest($1::text[]) AS s ORDER BY s`;

/** A content something here still uses: a document not purged (outside `ids`), an open session's prepared PDF. */
const USED_HERE_SQL = `SELECT DISTINCT c AS sha256 FROM unnest($1::text[]) AS c
  WHERE EXISTS (SELECT 1 FROM "seal"."document" d WHERE d.sha256 = c AND d.purged_at IS NULL AND NOT (d.id = ANY($2::uuid[])))
     OR EXISTS (SELECT 1 FROM "seal"."seal_session" s WHERE s.prepared_sha256 = c AND s.used_at IS NULL AND s.expires_at > $3)`;

/**
 * 保存期限, in two phases. Phase 1, a chunk per transaction: the due documents are read, the
 * workflow-service is asked which of their contents are application materials (before any lock is
 * taken: a slow or absent workflow-service holds no row; if it does not answer, the sweep stops and
 * nothing is purged), then the rows are taken FOR NO KEY UPDATE SKIP LOCKED (two sweepers share the
 * work, foreign keys to them are not blocked) and re-checked; the source document of an open
 * deferred session or an approved, unexpired seal-use request is not purged (its retention is
 * extended a day); each content is locked (registration of the same bytes takes the same lock) and
 * marked for removal when nothing live uses it. Every purged row keeps its record (the audit trail,
 * one `document.purged` event per chunk). Phase 2, after that commit: a content marked and past
 * its grace period is checked again under its lock (a re-upload, a new session, a material since)
 * and its bytes removed; a content that fails is logged and tried again next sweep.
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
    const grace = cmd.graceMs ?? RETENTION_REMOVAL_GRACE_MS;
    const total: Required<PurgeResult> = { purged: 0, removed: 0, kept: 0, marked: 0, extended: 0 };
    const seen = new Set<string>();
    for (;;) {
      const r = await this.purgeChunk(cmd.now, chunk, grace, seen);
      if (!r) break; // the workflow-service did not answer: nothing more this sweep
      total.purged += r.purged;
      total.kept += r.kept;
      total.marked += r.marked;
      total.extended += r.extended;
      if (!r.more) break;
    }
    total.removed = await this.removeMarked(cmd.now, chunk);
    if (total.purged || total.removed) {
      this.relay.kick();
      this.logger.info({ ...total, asOf: cmd.now.toISOString() }, 'documents past retention purged');
    }
    return total;
  }

  private async purgeChunk(now: Date, chunk: number, grace: number, seen: Set<string>): Promise<(Required<Omit<PurgeResult, 'removed'>> & { more: boolean }) | undefined> {
    const candidates: { id: string; sha256: string }[] = await this.ds.query(
      `SELECT id, sha256 FROM "seal"."document" WHERE purged_at IS NULL AND retained_until <= $1 AND NOT (id = ANY($3::uuid[])) ORDER BY retained_until, id LIMIT $2`,
      [now, chunk, [...seen]],
    );
    if (!candidates.length) return { purged: 0, kept: 0, marked: 0, extended: 0, more: false };
    for (const c of candidates) seen.add(c.id);
    let materials: Set<string>;
    try {
      materials = await this.materials.referenced([...new Set(candidates.map((c) => c.sha256))].sort());
    } catch (e) {
      this.logger.warn({ err: e, documents: candidates.length }, 'retention sweep skipped: the workflow-service did not say which contents are materials (nothing purged; next sweep tries again)');
      return undefined;
    }
    const more = candidates.length === chunk;
    return this.ds.transaction(async (m) => {
      // Re-checked under the row locks: registered, extended or purged meanwhile is not due any more.
      const due: { id: string; sha256: string }[] = await m.query(
        `SELECT id, sha256 FROM "seal"."document"
          WHERE id = ANY($1::uuid[]) AND purged_at IS NULL AND retained_until <= $2
          ORDER BY retained_until, id FOR NO KEY UPDATE SKIP LOCKED`,
        [candidates.map((c) => c.id), now],
      );
      if (!due.length) return { purged: 0, kept: 0, marked: 0, extended: 0, more };
      const contents = [...new Set(due.map((d) => d.sha256))].sort();
      await m.query(CONTENT_LOCK_SQL, [contents]);
      // The source of a sealing still under way (an open deferred session, an approved request not expired or used) stays.
      const busy: { id: string }[] = await m.query(
        `SELECT d.id FROM unnest($1::uuid[]) AS d(id)
          WHERE EXISTS (SELECT 1 FROM "seal"."seal_session" s WHERE s.document_id = d.id AND s.used_at IS NULL AND s.expires_at > $2)
             OR EXISTS (SELECT 1 FROM "seal"."seal_use_request" r WHERE r.document_id = d.id AND r.status = 'approved' AND (r.expires_at IS NULL OR r.expires_at > $2))`,
        [due.map((d) => d.id), now],
      );
      const busyIds = new Set(busy.map((b) => b.id));
      if (busyIds.size) {
        await m.query(`UPDATE "seal"."document" SET retained_until = $2 WHERE id = ANY($1::uuid[])`, [[...busyIds], new Date(now.getTime() + RETENTION_PROTECTED_EXTENSION_MS)]);
        this.logger.info({ documentIds: [...busyIds] }, 'retention extended: the document is the source of a sealing still under way');
      }
      const purge = due.filter((d) => !busyIds.has(d.id));
      if (!purge.length) return { purged: 0, kept: 0, marked: 0, extended: busyIds.size, more };
      const ids = purge.map((d) => d.id);
      const purgedContents = [...new Set(purge.map((d) => d.sha256))].sort();
      const used: { sha256: string }[] = await m.query(USED_HERE_SQL, [purgedContents, ids, now]);
      const inUse = new Set(used.map((u) => u.sha256));
      const removable = purgedContents.filter((c) => !inUse.has(c) && !materials.has(c));
      await m.query(`UPDATE "seal"."document" SET purged_at = $2 WHERE id = ANY($1::uuid[])`, [ids, now]);
      if (removable.length) {
        await m.query(
          `INSERT INTO "seal"."document_content_removal" (sha256, marked_at, remove_after) SELECT c, $2, $3 FROM unnest($1::text[]) AS c ON CONFLICT (sha256) DO NOTHING`,
          [removable, now, new Date(now.getTime() + grace)],
        );
      }
      const data: DocumentPurgedEventData = { documentIds: ids, removedSha256s: removable, keptSha256s: purgedContents.filter((c) => !removable.includes(c)), asOf: now.toISOString() };
      await appendEvent(m, 'document.purged', ids[0]!, data);
      return { purged: ids.length, kept: purgedContents.length - removable.length, marked: removable.length, extended: busyIds.size, more };
    });
  }

  /** Phase 2: the bytes of contents marked and past their grace period, each checked again under its lock. */
  private async removeMarked(now: Date, chunk: number): Promise<number> {
    let removed = 0;
    const failed = new Set<string>();
    for (;;) {
      const marked: { sha256: string }[] = await this.ds.query(
        `SELECT sha256 FROM "seal"."document_content_removal" WHERE remove_after <= $1 AND NOT (sha256 = ANY($3::text[])) ORDER BY remove_after, sha256 LIMIT $2`,
        [now, chunk, [...failed]],
      );
      if (!marked.length) return removed;
      let materials: Set<string>;
      try {
        materials = await this.materials.referenced(marked.map((r) => r.sha256));
      } catch (e) {
        this.logger.warn({ err: e, contents: marked.length }, 'retention: bytes not removed, the workflow-service did not answer (next sweep tries again)');
        return removed;
      }
      for (const { sha256 } of marked) {
        try {
          const gone = await this.ds.transaction(async (m) => {
            await m.query(CONTENT_LOCK_SQL, [[sha256]]);
            const still: unknown[] = await m.query(USED_HERE_SQL, [[sha256], [], now]);
            // Deleted with the decision: kept (used again), or removed (the unlink under the lock, before this commit;
            // a failed commit leaves the mark, and the next sweep finds the bytes already gone).
            await m.query(`DELETE FROM "seal"."document_content_removal" WHERE sha256 = $1`, [sha256]);
            if (still.length || materials.has(sha256)) return false;
            await this.store.remove(sha256);
            return true;
          });
          if (gone) removed++;
        } catch (e) {
          failed.add(sha256);
          this.logger.error({ err: e, sha256 }, 'retention: a content could not be removed (kept marked, next sweep tries again)');
        }
      }
      if (marked.length < chunk) return removed;
    }
  }
}
