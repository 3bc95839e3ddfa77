import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { In, IsNull, type EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import type { CertificateEventData, DomainEvent, SealEventType } from '@ecert/contracts';
import { CertServiceClient } from '../cert-client/cert-service.client';
import { CertificateStateEntity, SealEntity, SealImageEntity, type StoredSealStatus } from '../seals/seal.entities';
import { pemToDer, SealFactory, sha256Hex } from '../seals/seal-factory.service';
import { lockCertificate, recordSealChange } from '../seals/seal-writer';

type RenewedData = CertificateEventData & { oldSerial: string; newSerial: string };

interface Transition {
  from: readonly StoredSealStatus[];
  to: StoredSealStatus;
  event: SealEventType;
  action: string;
  reason: string;
}

const TRANSITIONS: Record<string, Transition> = {
  'certificate.frozen': { from: ['active'], to: 'suspended', event: 'seal.suspended', action: 'suspend', reason: 'certificate frozen (挂失)' },
  'certificate.unfrozen': { from: ['suspended'], to: 'active', event: 'seal.reactivated', action: 'reactivate', reason: 'certificate unfrozen (挂失恢复)' },
  'certificate.revoked': { from: ['active', 'suspended'], to: 'revoked', event: 'seal.revoked', action: 'revoke', reason: 'certificate revoked' },
};

/**
 * How seals follow their certificate. Runs inside the inbox transaction of the certificate-event
 * consumer, with its EntityManager, so an event's effect and its inbox row commit together and a
 * replayed event (same id) is skipped. Each change is also guarded by the seal's current state
 * (only active seals are suspended, only seals not yet replaced are renewed…), so even the same
 * news under a new event id changes nothing twice.
 */
@Injectable()
export class SealLifecycle {
  constructor(
    private readonly certs: CertServiceClient,
    private readonly factory: SealFactory,
  ) {}

  async apply(event: DomainEvent, m: EntityManager, logger: Logger): Promise<void> {
    const data = event.data as CertificateEventData;
    if (!data?.serial) return;
    if (event.type === 'certificate.renewed') return this.renewed(event as DomainEvent<string, RenewedData>, m, logger);
    await lockCertificate(m, data.serial);
    await recordState(m, data.serial, event.type === 'certificate.frozen' ? 'frozen' : event.type === 'certificate.revoked' ? 'revoked' : 'active', event);
    const t = TRANSITIONS[event.type];
    if (!t) return;
    const seals = await m.find(SealEntity, { where: { certificateSerial: data.serial, status: In([...t.from]) }, lock: { mode: 'pessimistic_write' } });
    for (const seal of seals) {
      const before = seal.status;
      seal.status = t.to;
      seal.statusReason = t.reason;
      seal.statusChangedAt = new Date();
      seal.updatedAt = seal.statusChangedAt;
      await m.update(SealEntity, { id: seal.id }, { status: seal.status, statusReason: seal.statusReason, statusChangedAt: seal.statusChangedAt, updatedAt: seal.updatedAt });
      await recordSealChange(m, seal, t.event, { action: t.action, from: before, to: t.to, reason: t.reason, eventId: event.id });
    }
    if (seals.length) logger.info({ eventId: event.id, type: event.type, serial: data.serial, seals: seals.map((s) => s.id), to: t.to }, 'seals followed their certificate');
  }

  /** 更新: each live seal of the old certificate gets a successor made for the new one, and is retired. */
  private async renewed(event: DomainEvent<string, RenewedData>, m: EntityManager, logger: Logger): Promise<void> {
    const { oldSerial, newSerial } = event.data;
    if (!oldSerial || !newSerial) return;
    // Lock both certificates in a fixed order, so two renewals can never deadlock.
    for (const s of [oldSerial, newSerial].sort()) await lockCertificate(m, s);
    await recordState(m, oldSerial, 'revoked', event);
    await recordState(m, newSerial, 'active', event);
    const olds = await m.find(SealEntity, {
      where: { certificateSerial: oldSerial, status: In(['active', 'suspended']), replacedBy: IsNull() },
      lock: { mode: 'pessimistic_write' },
    });
    if (!olds.length) return;
    const cert = await this.certs.getCertificate(newSerial);
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
        binding: { sealId: id, certificateSerial: newSerial, uscc: old.uscc, accountNo: cert.unit.accountNo, purpose: 'renewal' },
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
        status: 'active',
        statusReason: `renewal of ${old.id}`,
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
      await recordSealChange(m, old, 'seal.retired', { action: 'retire', from: before, to: 'retired', reason: old.statusReason, eventId: event.id });
      await recordSealChange(m, successor, 'seal.created', { action: 'renew', from: null, to: 'active', reason: `renewal of ${old.id}`, eventId: event.id });
      logger.info({ eventId: event.id, oldSeal: old.id, newSeal: id, oldSerial, newSerial }, 'seal renewed with its certificate');
    }
  }
}

/** The newest certificate status seen on the stream; an older event never overwrites a newer one. */
async function recordState(m: EntityManager, serial: string, status: string, event: DomainEvent): Promise<void> {
  const table = m.connection.getMetadata(CertificateStateEntity).tablePath.split('.').map((p) => `"${p}"`).join('.');
  await m.query(
    `INSERT INTO ${table} (serial, status, event_id, event_type, occurred_at, updated_at) VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (serial) DO UPDATE SET status = EXCLUDED.status, event_id = EXCLUDED.event_id, event_type = EXCLUDED.event_type,
       occurred_at = EXCLUDED.occurred_at, updated_at = now()
     WHERE ${table.split('.').pop()}.occurred_at <= EXCLUDED.occurred_at`,
    [serial, status, event.id, event.type, event.occurredAt],
  );
}
