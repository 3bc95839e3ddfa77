import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { decodePageCursor, encodePageCursor, isCursorTime, pageBounds, ProblemCode, ProblemError, regionLikePattern, regionLikePatterns, requestContext, validateRegionCode } from '@ecert/common';
import type { DiscardedCertificatePage, DiscardedCertificatesQuery, DiscardedCertificateView } from '@ecert/contracts';
import { cursorTimeSql, keysetAfterSql } from '@ecert/database';
import { DATA_SOURCE } from '@ecert/messaging';

const bad = (field: string, detail: string) => ProblemError.badRequest(ProblemCode.validationFailed, field, detail);
const CA_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

interface Row {
  serial: string;
  ca_id: string;
  command: 'issue' | 'renew';
  reason: string;
  detail: string | null;
  region_code: string;
  tbs_sha256: string;
  signed_digest: string | null;
  signed_digest_algorithm: string | null;
  certificate_sha256: string;
  request_id: string | null;
  client_id: string | null;
  actor: string | null;
  signed_at: Date;
  at: Date;
  cursor_at: string;
}

/** A date (UTC midnight) or a date-time with its offset: one without would be read in this host's time zone. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function instant(field: 'since' | 'until', value: unknown): Date {
  const d = typeof value === 'string' && ISO_INSTANT.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw bad(field, `${field} must be an ISO 8601 date, or a date-time with Z or an offset`);
  return d;
}

/**
 * The certificates the CAs signed that issued nothing (cert.discarded_certificate), newest first,
 * within the caller's regions: what an auditor matches an HSM's log against. Offset pages, or
 * keyset pages (`after`) for walking a long period.
 */
@Injectable()
export class DiscardedCertificateQueries {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async list(q: DiscardedCertificatesQuery): Promise<DiscardedCertificatePage> {
    const { page, pageSize } = pageBounds(q);
    const where: string[] = [];
    const params: unknown[] = [];
    const scope = regionLikePatterns(requestContext.getStore());
    if (scope) {
      params.push(scope);
      where.push(`d.region_code LIKE ANY($${params.length})`);
    }
    if (q.caId !== undefined) {
      if (typeof q.caId !== 'string' || !CA_ID.test(q.caId)) throw bad('caId', 'caId must be the id of a CA (lower-case letters, digits and -)');
      params.push(q.caId);
      where.push(`d.ca_id = $${params.length}`);
    }
    if (q.region !== undefined) {
      const r = validateRegionCode(q.region);
      if (!r.ok) throw bad('region', r.message);
      params.push(regionLikePattern(r.value));
      where.push(`d.region_code LIKE $${params.length}`);
    }
    if (q.since !== undefined) {
      params.push(instant('since', q.since));
      where.push(`d.signed_at >= $${params.length}`);
    }
    if (q.until !== undefined) {
      params.push(instant('until', q.until));
      where.push(`d.signed_at < $${params.length}`);
    }
    const filter = [...where];
    const filterParams = [...params];
    if (q.after !== undefined) {
      const [at, serial] = decodePageCursor(q.after, [isCursorTime, /^[0-9a-f]{2,40}$/]);
      params.push(at, serial);
      where.push(keysetAfterSql('d.signed_at', 'd.serial', 'DESC', `$${params.length - 1}`, `$${params.length}`));
    }
    params.push(pageSize + 1);
    let paging = `LIMIT $${params.length}`;
    if (q.after === undefined) {
      params.push((page - 1) * pageSize);
      paging += ` OFFSET $${params.length}`;
    }
    const whereSql = (w: string[]) => (w.length ? `WHERE ${w.join(' AND ')}` : '');
    const rows: Row[] = await this.ds.query(
      `SELECT d.serial, d.ca_id, d.command, d.reason, d.detail, d.region_code, d.tbs_sha256, d.signed_digest, d.signed_digest_algorithm, d.certificate_sha256, d.request_id, d.client_id, d.actor,
              d.signed_at, d.at, ${cursorTimeSql('d.signed_at')} AS cursor_at
         FROM "cert"."discarded_certificate" d ${whereSql(where)}
        ORDER BY d.signed_at DESC, d.serial DESC ${paging}`,
      params,
    );
    const more = rows.length > pageSize;
    const items = rows.slice(0, pageSize).map(toView);
    const total = q.after === undefined ? (await this.ds.query(`SELECT count(*)::int AS n FROM "cert"."discarded_certificate" d ${whereSql(filter)}`, filterParams))[0].n : undefined;
    return { items, page: q.after === undefined ? page : 1, pageSize, ...(total !== undefined ? { total } : {}), ...(more ? { next: items[items.length - 1]!.cursor } : {}) };
  }
}

function toView(r: Row): DiscardedCertificateView {
  return {
    serial: r.serial,
    caId: r.ca_id,
    command: r.command,
    reason: r.reason,
    detail: r.detail,
    regionCode: r.region_code,
    tbsSha256: r.tbs_sha256,
    signedDigest: r.signed_digest,
    signedDigestAlgorithm: r.signed_digest_algorithm,
    certificateSha256: r.certificate_sha256,
    requestId: r.request_id,
    clientId: r.client_id,
    actor: r.actor,
    signedAt: r.signed_at.toISOString(),
    recordedAt: r.at.toISOString(),
    // The position to the microsecond: a JS Date's milliseconds would skip rows signed later within it.
    cursor: encodePageCursor(r.cursor_at, r.serial),
  };
}
