/**
 * Keyset paging on (a timestamptz, a unique text key), newest first. The cursor carries the last
 * item's position itself — its time as PostgreSQL's microseconds in UTC and its key — so reading
 * the next page looks no row up: a cursor tells nothing about rows outside the caller's scope,
 * and one of a row since deleted still continues in place.
 */

/** The column as the cursor's text, e.g. 2026-12-01T17:27:34.123456Z (a JS Date would keep only milliseconds). */
export function cursorTimeSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/**
 * The items after (time, key) in `ORDER BY time DESC, key <keyOrder>`, with `timeParam` and
 * `keyParam` the placeholders of the cursor's values. The leading `time <= t` lets an index on
 * (time DESC, key) bound the scan (PostgreSQL cannot use a row comparison of mixed directions).
 */
export function keysetAfterSql(time: string, key: string, keyOrder: 'ASC' | 'DESC', timeParam: string, keyParam: string): string {
  const t = `${timeParam}::timestamptz`;
  return `(${time} <= ${t} AND (${time} < ${t} OR (${time} = ${t} AND ${key} ${keyOrder === 'ASC' ? '>' : '<'} ${keyParam})))`;
}
