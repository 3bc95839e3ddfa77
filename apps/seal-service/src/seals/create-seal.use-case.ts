import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { In, type DataSource } from 'typeorm';
import { ProblemCode, ProblemError, requestContext } from '@ecert/common';
import {
  SEAL_KIND_PROFILE,
  SEAL_KINDS,
  SEAL_PURPOSES,
  SealProblemCode,
  sealTypeCode,
  type CertificateView,
  type CreateSealCommand,
  type SealPurpose,
  type SealView,
} from '@ecert/contracts';
import { DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { generateSealImage, normalizeSealPng, SEAL_IMAGE_LIMITS, type NormalizedSealImage } from '../images';
import { CertServiceClient } from '../cert-client/cert-service.client';
import { CertificateStateEntity, SealEntity, SealImageEntity } from './seal.entities';
import { pemToDer, SealFactory, sha256Hex } from './seal-factory.service';
import { decodeBase64, imageProblem, intInRange, normalizeSerial, oneOf, optionalDate, text } from './seal-input';
import { isOfficialSealConflict, lockCertificate, recordSealChange } from './seal-writer';
import { toSealView } from './seal-view';
import { sealReceipts } from './seal-command-receipts';
import { SealQueries } from './seal-queries.service';

/** Printed seal sizes ecert accepts (millimetres): personal name seals are ~15 mm, large official seals ~60 mm. */
export const SEAL_MM_RANGE = { min: 5, max: 200 } as const;
/** How far the picture's aspect ratio may differ from widthMm:heightMm before it would print distorted. */
const ASPECT_TOLERANCE = 0.25;
/** A certificate event this close to (or after) the moment we asked the cert-service wins over its answer. */
const CLOCK_SKEW_MS = 2000;

interface ValidCommand {
  kind: CreateSealCommand['kind'];
  purpose: SealPurpose | null;
  name: string;
  image: NormalizedSealImage;
  widthMm: number;
  heightMm: number;
  serial: string;
  validFrom?: Date;
  validTo?: Date;
  additional: boolean;
  reason: string | null;
}

/**
 * 制章: checks the request and the picture, asks the cert-service for the certificate, applies the
 * binding rules, has the seal maker sign the v4 SES_Seal and stores it. Nothing is stored unless
 * everything passed. One official seal per unit (USCC) unless `additional` (with a reason): a
 * pre-check gives the clear answer, a partial unique index settles concurrent creations. With an
 * idempotency key a retry gets the seal the first attempt made, as it is now: never a second one.
 */
@Injectable()
export class CreateSealUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly certs: CertServiceClient,
    private readonly factory: SealFactory,
    private readonly queries: SealQueries,
  ) {}

  async execute(input: CreateSealCommand): Promise<SealView> {
    const receipt = sealReceipts.claimOf('create', input);
    const cmd = validate(input);
    // A retry of a creation that ran is answered before the seal maker signs anything.
    const earlier = receipt && (await sealReceipts.find(this.ds, receipt));
    if (earlier) return this.queries.get(earlier);
    const askedAt = Date.now();
    const cert = await this.certificate(cmd.serial);
    checkBinding(cmd, cert);

    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const certNotAfter = new Date(cert.notAfter);
    const validFrom = cmd.validFrom ?? now;
    const latest = await this.factory.latestValidTo(certNotAfter);
    const validTo = cmd.validTo ?? latest;
    if (validTo.getTime() > latest.getTime()) {
      throw ProblemError.badRequest(
        ProblemCode.validationFailed,
        'validTo',
        `validTo must not be after ${latest.toISOString()} (the certificate's notAfter ${cert.notAfter}, or the seal maker's if earlier)`,
      );
    }
    if (validFrom.getTime() < new Date(cert.notBefore).getTime() - 1000) {
      throw ProblemError.badRequest(ProblemCode.validationFailed, 'validFrom', `validFrom must not be before the certificate's notBefore (${cert.notBefore})`);
    }
    if (validFrom.getTime() >= validTo.getTime()) throw ProblemError.badRequest(ProblemCode.validationFailed, 'validFrom', 'validFrom must be before validTo');

    if (cmd.kind === 'official' && !cmd.additional) {
      const existing = await this.officialSeal(cert.unit.uscc);
      // It may be this command's own first attempt, committed since the look above.
      const earlier = existing && receipt && (await sealReceipts.find(this.ds, receipt));
      if (earlier) return this.queries.get(earlier);
      if (existing) throw conflict(cert.unit.uscc, existing.id);
    }

    const id = randomUUID();
    const esId = id.replace(/-/g, '');
    const der = await this.factory.build({
      esId,
      binding: { sealId: id, certificateSerial: cmd.serial, uscc: cert.unit.uscc, accountNo: cert.unit.accountNo, purpose: 'create' },
      kind: cmd.kind,
      purpose: cmd.purpose,
      name: cmd.name,
      certificateDer: pemToDer(cert.certificatePem),
      createDate: now,
      validFrom,
      validTo,
      png: cmd.image.png,
      widthMm: cmd.widthMm,
      heightMm: cmd.heightMm,
    });

    const ctx = requestContext.getStore();
    let saved: { winner: string } | { seal: SealEntity; image: SealImageEntity };
    try {
      saved = await this.ds.transaction(async (m): Promise<{ winner: string } | { seal: SealEntity; image: SealImageEntity }> => {
        // A concurrent attempt with the same key committed while this one was signed: its seal is
        // the answer, and this one is never stored.
        const winner = receipt && (await sealReceipts.lockAndFind(m, receipt));
        if (winner) return { winner };
        await lockCertificate(m, cmd.serial);
        // The certificate may have changed after the cert-service answered: the event stream has the last word.
        const state = await m.findOneBy(CertificateStateEntity, { serial: cmd.serial });
        if (state && state.status !== 'active' && state.occurredAt.getTime() >= askedAt - CLOCK_SKEW_MS) {
          throw notActive(cmd.serial, state.status);
        }
        const image = m.create(SealImageEntity, {
          id: randomUUID(),
          sha256: sha256Hex(cmd.image.png),
          png: Buffer.from(cmd.image.png),
          bytes: cmd.image.png.length,
          widthPx: cmd.image.widthPx,
          heightPx: cmd.image.heightPx,
          widthMm: cmd.widthMm,
          heightMm: cmd.heightMm,
          source: 'upload',
          createdAt: now,
        });
        await m.insert(SealImageEntity, image);
        const seal = m.create(SealEntity, {
          id,
          esId,
          kind: cmd.kind,
          purpose: cmd.purpose,
          typeCode: sealTypeCode(cmd.kind, cmd.purpose ?? undefined),
          name: cmd.name,
          status: 'active',
          statusReason: null,
          statusChangedAt: now,
          additional: cmd.additional,
          additionalReason: cmd.reason,
          uscc: cert.unit.uscc,
          unitName: cert.unit.name,
          regionCode: cert.unit.regionCode,
          certificateSerial: cmd.serial,
          certificateProfile: cert.profile,
          certificateNotAfter: certNotAfter,
          imageId: image.id,
          validFrom,
          validTo,
          der: Buffer.from(der),
          derSha256: sha256Hex(der),
          derBytes: der.length,
          replaces: null,
          replacedBy: null,
          createdBy: ctx?.actor ?? ctx?.clientId ?? null,
          createdAt: now,
          updatedAt: now,
        });
        await m.insert(SealEntity, seal);
        await recordSealChange(m, seal, 'seal.created', { action: 'create', from: null, to: 'active', reason: cmd.reason });
        if (receipt) await sealReceipts.record(m, receipt, seal.id);
        return { seal, image };
      });
    } catch (e) {
      if (isOfficialSealConflict(e)) throw await this.officialConflict(cert.unit.uscc);
      throw e;
    }
    if ('winner' in saved) return this.queries.get(saved.winner);
    this.relay.kick();
    return toSealView(saved.seal, saved.image);
  }

  private async certificate(serial: string): Promise<CertificateView> {
    try {
      return await this.certs.getCertificate(serial);
    } catch (e) {
      if (e instanceof ProblemError && e.status === 404) {
        throw new ProblemError(422, SealProblemCode.certificateNotFound, '证书不存在 (certificate not found)', `No certificate with serial ${serial}`, 'certificateSerial');
      }
      if (e instanceof ProblemError && e.status === 400) {
        throw ProblemError.badRequest(ProblemCode.validationFailed, 'certificateSerial', e.detail ?? 'invalid certificate serial');
      }
      throw e;
    }
  }

  private officialSeal(uscc: string): Promise<SealEntity | null> {
    return this.ds.getRepository(SealEntity).findOne({
      where: { uscc, kind: 'official', additional: false, status: In(['active', 'suspended']) },
    });
  }

  private async officialConflict(uscc: string): Promise<ProblemError> {
    return conflict(uscc, (await this.officialSeal(uscc))?.id);
  }
}

