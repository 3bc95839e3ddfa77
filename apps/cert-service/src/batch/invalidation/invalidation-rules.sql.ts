import type { InvalidationReason } from '@ecert/contracts';

/**
 * The 第二十条 rule (libs/pki invalidationReasonOf) as SQL conditions over "cert"."certificate" c,
 * with $1 = the cutoff (two years before the run's instant) and $2 = the instant. Each one is
 * answered by its own partial index (migrations 1766100000001, 1766100000100), so a run reads the due rows only.
 * Precedence as in libs/pki: the reasons are applied in this order, and a certificate made
 * invalid for an earlier one no longer matches a later one; the dry run excludes them likewise.
 */
export const REASON_ORDER: readonly InvalidationReason[] = ['lost_unresolved', 'damaged_unresolved', 'expired_unresolved', 'idle'];

/** Serials of active certificates whose UKey has been damaged (or handed back damaged) since the cutoff or before. */
const DAMAGED_UKEY = `c.ukey_serial IN (
    SELECT u.serial FROM "cert"."ukey" u
     WHERE u.state IN ('damaged','returned')
       AND (SELECT max(h.at) FROM "cert"."ukey_history" h WHERE h.serial = u.serial AND h.action = 'report_damaged') <= $1)`;

/** Since when a certificate is idle: its last activity, never earlier than its issuance (index of migration 1766100000100). */
export const IDLE_SINCE = 'GREATEST(COALESCE(c.last_activity_at, c.not_before), c.not_before)';

export const REASON_CONDITION: Readonly<Record<InvalidationReason, string>> = {
  lost_unresolved: `c.status = 'frozen' AND c.frozen_at <= $1`,
  damaged_unresolved: `c.status = 'active' AND ${DAMAGED_UKEY}`,
  expired_unresolved: `c.status IN ('active','frozen') AND c.not_after <= $1`,
  // GREATEST as libs/pki: an activity recorded before issuance (a wrong report) never ages a certificate.
  idle: `c.status = 'active' AND ${IDLE_SINCE} <= $1 AND c.not_after > $2`,
};

/** The key each reason's index is ordered by: chunks take the longest-due first. */
export const REASON_ORDER_BY: Readonly<Record<InvalidationReason, string>> = {
  lost_unresolved: 'c.frozen_at',
  damaged_unresolved: 'c.serial',
  expired_unresolved: 'c.not_after',
  idle: IDLE_SINCE,
};

/**
 * A reason's condition with the precedence applied: not due for any reason before it. Every
 * place that counts or applies one reason uses this (the real run's chunks, the dry run, the
 * operators' overview), so they all agree with libs/pki's invalidationReasonOf.
 */
export function dueFor(reason: InvalidationReason): string {
  const earlier = REASON_ORDER.slice(0, REASON_ORDER.indexOf(reason));
  // IS NOT TRUE: a condition that is NULL for a row (no UKey, never frozen) does not exclude it.
  return [`(${REASON_CONDITION[reason]})`, ...earlier.map((r) => `(${REASON_CONDITION[r]}) IS NOT TRUE`)].join(' AND ');
}

/**
 * Counts by region and reason of what a run at $2 would make invalid ($1 its cutoff), with the
 * precedence applied; `scope` narrows it further (a condition over c, e.g. the caller's regions).
 */
export function dryRunSql(scope = 'TRUE'): string {
  return `
  SELECT region_code AS "regionCode", reason, count(*)::int AS count FROM (
    ${REASON_ORDER.map((r) => `SELECT c.region_code, '${r}' AS reason FROM "cert"."certificate" c WHERE ${dueFor(r)} AND (${scope})`).join('\n    UNION ALL\n    ')}
  ) due GROUP BY region_code, reason ORDER BY region_code, reason`;
}

export const DRY_RUN_SQL = dryRunSql();

