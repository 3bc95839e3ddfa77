import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { decodePageCursor, encodePageCursor, isCursorTime, ProblemCode, ProblemError, regionLikePattern, regionLikePatterns, requestContext, validateRegionCode, pageBounds } from '@ecert/common';
import { INVALIDATION_REASONS, type InvalidListEntry, type InvalidListPage, type InvalidListQuery } from '@ecert/contracts';
import { cursorTimeSql } from '@ecert/database';
import { DATA_SOURCE } from '@ecert/messaging';

const bad = (field: string, detail: string) => ProblemError.badRequest(ProblemCode.validationFailed, field, detail);

interface Row {
  serial: string;
  ca_id: string;
  profile: 'unit' | 'personal';
  unit_name: string;
  uscc: string;
  account_no: string;
  region_code: string;
  invalid_reason: InvalidListEntry['invalidReason'];
  revocation_reason: string;
  invalidated_at: Date;
  last_activity_at: Date;
  not_after: Date;
  ukey_serial: string | null;
  cursor_at: string;
}

// The position itself, invalidated_at to the microsecond: a JS Date's milliseconds would skip the
// rows invalidated later within the last item's millisecond.
const encodeCursor = (r: Row) => encodePageCursor(r.cursor_at, r.serial);

function decodeCursor(cursor: unknown): { at: string; serial: string } {
  const [at, serial] = decodePageCursor(cursor, [isCursorTime, /^[0-9a-f]{2,40}$/]);
  return { at: at!, serial: serial! };
}

/**
 * The invalid list (失效名单) for the offices: newest first, within the caller's regions, by
 * region, reason and time. Offset pages for screens; keyset pages (`after`) for the CSV export,
 * which the gateway streams page by page so no list is ever held whole.
 */
@Injectable()
export class InvalidListQueries {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async list(q: InvalidListQuery): Promise<InvalidListPage> {
    // Up to 1000 a page: the gateway's CSV export reads it in pages of 1000.
    const { page, pageSize } = pageBounds(q, 1000);
    const where = [`c.status = 'invalid'`];
    const params: unknown[] = [];
    const scope = regionLikePatterns(requestContext.getStore());
    if (scope) {
      params.push(scope);
      where.push(`c.region_code LIKE ANY($${params.length})`);
    }
    if (q.region !== undefined) {
      const r = validateRegionCode(q.region);
      if (!r.ok) throw bad('region', r.message);
      params.push(regionLikePattern(r.value));
      where.push(`c.region_code LIKE $${params.length}`);
    }
    if (q.reason !== undefined) {
      if (!(INVALIDATION_REASONS as readonly string[]).includes(q.reason)) throw bad('reason', `reason must be one of ${INVALIDATION_REASONS.join(', ')}`);
      params.push(q.reason);
      where.push(`c.invalid_reason = $${params.length}`);
    }
    if (q.since !== undefined) {
      const since = new Date(q.since);
      if (typeof q.since !== 'string' || Number.isNaN(since.getTime())) throw bad('since', 'since must be an ISO 8601 date or date-time');
      params.push(since);
      where.push(`c.invalidated_at >= $${params.length}`);
    }
    const filter = [...where];
    const filterParams = [...params];
    if (q.after !== undefined) {
      const c = decodeCursor(q.after);
      params.push(c.at, c.serial);
      where.push(`(c.invalidated_at, c.serial) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    params.push(pageSize + 1);
    const limit = `LIMIT $${params.length}`;
    let offset = '';
    if (q.after === undefined) {
      params.push((page - 1) * pageSize);
      offset = `OFFSET $${params.length}`;
    }
    const rows: Row[] = await this.ds.query(
      `SELECT c.serial, c.ca_id, c.profile, c.unit_name, c.uscc, c.account_no, c.region_code, c.invalid_reason, c.revocation_reason,
              c.invalidated_at, GREATEST(COALESCE(c.last_activity_at, c.not_before), c.not_before) AS last_activity_at, c.not_after, c.ukey_serial,
              ${cursorTimeSql('c.invalidated_at')} AS cursor_at
         FROM "cert"."certificate" c WHERE ${where.join(' AND ')}
        ORDER BY c.invalidated_at DESC, c.serial DESC ${limit} ${offset}`,
      params,
    );
    const more = rows.length > pageSize;
    const items = rows.slice(0, pageSize).map(toEntry);
    const total =
      q.after === undefined && q.count !== false
        ? (await this.ds.query(`SELECT count(*)::int AS n FROM "cert"."certificate" c WHERE ${filter.join(' AND ')}`, filterParams))[0].n
        : undefined;
    return { items, page: q.after === undefined ? page : 1, pageSize, ...(total !== undefined ? { total } : {}), ...(more ? { next: items[items.length - 1]!.cursor } : {}) };
  }
}

function toEntry(r: Row): InvalidListEntry {
  return {
    serial: r.serial,
    caId: r.ca_id,
    profile: r.profile,
    unitName: r.unit_name,
    uscc: r.uscc,
    accountNo: r.account_no,
    regionCode: r.region_code,
    invalidReason: r.invalid_reason,
    revocationReason: r.revocation_reason,
    invalidatedAt: r.invalidated_at.toISOString(),
    lastActivityAt: r.last_activity_at.toISOString(),
    notAfter: r.not_after.toISOString(),
    ...(r.ukey_serial ? { ukeySerial: r.ukey_serial } : {}),
    cursor: encodeCursor(r),
  };
}
