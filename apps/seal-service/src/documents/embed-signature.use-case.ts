import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import { TimestampAuthorityClient } from './timestamp-authority.client';
import { assembleSignedData, checkSignatureOverAttributes, CmsError, type PreparedSignedAttributes } from '@ecert/cms';
import { DocumentProblemCode, type EmbedSignatureCommand, type SealedDocumentView } from '@ecert/contracts';
import type { DocumentStore } from '@ecert/documents';
import { DATA_SOURCE } from '@ecert/messaging';
import { decodeBase64 } from '../seals/seal-input';
import { Actor } from './document-actor';
import { SealSessionEntity } from './document.entities';
import { uuidOf } from './document-input';
import { documentRejection } from './document-rejection';
import { SEAL_DOCUMENT_STORE } from './document-store.provider';
import { embedOrProblem } from './seal-document.use-case';
import { SealedDocumentWriter } from './sealed-document-writer.service';
import { SealingChecks } from './sealing-checks.service';
import { assembleSes, preparedFromSession } from './ses-signing';

/** An SM2/ECDSA signature is ~72 bytes, RSA-4096 512: anything near this is not a signature. */
const MAX_SIGNATURE_BYTES = 2048;

/**
 * Finishes a deferred signing session: the signature the UKey made over `dataToSign` is checked
 * against the seal's certificate (libs/cms checkSignatureOverAttributes: the certificate named in
 * the attributes, the value verifying with its key — a wrong key or wrong bytes are a 422
 * `signature_invalid` naming `signature`, and the session stays open for a correct one) — for an
 * SM2 seal also the one over the SES TBS_Sign (`sesSignature`, checked the same way) —, every
 * check of sealing is made again (the seal, the rule, the request, the certificate now), and the
 * CMS goes into the prepared PDF's placeholder; the sealed result is stored as a new document.
 */
@Injectable()
export class EmbedSignatureUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(SEAL_DOCUMENT_STORE) private readonly store: DocumentStore,
    private readonly checks: SealingChecks,
    private readonly writer: SealedDocumentWriter,
    private readonly tsa: TimestampAuthorityClient,
  ) {}

  async execute(cmd: EmbedSignatureCommand): Promise<SealedDocumentView> {
    const actor = Actor.current();
    const id = uuidOf(cmd?.sessionId, 'sessionId', { code: DocumentProblemCode.sealSessionNotFound, what: 'signing session' });
    const signatureBytes = decodeBase64(cmd?.signature, 'signature', MAX_SIGNATURE_BYTES)!;
    const sesSignatureBytes = decodeBase64(cmd?.sesSignature, 'sesSignature', MAX_SIGNATURE_BYTES, false);
    const session = await this.ds.getRepository(SealSessionEntity).findOneBy({ id });
    if (!session || !actor.is(session.createdByClient, session.createdByStaff)) throw ProblemError.notFound(DocumentProblemCode.sealSessionNotFound, `No signing session with id '${id}' of yours`);
    if (session.usedAt) {
      throw new ProblemError(409, DocumentProblemCode.sealSessionUsed, '签署会话已完成 (session completed)', `Signing session ${id} was completed at ${session.usedAt.toISOString()}`, 'sessionId', session.sealedDocumentId ? { sealedDocumentId: session.sealedDocumentId } : {});
    }
    if (session.expiresAt.getTime() <= Date.now()) {
      throw new ProblemError(410, DocumentProblemCode.sealSessionExpired, '签署会话已过期 (session expired)', `Signing session ${id} expired at ${session.expiresAt.toISOString()}: prepare again`, 'sessionId');
    }
    const c = await this.checks.check({ documentId: session.documentId, sealId: session.sealId, sealUseRequestId: session.sealUseRequestId }, actor);
    if (c.certificate.view.serial !== session.certificateSerial) {
      throw new ProblemError(409, DocumentProblemCode.sealSessionExpired, '印章证书已变更 (certificate changed)', `The seal is bound to ${c.certificate.view.serial} now, not ${session.certificateSerial}: prepare again`, 'sessionId');
    }
    const attributes: PreparedSignedAttributes = {
      family: session.family,
      der: new Uint8Array(session.signedAttributes),
      digestAlgorithm: session.digestAlgorithm,
      dataToSign: new Uint8Array(session.dataToSign),
      digestToSign: new Uint8Array(session.digestToSign),
    };
    let signature: Uint8Array;
    try {
      signature = checkSignatureOverAttributes(attributes, signatureBytes, c.certificate.der);
    } catch (e) {
      if (e instanceof CmsError) {
        throw new ProblemError(422, DocumentProblemCode.signatureInvalid, '签名无效 (signature invalid)', `${e.message} (certificate ${c.certificate.view.serial}, ${c.certificate.profile.signatureAlgorithm} over dataToSign)`, 'signature');
      }
      throw e;
    }
    let sesSignature: Uint8Array | undefined;
    if (session.sesDataToSign && session.sesDigestToSign) {
      if (!sesSignatureBytes) {
        throw ProblemError.badRequest(ProblemCode.validationFailed, 'sesSignature', 'this SM2 seal needs the signature over ses.dataToSign (the GB/T 38540 TBS_Sign) too');
      }
      const ses = preparedFromSession(new Uint8Array(session.sesDataToSign), new Uint8Array(session.sesDigestToSign), c.certificate.der);
      sesSignature = assembleSes(ses, sesSignatureBytes, (detail) => new ProblemError(422, DocumentProblemCode.signatureInvalid, '签章签名无效 (SES signature invalid)', `${detail} (certificate ${c.certificate.view.serial}, SM2 with SM3 over ses.dataToSign)`, 'sesSignature'));
    } else if (sesSignatureBytes) {
      throw ProblemError.badRequest(ProblemCode.validationFailed, 'sesSignature', 'this session has no SES TBS_Sign to sign (only SM2 seals carry one)');
    }
    const timestampToken = await this.tsa.tokenFor(signature);
    const cms = assembleSignedData({ prepared: attributes, signature, signerCertificate: c.certificate.der, chain: c.certificate.chain, ...(timestampToken ? { timestampToken } : {}), ...(sesSignature ? { sesSignature } : {}) });
    let pdf: Uint8Array;
    try {
      pdf = await this.store.get(session.preparedSha256);
    } catch (e) {
      throw documentRejection(e, 'sessionId');
    }
    const sealedPdf = embedOrProblem(
      { pdf, byteRange: session.byteRange as [number, number, number, number], contentsOffset: session.contentsOffset, contentsLength: session.contentsLength, fieldName: session.fieldName },
      cms,
    );
    return this.writer.complete({ context: c, actor, sealedPdf, cms, ...(sesSignature ? { sesSignature } : {}), mode: 'deferred', fieldName: session.fieldName, placements: session.placements, session });
  }
}