function conflict(uscc: string, existingId?: string): ProblemError {
  return new ProblemError(
    409,
    SealProblemCode.officialSealExists,
    '单位已有法定名称章 (official seal exists)',
    `Unit ${uscc} already has an official seal${existingId ? ` (${existingId})` : ''}; a further one needs additional=true and a reason`,
    'additional',
    existingId ? { existingSealId: existingId } : {},
  );
}

function notActive(serial: string, status: string): ProblemError {
  return new ProblemError(
    422,
    SealProblemCode.certificateNotActive,
    '证书不可用 (certificate not active)',
    `Certificate ${serial} is ${status}; a seal binds only to an active certificate`,
    'certificateSerial',
    { certificateStatus: status },
  );
}

function checkBinding(cmd: ValidCommand, cert: CertificateView): void {
  const wanted = SEAL_KIND_PROFILE[cmd.kind];
  if (cert.profile !== wanted) {
    throw new ProblemError(
      422,
      SealProblemCode.bindingInvalid,
      '印章与证书类型不符 (seal/certificate mismatch)',
      `A ${cmd.kind} seal binds to a ${wanted} certificate; ${cert.serial} is a ${cert.profile} certificate`,
      'certificateSerial',
      { certificateProfile: cert.profile, requiredProfile: wanted },
    );
  }
  if (cert.status !== 'active') throw notActive(cert.serial, cert.status);
}