const iso = (expr: string) => `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One chunk of one reason, in one statement: lock up to $3 due rows (skipping rows a lifecycle
 * step holds: it is not blocked, and the row is looked at again next run), make them invalid and
 * revoked for relying parties, write their history rows and their certificate.invalidated events
 * into the outbox's bulk lane. Returns serial and CA of each. Parameters: $1 cutoff, $2 instant,
 * $3 chunk size, $4 reason, $5 RFC 5280 reason, $6 event subject, $7 request id, $8 staff id or
 * null, $9 outbox lane, $10 client id or null (who asked: an operator's staff id and/or the system
 * it came through; both null = the schedule), $11 the CA (a chunk is of one CA: the CRLs to
 * rebuild are its CA's). The precedence is applied per chunk (dueFor).
 * revokedAt = invalidatedAt = the statement's clock (when relying parties are told), not $2
 * (the instant the run was queued for, which only sets the cutoff).
 */
export function invalidateChunkSql(reason: InvalidationReason): string {
  return `
  WITH due AS (
    -- $2 typed here: not every reason's condition reads it.
    SELECT c.serial, c.status AS from_status, $2::timestamptz AS as_of FROM "cert"."certificate" c
     WHERE ${dueFor(reason)} AND c.ca_id = $11
     ORDER BY ${REASON_ORDER_BY[reason]} LIMIT $3 FOR UPDATE OF c SKIP LOCKED
  ), ts AS MATERIALIZED (SELECT date_trunc('milliseconds', clock_timestamp()) AS at -- ms: the list's cursor carries ms
  ), upd AS (
    UPDATE "cert"."certificate" c
       SET status = 'invalid', invalid_reason = $4, invalidated_at = ts.at, revoked_at = ts.at, revocation_reason = $5,
           status_changed_at = ts.at, version = c.version + 1, updated_at = now()
      FROM due, ts WHERE c.serial = due.serial
    RETURNING c.serial, c.ca_id, c.profile, c.uscc, c.account_no, c.region_code, c.not_before, c.not_after, c.ukey_serial,
              c.last_activity_at, c.invalidated_at, due.from_status
  ), hist AS (
    INSERT INTO "cert"."certificate_history" (serial, action, from_status, to_status, reason, comment, request_id, actor, client_id)
    SELECT serial, 'invalidate', from_status, 'invalid', $5, '第二十条 ' || $4, $7, $8, $10 FROM upd
  ), ev AS (
    SELECT gen_random_uuid() AS id, u.*,
           (SELECT count(*) FROM "cert"."certificate_history" h WHERE h.serial = u.serial)::int + 1 AS cert_version
      FROM upd u
  ), outbox AS (
    INSERT INTO "cert"."outbox" (id, subject, type, aggregate_id, payload, lane)
    SELECT id, $6, 'certificate.invalidated', serial, jsonb_build_object(
      'id', id, 'type', 'certificate.invalidated', 'version', 1, 'occurredAt', ${iso('invalidated_at')}, 'aggregateId', serial,
      'requestId', $7::text,
      'data', jsonb_build_object(
        'serial', serial, 'caId', ca_id, 'profile', profile, 'uscc', uscc, 'accountNo', account_no, 'regionCode', region_code,
        'status', 'invalid', 'notAfter', ${iso('not_after')}, 'version', cert_version,
        'invalidReason', $4::text, 'revocationReason', $5::text, 'invalidatedAt', ${iso('invalidated_at')},
        'lastActivityAt', ${iso('GREATEST(COALESCE(last_activity_at, not_before), not_before)')})
        || CASE WHEN ukey_serial IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('ukeySerial', ukey_serial) END
    ) || CASE WHEN $8::text IS NULL AND $10::text IS NULL THEN '{}'::jsonb
         ELSE jsonb_build_object('actor', jsonb_build_object('clientId', $10::text, 'staffId', $8::text, 'via', NULL)) END,
    $9 FROM ev
  )
  SELECT serial, ca_id AS "caId", region_code AS "regionCode" FROM upd`;
}
