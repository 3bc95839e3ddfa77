import type { EntityManager } from 'typeorm';
import type { ActivityKind } from '@ecert/contracts';

export interface ActivityEntry {
  serial: string;
  at: Date;
  kind: ActivityKind;
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
  const latest = [...latestPerSerial(entries).values()];
  if (!latest.length) return 0;
  const result: [unknown[], number] = await m.query(
    `UPDATE "cert"."certificate" c SET last_activity_at = v.at, last_activity_kind = v.kind
       FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS v(serial, at, kind)
      WHERE c.serial = v.serial AND c.status IN ('active','frozen') AND (c.last_activity_at IS NULL OR c.last_activity_at < v.at)`,
    [latest.map((e) => e.serial), latest.map((e) => e.at.toISOString()), latest.map((e) => e.kind)],
  );
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}