/** The uploaded picture, or one drawn from the name: exactly one of image and generateImage. */
function sealImage(c: CreateSealCommand, name: string, widthMm: number, heightMm: number): NormalizedSealImage {
  const given = c.image !== undefined && c.image !== null && c.image !== '';
  if (c.generateImage === undefined || c.generateImage === null) {
    if (!given) throw ProblemError.badRequest(ProblemCode.validationFailed, 'image', 'image (a base64 PNG) or generateImage is required');
    const bytes = decodeBase64(c.image, 'image', SEAL_IMAGE_LIMITS.maxBytes)!;
    return normalized(bytes, 'image');
  }
  if (given) throw ProblemError.badRequest(ProblemCode.validationFailed, 'generateImage', 'give either image or generateImage, not both');
  const g = c.generateImage;
  if (typeof g !== 'object' || Array.isArray(g)) throw ProblemError.badRequest(ProblemCode.validationFailed, 'generateImage', 'generateImage must be an object');
  const centerText = text(g.centerText, 'generateImage.centerText', 20, false);
  const bottomText = text(g.bottomText, 'generateImage.bottomText', 30, false);
  // At most 1000 px a side: sharp enough to print, well inside the upload limits the result is checked against.
  const pxPerMm = Math.min(10, 1000 / Math.max(widthMm, heightMm));
  let png: Buffer;
  try {
    png = generateSealImage({ text: name, centerText, bottomText, shape: widthMm === heightMm ? 'round' : 'oval', diameterMm: widthMm, heightMm, pxPerMm }).png;
  } catch (e) {
    throw imageProblem(e, 'generateImage');
  }
  return normalized(png, 'generateImage');
}

function normalized(bytes: Uint8Array, field: string): NormalizedSealImage {
  try {
    return normalizeSealPng(bytes);
  } catch (e) {
    throw imageProblem(e, field);
  }
}

function validate(c: CreateSealCommand): ValidCommand {
  if (!c || typeof c !== 'object') throw ProblemError.badRequest(ProblemCode.validationFailed, 'body', 'a seal request object is required');
  const kind = oneOf(c.kind, 'kind', SEAL_KINDS);
  let purpose: SealPurpose | null = null;
  if (kind === 'special') purpose = oneOf(c.purpose, 'purpose', SEAL_PURPOSES);
  else if (c.purpose !== undefined && c.purpose !== null) throw ProblemError.badRequest(ProblemCode.validationFailed, 'purpose', 'purpose applies only to kind=special');
  const name = text(c.name, 'name', 128)!;
  const widthMm = intInRange(c.widthMm, 'widthMm', SEAL_MM_RANGE.min, SEAL_MM_RANGE.max);
  const heightMm = intInRange(c.heightMm, 'heightMm', SEAL_MM_RANGE.min, SEAL_MM_RANGE.max);
  const serial = normalizeSerial(c.certificateSerial);
  const validFrom = optionalDate(c.validFrom, 'validFrom');
  const validTo = optionalDate(c.validTo, 'validTo');
  if (c.additional !== undefined && typeof c.additional !== 'boolean') throw ProblemError.badRequest(ProblemCode.validationFailed, 'additional', 'additional must be a boolean');
  const additional = c.additional === true;
  if (additional && kind !== 'official') {
    throw ProblemError.badRequest(ProblemCode.validationFailed, 'additional', 'only official seals are limited to one per unit; additional applies to kind=official');
  }
  const reason = text(c.reason, 'reason', 500, additional) ?? null;
  if (!additional && reason !== null) throw ProblemError.badRequest(ProblemCode.validationFailed, 'reason', 'reason is given only with additional=true');

  const image = sealImage(c, name, widthMm, heightMm);
  const pxRatio = image.widthPx / image.heightPx;
  const mmRatio = widthMm / heightMm;
  if (Math.abs(pxRatio / mmRatio - 1) > ASPECT_TOLERANCE) {
    throw ProblemError.badRequest(
      SealProblemCode.imageSizeMismatch,
      'widthMm',
      `the picture is ${image.widthPx}x${image.heightPx} px (after cropping) but ${widthMm}x${heightMm} mm was given: it would print distorted`,
    );
  }
  return { kind, purpose, name, image, widthMm, heightMm, serial, validFrom, validTo, additional, reason };
}
