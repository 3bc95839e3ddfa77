import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { canonicalJson, ProblemError } from '@ecert/common';
import { DocumentProblemCode, SealProblemCode, type CertificateView, type PlacementSpec } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { describePublicKey } from '@ecert/pki';
import { parseCertificate } from '@ecert/ses';
import { CertServiceClient } from '../cert-client/cert-service.client';
import { SealEntity, SealImageEntity } from '../seals/seal.entities';
import { pemToDer } from '../seals/seal-factory.service';
import { effectiveSealStatus } from '../seals/seal-view';
import type { Actor } from './document-actor';
import { DocumentAccess } from './document-access.service';
import { DocumentEntity, SealUseRequestEntity, SealUseRuleEntity } from './document.entities';
import { uuidOf } from './document-input';
import { effectiveRequestStatus } from './document-view';
import { notPermitted } from './create-seal-use-request.use-case';
import { findSeal } from './seal-lookup';
import { mayUse } from './seal-use-policy';
import { signingProfileOf, type KeyFamily, type SigningProfile } from './signing-profile';

export interface SigningCertificate {
  view: CertificateView;
  der: Uint8Array;
  /** Issuing CA and root, DER. */
  chain: Uint8Array[];
  key: KeyFamily;
  profile: SigningProfile;
}

/** Everything sealing needs, checked. */
export interface SealingContext {
  document: DocumentEntity;
  seal: SealEntity;
  image: { png: Buffer; widthMm: number; heightMm: number };
  request: SealUseRequestEntity;
  certificate: SigningCertificate;
  /** When the cert-service was asked: a certificate event since then has the last word. */
  askedAt: number;
  /** The seal's DER SES_Seal, for an SM2 key (it goes into the SES_Signature). */
  sealDer?: Uint8Array;
}

export interface SealingTarget {
  documentId: unknown;
  sealId: unknown;
  sealUseRequestId: unknown;
  placements?: PlacementSpec[];
}

/**
 * The checks before a seal goes on a document, at prepare and again at embed (time passes in
 * between: a UKey lost meanwhile must stop the embed): the document is one the caller may see;
 * the seal is active (not suspended, revoked, retired or expired); the caller is one of its
 * users by its rule; the seal-use request is for this seal and exactly this document's SHA-256,
 * the caller's own, approved, unused and not expired; the certificate is active at the
 * cert-service now (not frozen or revoked, issuer not revoked, not expired).
 */
