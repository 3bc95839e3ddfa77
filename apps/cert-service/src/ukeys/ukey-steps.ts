import type { EntityManager } from 'typeorm';
import { requestContext } from '@ecert/common';
import type { UkeyAction, UkeyEventData, UkeyState } from '@ecert/contracts';
import { appendEvent } from '@ecert/messaging';
import { UkeyEntity } from './ukey.entity';
import { UkeyHistoryEntity } from './ukey-history.entity';

/** Serials (hex) of the certificates written onto a UKey, oldest first. */
export async function certificateSerialsOn(m: Pick<EntityManager, 'query'>, serial: string): Promise<string[]> {
  const rows: { serial: string }[] = await m.query('SELECT serial FROM "cert"."certificate" WHERE ukey_serial = $1 ORDER BY created_at, serial', [serial]);
  return rows.map((r) => r.serial);
}

export interface UkeyStep {
  action: UkeyAction | 'import';
  from: UkeyState | null;
  reason?: string | null;
  /** What the step did besides the state (certificates frozen, the application, the batch…); kept in history and the event. */
  detail?: Record<string, unknown>;
}

/** The history row of a step (typed loosely for insert(): TypeORM's deep-partial type refuses a jsonb record). */
export function historyRow(u: UkeyEntity, step: UkeyStep): never {
  const ctx = requestContext.getStore();
  return {
    serial: u.serial,
    action: step.action,
    fromState: step.from,
    toState: u.state,
    reason: step.reason ?? null,
    detail: step.detail && Object.keys(step.detail).length ? step.detail : null,
    requestId: ctx?.requestId ?? null,
    clientId: ctx?.clientId ?? null,
    actor: ctx?.actor ?? null,
    via: ctx?.caller ?? null,
  } satisfies Partial<UkeyHistoryEntity> as never;
}

function eventData(u: UkeyEntity, step: UkeyStep, certificateSerials: string[]): UkeyEventData {
  return {
    serial: u.serial,
    from: step.from,
    to: u.state,
    action: step.action,
    ...(u.applicationId ? { applicationId: u.applicationId } : {}),
    ...(u.officeRegionCode ? { officeRegionCode: u.officeRegionCode } : {}),
    ...(u.uscc ? { uscc: u.uscc } : {}),
    certificateSerials,
    version: u.version,
    ...(step.detail && Object.keys(step.detail).length ? { detail: step.detail } : {}),
  };
}

/**
 * Records one step of a UKey already moved to its new state (the row locked by the caller): the
 * version grows by one, the row is saved, and a history row and the `ukey.transitioned` event are
 * written in the caller's transaction.
 */
export async function recordUkeyStep(m: EntityManager, u: UkeyEntity, step: UkeyStep): Promise<void> {
  u.version += 1;
  await m.save(UkeyEntity, u);
  await m.insert(UkeyHistoryEntity, historyRow(u, step));
  await appendEvent(m, 'ukey.transitioned', u.serial, eventData(u, step, await certificateSerialsOn(m, u.serial)));
}

/** The first step of an imported UKey (version 1, already inserted): its history row and `ukey.imported`. */
export async function recordUkeyImport(m: EntityManager, u: UkeyEntity, detail: Record<string, unknown>): Promise<void> {
  const step: UkeyStep = { action: 'import', from: null, detail };
  await m.insert(UkeyHistoryEntity, historyRow(u, step));
  await appendEvent(m, 'ukey.imported', u.serial, eventData(u, step, []));
}

/** The UKey row, locked for the rest of the transaction (steps of one UKey queue here). */
export function lockUkey(m: EntityManager, serial: string): Promise<UkeyEntity | null> {
  return m.getRepository(UkeyEntity).findOne({ where: { serial }, lock: { mode: 'pessimistic_write' } });
}
