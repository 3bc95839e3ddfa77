import type { EntityManager } from 'typeorm';
import { requestContext } from '@ecert/common';
import type { UkeySoPinEventData } from '@ecert/contracts';
import { appendEvent } from '@ecert/messaging';
import { UkeySoPinReleaseEntity } from './ukey-so-pin-release.entity';
import { SO_PIN_RELEASE_TTL_MS } from './ukey-so-pins.service';

/**
 * Records a release of a UKey's SO PIN (its generation, to whom, until when) and its event, in
 * the caller's transaction; undefined when this application already had its release of this
 * purpose for this UKey (the UNIQUE constraint decides, so two concurrent requests get one).
 */
export async function recordSoPinRelease(
  m: EntityManager,
  r: { serial: string; applicationId: string; purpose: 'production' | 'unlock'; generation: number },
): Promise<UkeySoPinReleaseEntity | undefined> {
  const ctx = requestContext.getStore();
  const now: Date = (await m.query('SELECT now() AS t'))[0].t;
  const expiresAt = new Date(now.getTime() + SO_PIN_RELEASE_TTL_MS);
  const releasedTo = ctx?.actor ?? ctx?.clientId ?? ctx?.caller ?? 'unknown';
  const rows: { id: string }[] = await m.query(
    `INSERT INTO "cert"."ukey_so_pin_release" (serial, application_id, purpose, generation, released_at, expires_at, released_to, client_id, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT ON CONSTRAINT "ukey_so_pin_release_once" DO NOTHING RETURNING id`,
    [r.serial, r.applicationId, r.purpose, r.generation, now, expiresAt, releasedTo, ctx?.clientId ?? null, ctx?.requestId ?? null],
  );
  if (!rows.length) return undefined;
  const data: UkeySoPinEventData = { ...r, expiresAt: expiresAt.toISOString(), releasedTo };
  await appendEvent(m, 'ukey.so_pin_released', r.serial, data);
  return m.create(UkeySoPinReleaseEntity, { id: rows[0]!.id, ...r, releasedAt: now, expiresAt, releasedTo, clientId: ctx?.clientId ?? null, requestId: ctx?.requestId ?? null, confirmedAt: null });
}