@Injectable()
export class SealingChecks {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly access: DocumentAccess,
    private readonly certs: CertServiceClient,
  ) {}

  async check(target: SealingTarget, actor: Actor): Promise<SealingContext> {
    const document = await this.access.withContent(target.documentId, actor);
    const seal = await findSeal(this.ds.manager, target.sealId);
    assertSealActive(seal);
    const rule = await this.ds.getRepository(SealUseRuleEntity).findOneBy({ sealId: seal.id });
    if (!mayUse(actor, rule)) throw notPermitted(actor.describe(), seal.id);

    const requestId = uuidOf(target.sealUseRequestId, 'sealUseRequestId', { code: DocumentProblemCode.sealUseRequestNotFound, what: 'seal-use request' });
    const request = await this.ds.getRepository(SealUseRequestEntity).findOneBy({ id: requestId });
    if (!request || !actor.is(request.requestedByClient, request.requestedByStaff)) {
      throw ProblemError.notFound(DocumentProblemCode.sealUseRequestNotFound, `No seal-use request with id '${requestId}' of yours`);
    }
    if (request.sealId !== seal.id) throw mismatch(`seal-use request ${request.id} is for seal ${request.sealId}, not ${seal.id}`, 'sealId');
    if (request.documentSha256 !== document.sha256) {
      throw mismatch(`seal-use request ${request.id} approves the document with SHA-256 ${request.documentSha256}; document ${document.id} is ${document.sha256}`, 'sealUseRequestId');
    }
    if (target.placements !== undefined && canonicalJson(target.placements) !== canonicalJson(request.placements)) {
      throw mismatch(`the placements differ from those of seal-use request ${request.id} (what was approved): leave them out or send them unchanged`, 'placements');
    }
    assertRequestUsable(request);

    const image = await this.ds
      .getRepository(SealImageEntity)
      .createQueryBuilder('i')
      .addSelect('i.png')
      .where('i.id = :id', { id: seal.imageId })
      .getOneOrFail();
    const askedAt = Date.now();
    const certificate = await this.certificate(seal.certificateSerial);
    const sealDer = certificate.key === 'sm2' ? await this.sealDer(seal.id) : undefined;
    return { document, seal, image: { png: image.png, widthMm: image.widthMm, heightMm: image.heightMm }, request, certificate, askedAt, ...(sealDer ? { sealDer } : {}) };
  }

  private async sealDer(id: string): Promise<Uint8Array> {
    const row = await this.ds.getRepository(SealEntity).createQueryBuilder('s').select(['s.id']).addSelect('s.der').where('s.id = :id', { id }).getOneOrFail();
    return new Uint8Array(row.der);
  }

  private async certificate(serial: string): Promise<SigningCertificate> {
    let view: CertificateView;
    try {
      view = await this.certs.getCertificateAsService(serial);
    } catch (e) {
      if (e instanceof ProblemError && e.status === 404) throw notActive(serial, 'not found at the cert-service');
      throw e;
    }
    if (view.status !== 'active') throw notActive(serial, view.status);
    if (view.issuerRevoked) throw notActive(serial, 'under a revoked CA');
    if (new Date(view.notAfter).getTime() <= Date.now()) throw notActive(serial, 'expired');
    const der = pemToDer(view.certificatePem);
    const d = describePublicKey(parseCertificate(der).spki);
    if (!d.family) throw notActive(serial, `of an unusable key (${d.label})`);
    return { view, der, chain: view.chainPem.map(pemToDer), key: d.family, profile: signingProfileOf(d.family) };
  }
}

export function assertSealActive(seal: SealEntity): void {
  const status = effectiveSealStatus(seal);
  if (status !== 'active') {
    throw new ProblemError(422, DocumentProblemCode.sealNotActive, '印章不可用 (seal not active)', `Seal ${seal.id} is ${status}${seal.statusReason ? ` (${seal.statusReason})` : ''}`, 'sealId', { sealStatus: status });
  }
}

export function assertRequestUsable(request: SealUseRequestEntity): void {
  const status = effectiveRequestStatus(request);
  if (status === 'used') {
    throw new ProblemError(409, DocumentProblemCode.sealUseRequestUsed, '用印申请已使用 (already used)', `Seal-use request ${request.id} was used at ${request.usedAt?.toISOString()}: each approval seals once`, 'sealUseRequestId', request.sealedDocumentId ? { sealedDocumentId: request.sealedDocumentId } : {});
  }
  if (status === 'expired') {
    throw new ProblemError(422, DocumentProblemCode.sealUseRequestExpired, '用印申请已过期 (approval expired)', `The approval of seal-use request ${request.id} expired at ${request.expiresAt?.toISOString()}: ask again`, 'sealUseRequestId');
  }
  if (status !== 'approved') {
    throw new ProblemError(422, DocumentProblemCode.sealUseRequestNotApproved, '用印申请未获批准 (not approved)', `Seal-use request ${request.id} is ${status}: only an approved request can be sealed`, 'sealUseRequestId', { requestStatus: status });
  }
}

function mismatch(detail: string, field: string): ProblemError {
  return new ProblemError(422, DocumentProblemCode.sealUseRequestMismatch, '与用印申请不符 (not what was approved)', detail, field);
}

export function notActive(serial: string, status: string): ProblemError {
  return new ProblemError(422, SealProblemCode.certificateNotActive, '证书不可用 (certificate not active)', `The seal's certificate ${serial} is ${status}: it cannot seal`, 'sealId', { certificateStatus: status });
}
