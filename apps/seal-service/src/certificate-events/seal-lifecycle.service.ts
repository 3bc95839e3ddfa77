import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { In, IsNull, type EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { ProblemError, requestContext } from '@ecert/common';
import type { CertificateEventData, CertificateRenewedData, CertificateView, DomainEvent, SealEventType, SealRenewalRefusedData } from '@ecert/contracts';
import { appendEvent } from '@ecert/messaging';
import { preparedQuery, quotedTablePath } from '@ecert/database';
import { isOlderCertificateEvent, isRevokedForRelyingParties, type CertificateEventPosition } from '@ecert/pki';
import { CertServiceClient } from '../cert-client/cert-service.client';
import {
  CertificateEventRefusalEntity,
  CertificateStateEntity,
  SealEntity,
  SealHistoryEntity,
  SealImageEntity,
  type StoredSealStatus,
} from '../seals/seal.entities';
import { pemToDer, SealFactory, sha256Hex } from '../seals/seal-factory.service';
import { certificateLockKey, lockCertificate, recordSealChange } from '../seals/seal-writer';
import { renewalRefusal } from './renewal-check';

type RenewedData = Partial<CertificateRenewedData> & CertificateEventData & { oldSerial: string; newSerial: string };

/** Certificate status as the seal-service tracks it from the stream. */
type KnownStatus = 'active' | 'frozen' | 'revoked' | 'invalid';

interface Transition {
  from: readonly StoredSealStatus[];
  to: StoredSealStatus;
  event: SealEventType;
  action: string;
  reason: string;
}

/** What the seals of a certificate in each status must become, from which statuses. */
const FOLLOW: Record<KnownStatus, Transition> = {
  frozen: { from: ['active'], to: 'suspended', event: 'seal.suspended', action: 'suspend', reason: 'certificate frozen (挂失)' },
  active: { from: ['suspended'], to: 'active', event: 'seal.reactivated', action: 'reactivate', reason: 'certificate unfrozen (挂失恢复)' },
  revoked: { from: ['active', 'suspended'], to: 'revoked', event: 'seal.revoked', action: 'revoke', reason: 'certificate revoked' },
  // 第二十条: the seals stop with their certificate; suspended, not revoked, so the record of what
  // they sealed stays that of a seal in good standing until then.
  invalid: { from: ['active'], to: 'suspended', event: 'seal.suspended', action: 'suspend', reason: 'certificate invalid (失效, 第二十条)' },
};

const STATUS_OF_EVENT: Record<string, KnownStatus> = {
  'certificate.issued': 'active',
  'certificate.frozen': 'frozen',
  'certificate.unfrozen': 'active',
  'certificate.revoked': 'revoked',
  'certificate.invalidated': 'invalid',
};

/** Status a successor seal starts in, from its certificate's newest known status. */
const SUCCESSOR_STATUS: Record<KnownStatus, StoredSealStatus> = { active: 'active', frozen: 'suspended', revoked: 'revoked', invalid: 'suspended' };

/**
 * How seals follow their certificate. Runs inside the inbox transaction of the certificate-event
 * consumer, with its EntityManager, so an event's effect and its inbox row commit together and a
 * replayed event (same id) is skipped.
 *
 * Order: per certificate, certificate_state keeps the status and position (certificate version,
 * event time) of the newest event applied. An event older than that changes nothing, and seals
 * are moved to what the newest status requires; so whatever order events arrive in (a failed
 * freeze redelivered after a later unfreeze, say), the seals end as the newest event says.
 * Each change is also guarded by the seals' current state, so the same news under a new event id
 * changes nothing twice.
 */
@Injectable()
export class SealLifecycle {
  /** Seal events written to the outbox so far (by any call): tells a caller whether its call wrote one. */
  private eventsWritten = 0;

  constructor(
    private readonly certs: CertServiceClient,
    private readonly factory: SealFactory,
  ) {}

  /** Applies one event; resolves true when it may have written seal events (the caller then kicks the outbox relay). */
  async apply(event: DomainEvent, m: EntityManager, logger: Logger): Promise<boolean> {
    const before = this.eventsWritten;
    await this.applyOne(event, m, logger);
    return this.eventsWritten !== before;
  }

  private async applyOne(event: DomainEvent, m: EntityManager, logger: Logger): Promise<void> {
    const data = event.data as CertificateEventData;
    if (!data?.serial) return;
    if (event.type === 'certificate.renewed') return this.renewed(event as DomainEvent<string, RenewedData>, m, logger);
    const status = STATUS_OF_EVENT[event.type];
    if (!status) return;
    await lockCertificate(m, data.serial);
    const position = positionOf(event, data.version);
    if (!(await recordState(m, data.serial, status, position, event))) {
      logger.info({ eventId: event.id, type: event.type, serial: data.serial, version: data.version }, 'older certificate event ignored: a newer one was applied');
      return;
    }
    await this.follow(m, data.serial, status, event, logger);
  }

  /**
   * Applies a batch of events in delivery order, as `apply` would one after the other. A run of
   * consecutive `certificate.issued` events (what a burst of issuance delivers) is applied in
   * two statements for the whole run, after the batch's one lock statement, instead of four for
   * each event: see `issuedRun`.
   */
  async applyAll(events: readonly DomainEvent[], m: EntityManager, logger: Logger): Promise<boolean> {
    const before = this.eventsWritten;
    // Every certificate the batch touches, locked first in one statement and in one order (the
    // renewals' order): two batches, or a batch and a renewal, then never wait on each other in a
    // circle. The per-event locks below are taken again (advisory locks nest) at no wait.
    await lockCertificates(m, [...new Set(events.flatMap(serialsOf))].sort());
    let run: DomainEvent[] = [];
    const flush = async () => {
      if (run.length) await this.issuedRun(run, m, logger);
      run = [];
    };
    for (const event of events) {
      if (event.type === 'certificate.issued' && (event.data as CertificateEventData)?.serial) {
        run.push(event);
        continue;
      }
      await flush();
      await inEventContext(event, () => this.applyOne(event, m, logger));
    }
    await flush();
    return this.eventsWritten !== before;
  }

  /**
   * `apply` for each of a run of `certificate.issued` events, whose certificates applyAll has locked:
   * their recorded states and whether any of their seals is suspended (read in a statement after
   * the locks', so nothing committed before them is missed), then one upsert of the states. The
   * order rule is the same function's; seals are moved (the rare case: suspended seals of a
   * certificate announced as issued) as `follow` moves them, event by event.
   */
  private async issuedRun(events: readonly DomainEvent[], m: EntityManager, logger: Logger): Promise<void> {
    const serials = [...new Set(events.map((e) => (e.data as CertificateEventData).serial))];
    const stateTable = quotedTablePath(m.connection, CertificateStateEntity);
    const sealTable = quotedTablePath(m.connection, SealEntity);
    const rows = await preparedQuery<{ serial: string; version: number | null; occurred_at: Date | null; suspended: boolean }>(
      m,
      `SELECT u.serial, s.version, s.occurred_at,
              EXISTS (SELECT 1 FROM ${sealTable} x WHERE x.certificate_serial = u.serial AND x.status = 'suspended') AS suspended
         FROM unnest($1::text[]) AS u(serial) LEFT JOIN ${stateTable} s ON s.serial = u.serial`,
      [serials],
    );
    const newest = new Map<string, CertificateEventPosition>();
    const suspended = new Set<string>();
    for (const r of rows) {
      if (r.occurred_at) newest.set(r.serial, { version: r.version, occurredAt: new Date(r.occurred_at) });
      if (r.suspended) suspended.add(r.serial);
    }
    const recorded = new Map<string, { event: DomainEvent; position: CertificateEventPosition }>();
    const toFollow: DomainEvent[] = [];
    for (const event of events) {
      const data = event.data as CertificateEventData;
      const position = positionOf(event, data.version);
      if (isOlderCertificateEvent(position, newest.get(data.serial))) {
        logger.info({ eventId: event.id, type: event.type, serial: data.serial, version: data.version }, 'older certificate event ignored: a newer one was applied');
        continue;
      }
      newest.set(data.serial, position);
      recorded.set(data.serial, { event, position });
      if (suspended.has(data.serial)) toFollow.push(event);
    }
    if (recorded.size) {
      const cols = { serial: [] as string[], eventId: [] as string[], eventType: [] as string[], occurredAt: [] as Date[], version: [] as (number | null)[] };
      for (const [serial, { event, position }] of recorded) {
        cols.serial.push(serial);
        cols.eventId.push(event.id);
        cols.eventType.push(event.type);
        cols.occurredAt.push(position.occurredAt);
        cols.version.push(position.version ?? null);
      }
      await preparedQuery(
        m,
        `INSERT INTO ${stateTable} (serial, status, event_id, event_type, occurred_at, version, updated_at)
         SELECT u.serial, 'active', u.event_id, u.event_type, u.occurred_at, u.version, now()
           FROM unnest($1::text[], $2::uuid[], $3::text[], $4::timestamptz[], $5::int[]) AS u(serial, event_id, event_type, occurred_at, version)
         ON CONFLICT (serial) DO UPDATE SET status = EXCLUDED.status, event_id = EXCLUDED.event_id, event_type = EXCLUDED.event_type,
           occurred_at = EXCLUDED.occurred_at, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
        [cols.serial, cols.eventId, cols.eventType, cols.occurredAt, cols.version],
      );
    }
    for (const event of toFollow) {
      await inEventContext(event, () => this.follow(m, (event.data as CertificateEventData).serial, 'active', event, logger));
    }
  }

  private async recordChange(...args: Parameters<typeof recordSealChange>): Promise<void> {
    await recordSealChange(...args);
    this.eventsWritten++;
  }

  /** Moves the certificate's seals to what `status` requires. */
  private async follow(m: EntityManager, serial: string, status: KnownStatus, event: DomainEvent, logger: Logger): Promise<void> {
    const t = FOLLOW[status];
    const seals = await m.find(SealEntity, { where: { certificateSerial: serial, status: In([...t.from]) }, lock: { mode: 'pessimistic_write' } });
    for (const seal of seals) {
      const before = seal.status;
      seal.status = t.to;
      seal.statusReason = t.reason;
      seal.statusChangedAt = new Date();
      seal.updatedAt = seal.statusChangedAt;
      await m.update(SealEntity, { id: seal.id }, { status: seal.status, statusReason: seal.statusReason, statusChangedAt: seal.statusChangedAt, updatedAt: seal.updatedAt });
      await this.recordChange(m, seal, t.event, { action: t.action, from: before, to: t.to, reason: t.reason, eventId: event.id });
    }
    if (seals.length) logger.info({ eventId: event.id, type: event.type, serial, seals: seals.map((s) => s.id), to: t.to }, 'seals followed their certificate');
  }

  /**
   * 更新: each live seal of the old certificate gets a successor made for the new one, and is
   * retired; but only when the cert-service confirms the new certificate renews the old one for
   * the same unit (USCC, account). Anything else is refused: logged, recorded, nothing moved.
   */
  private async renewed(event: DomainEvent<string, RenewedData>, m: EntityManager, logger: Logger): Promise<void> {
    const { oldSerial, newSerial } = event.data;
    if (!oldSerial || !newSerial) return;
    // Lock both certificates in a fixed order, so two renewals can never deadlock.
    for (const s of [oldSerial, newSerial].sort()) await lockCertificate(m, s);
    const olds = await m.find(SealEntity, {
      where: { certificateSerial: oldSerial, status: In(['active', 'suspended']), replacedBy: IsNull() },
      lock: { mode: 'pessimistic_write' },
    });
    const fetched = await this.fetchBoth(oldSerial, newSerial);
    if ('refusal' in fetched) return this.refuse(m, event, olds, fetched.refusal, logger);
    const { old: oldCert, next: cert } = fetched;
    const refusal = renewalRefusal({ event: event.data, oldCertificate: oldCert, newCertificate: cert, sealUnits: olds.map((s) => s.uscc) });
    if (refusal) return this.refuse(m, event, olds, refusal, logger);

    await recordState(m, oldSerial, 'revoked', positionOf(event, event.data.oldVersion), event);
    await recordState(m, newSerial, 'active', positionOf(event, event.data.version), event);
    if (!olds.length) return;

    if (isRevokedForRelyingParties(cert.status) || cert.status === 'expired') {
      // No seal is made for a dead certificate: the old seals end as their certificate did.
      await this.follow(m, oldSerial, 'revoked', event, logger);
      return;
    }
    const state = await m.findOneByOrFail(CertificateStateEntity, { serial: newSerial });
    const successorStatus = SUCCESSOR_STATUS[(state.status as KnownStatus) ?? 'active'] ?? 'active';
    const certDer = pemToDer(cert.certificatePem);
    const certNotAfter = new Date(cert.notAfter);
    const validTo = await this.factory.latestValidTo(certNotAfter);
    for (const old of olds) {
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const image = await m.createQueryBuilder(SealImageEntity, 'i').addSelect('i.png').where('i.id = :id', { id: old.imageId }).getOneOrFail();
      const id = randomUUID();
      const esId = id.replace(/-/g, '');
      const der = await this.factory.build({
        esId,
        binding: { sealId: id, certificateSerial: newSerial, uscc: old.uscc, accountNo: oldCert.unit.accountNo, purpose: 'renewal' },
        kind: old.kind,
        purpose: old.purpose,
        name: old.name,
        certificateDer: certDer,
        createDate: now,
        validFrom: now,
        validTo,
        png: new Uint8Array(image.png),
        widthMm: image.widthMm,
        heightMm: image.heightMm,
      });
      // Retire first: the one-official-seal index then admits the successor.
      const before = old.status;
      old.status = 'retired';
      old.statusReason = `certificate renewed (${newSerial})`;
      old.statusChangedAt = now;
      old.replacedBy = id;
      old.updatedAt = now;
      await m.update(SealEntity, { id: old.id }, { status: 'retired', statusReason: old.statusReason, statusChangedAt: now, updatedAt: now });
      const successor = m.create(SealEntity, {
        ...old,
        id,
        esId,
        status: successorStatus,
        statusReason: successorStatus === 'active' ? `renewal of ${old.id}` : `renewal of ${old.id}; ${FOLLOW[state.status as KnownStatus].reason}`,
        statusChangedAt: now,
        certificateSerial: newSerial,
        certificateProfile: cert.profile,
        certificateNotAfter: certNotAfter,
        validFrom: now,
        validTo,
        der: Buffer.from(der),
        derSha256: sha256Hex(der),
        derBytes: der.length,
        replaces: old.id,
        replacedBy: null,
        createdBy: 'certificate-renewal',
        createdAt: now,
        updatedAt: now,
      });
      await m.insert(SealEntity, successor);
      await m.update(SealEntity, { id: old.id }, { replacedBy: id });
      await this.recordChange(m, old, 'seal.retired', { action: 'retire', from: before, to: 'retired', reason: old.statusReason, eventId: event.id });
      await this.recordChange(m, successor, 'seal.created', { action: 'renew', from: null, to: successorStatus, reason: `renewal of ${old.id}`, eventId: event.id });
      logger.info({ eventId: event.id, oldSeal: old.id, newSeal: id, oldSerial, newSerial, status: successorStatus }, 'seal renewed with its certificate');
    }
  }

  /** Both certificates from the cert-service; one it does not know makes the renewal a refusal. */
  private async fetchBoth(oldSerial: string, newSerial: string): Promise<{ old: CertificateView; next: CertificateView } | { refusal: string }> {
    const get = async (serial: string) => {
      try {
        return await this.certs.getCertificate(serial);
      } catch (e) {
        // Unknown to the cert-service: a renewal that never happened. Anything else (unreachable): retry.
        if (e instanceof ProblemError && (e.status === 404 || e.status === 400)) return undefined;
        throw e;
      }
    };
    // Side by side: the consumer's transaction (and its certificate locks) waits for both.
    const [old, next] = await Promise.all([get(oldSerial), get(newSerial)]);
    if (!old) return { refusal: `the cert-service knows no certificate ${oldSerial}` };
    if (!next) return { refusal: `the cert-service knows no certificate ${newSerial}` };
    return { old, next };
  }

  /** A refused certificate event: kept with its reason, noted in each affected seal's history, published as seal.renewal-refused, logged. */
  private async refuse(m: EntityManager, event: DomainEvent<string, RenewedData>, olds: SealEntity[], reason: string, logger: Logger): Promise<void> {
    await m
      .createQueryBuilder()
      .insert()
      .into(CertificateEventRefusalEntity)
      .values({ eventId: event.id, eventType: event.type, serial: event.data.oldSerial, reason, payload: event as unknown as object })
      .orIgnore()
      .execute();
    for (const seal of olds) {
      await m.insert(SealHistoryEntity, {
        sealId: seal.id,
        action: 'renewal-refused',
        fromStatus: seal.status,
        toStatus: seal.status,
        reason,
        eventId: event.id,
        requestId: event.requestId ?? null,
        actor: 'certificate-renewal',
      });
    }
    // An event too, so consumers of every event (the audit trail) see the refusal.
    const refused: SealRenewalRefusedData = {
      oldSerial: event.data.oldSerial,
      newSerial: event.data.newSerial,
      sealIds: olds.map((s) => s.id),
      reason,
      causeEventId: event.id,
      regionCode: olds[0]?.regionCode ?? event.data.regionCode,
    };
    await appendEvent(m, 'seal.renewal-refused' satisfies SealEventType, event.data.oldSerial, refused);
    this.eventsWritten++;
    logger.warn(
      { eventId: event.id, type: event.type, oldSerial: event.data.oldSerial, newSerial: event.data.newSerial, seals: olds.map((s) => s.id), reason },
      'certificate renewal refused: no successor seals made',
    );
  }
}

/**
 * Runs `fn` as the event's own work: the request that caused it follows into the seals' history
 * and the cert-service's logs; no client or region: the platform acts on its own behalf here.
 */
export function inEventContext<T>(event: DomainEvent, fn: () => Promise<T>): Promise<T> {
  return requestContext.run({ requestId: event.requestId ?? `event:${event.id}` }, fn);
}

/** The certificates an event concerns (what `apply` locks for it). */
function serialsOf(event: DomainEvent): string[] {
  const data = event.data as Partial<RenewedData> | undefined;
  if (event.type === 'certificate.renewed') return data?.oldSerial && data.newSerial ? [data.oldSerial, data.newSerial] : [];
  return STATUS_OF_EVENT[event.type] && typeof data?.serial === 'string' && data.serial ? [data.serial] : [];
}

/** Takes the seal-service's certificate locks (lockCertificate's) of `serials` in the order given, in one statement. */
async function lockCertificates(m: EntityManager, serials: readonly string[]): Promise<void> {
  if (!serials.length) return;
  await preparedQuery(m, 'SELECT pg_advisory_xact_lock(hashtext(u.k)) FROM unnest($1::text[]) WITH ORDINALITY AS u(k, i) ORDER BY u.i', [serials.map(certificateLockKey)]);
}

function positionOf(event: DomainEvent, version: number | undefined): CertificateEventPosition {
  return { version: typeof version === 'number' ? version : null, occurredAt: new Date(event.occurredAt) };
}

/**
 * Records `status` as the certificate's newest known one, unless an event newer than this one was
 * applied already. Returns whether it was recorded (the caller then moves the seals). Runs under
 * the certificate's lock, so read-compare-write cannot interleave with another event's.
 */
async function recordState(m: EntityManager, serial: string, status: KnownStatus, position: CertificateEventPosition, event: DomainEvent): Promise<boolean> {
  const applied = await m.findOneBy(CertificateStateEntity, { serial });
  if (applied && isOlderCertificateEvent(position, applied)) return false;
  await m.upsert(
    CertificateStateEntity,
    { serial, status, eventId: event.id, eventType: event.type, occurredAt: position.occurredAt, version: position.version ?? null, updatedAt: new Date() },
    ['serial'],
  );
  return true;
}
