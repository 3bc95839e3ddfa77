import type { EntityManager } from 'typeorm';
import type { ActivityKind } from '@ecert/contracts';

export interface ActivityEntry {
  serial: string;
  at: Date;
  kind: ActivityKind;
  /** The client (business system) that reported it; absent: the platform saw it itself. */
  client?: string | null;
}

/** The latest entry per serial (the one the certificate's last activity can move to). */
export function latestPerSerial(entries: Iterable<ActivityEntry>): Map<string, ActivityEntry> {
  const out = new Map<string, ActivityEntry>();
  for (const e of entries) {
    const seen = out.get(e.serial);
    if (!seen || seen.at < e.at) out.set(e.serial, e);
  }
  return out;
}

/**
 * Moves the last activity of many certificates forward in one statement. Only forward (an older
 * report changes nothing, so replays are no-ops) and only of live certificates (an invalid one
 * stays as it was put on the list). A row whose activity would not move is not written at all.
 * Returns how many certificates moved.
 */
export async function writeActivity(m: Pick<EntityManager, 'query'>, entries: Iterable<ActivityEntry>): Promise<number> {
  // In serial order: two writers updating overlapping sets lock rows in the same order (no deadlock).
  const latest = [...latestPerSerial(entries).values()].sort((a, b) => (a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0));
  if (!latest.length) return 0;
  const result: [unknown[], number] = await m.query(
    // The rows are locked in serial order first (an UPDATE … FROM joins in no set order); an
    // activity before issuance is never recorded (it would age the certificate, see 第二十条).
    `WITH v AS (SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[]) AS v(serial, at, kind, client)),
          locked AS (SELECT c.serial FROM "cert"."certificate" c JOIN v ON v.serial = c.serial
                      WHERE c.status IN ('active','frozen') AND (c.last_activity_at IS NULL OR c.last_activity_at < v.at) AND v.at >= c.not_before
                      ORDER BY c.serial FOR NO KEY UPDATE OF c)
     UPDATE "cert"."certificate" c SET last_activity_at = v.at, last_activity_kind = v.kind, last_activity_client = v.client
       FROM v, locked
      WHERE c.serial = v.serial AND locked.serial = c.serial AND (c.last_activity_at IS NULL OR c.last_activity_at < v.at)`,
    [latest.map((e) => e.serial), latest.map((e) => e.at.toISOString()), latest.map((e) => e.kind), latest.map((e) => e.client ?? null)],
  );
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}
