import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import { TimestampAuthorityClient } from './timestamp-authority.client';
import { assembleSignedData, checkSignatureOverAttributes, CmsError, digestChunks, prepareSignedAttributes, type PreparedSignedAttributes } from '@ecert/cms';
import { DocumentProblemCode, SEALING_MODES, type SealDocumentCommand, type SealDocumentReply, type SealSessionView } from '@ecert/contracts';
import type { DocumentStore } from '@ecert/documents';
import { DATA_SOURCE } from '@ecert/messaging';
import { embedSignature, prepareSignature, readPdfPages, signedChunks, type PreparedSignature } from '@ecert/pdf';
import { CertServiceClient } from '../cert-client/cert-service.client';
import { oneOf } from '../seals/seal-input';
import { Actor } from './document-actor';
import { SealSessionEntity } from './document.entities';
import { optionalText, placementsOf } from './document-input';
import { documentRejection } from './document-rejection';
import { SEAL_DOCUMENT_STORE } from './document-store.provider';
import { pdfProblem } from './pdf-problem';
import { resolvePlacements, toResolvedView } from './placement-resolver';
import { SealedDocumentWriter } from './sealed-document-writer.service';
import { SealingChecks, type SealingContext } from './sealing-checks.service';
import { assembleSes, contentsBytesFor, prepareSes } from './ses-signing';
import type { PreparedSesSignatureV4 } from '@ecert/ses';

/** A deferred signing session lives this long: long enough to plug in a UKey and type the PIN. */
export const SESSION_TTL_MS = 10 * 60_000;

/**
 * 盖章: puts the seal on the document as an approved seal-use request says (SealingChecks), as an
 * incremental update (libs/pdf: the seal picture as the widget's appearance, one field, earlier
 * signatures untouched) with the container of the key's family (libs/cms, signing-profile).
 * - `server`: the certificate's key is held by the platform (an office's own seal): the
 *   cert-service signs the attributes (Subjects.cert.platformKeySign, in this very request),
 *   the signature is checked against the certificate, assembled and embedded, all in one call;
 * - `deferred`: the key is on a UKey: the prepared PDF goes into the document store and a
 *   session (10 minutes) keeps the signed attributes; the caller gets the data to sign and comes
 *   back to Subjects.seal.documentEmbed with the signature.
 * A certificate on a UKey asked for `server` is a 409 telling to use `deferred`. An SM2 seal also
 * gets its GB/T 38540 SES_Signature (ses-signing): signed in the same platform-key call, or a
 * second data-to-sign of the session; it goes into the CMS as an unsigned attribute.
 */
@Injectable()
export class SealDocumentUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(SEAL_DOCUMENT_STORE) private readonly store: DocumentStore,
    private readonly checks: SealingChecks,
    private readonly certs: CertServiceClient,
    private readonly writer: SealedDocumentWriter,
    private readonly tsa: TimestampAuthorityClient,
  ) {}

  async execute(cmd: SealDocumentCommand): Promise<SealDocumentReply> {
    const actor = Actor.current();
    if (!cmd || typeof cmd !== 'object') throw ProblemError.badRequest(ProblemCode.validationFailed, 'body', 'a seal request object is required');
    const mode = oneOf(cmd.mode, 'mode', SEALING_MODES);
    const reason = optionalText(cmd.reason, 'reason', 200);
    const location = optionalText(cmd.location, 'location', 200);
    const placements = cmd.placements === undefined || cmd.placements === null ? undefined : placementsOf(cmd.placements);
    const c = await this.checks.check({ documentId: cmd.documentId, sealId: cmd.sealId, sealUseRequestId: cmd.sealUseRequestId, ...(placements ? { placements } : {}) }, actor);
    if (mode === 'server' && !c.certificate.view.platformHeld) {
      throw new ProblemError(
        409,
        DocumentProblemCode.deferredSigningRequired,
        '请使用 UKey 签署 (sign on the UKey)',
        `The key of certificate ${c.certificate.view.serial} is on a UKey, not held by the platform: seal with mode=deferred and sign the data on the UKey`,
        'mode',
      );
    }
    const { prepared, attributes, ses, boxes } = await this.prepare(c, reason ?? c.request.purpose, location);

    if (mode === 'server') {
      const reply = await this.certs.platformKeySign({
        certificateSerial: c.certificate.view.serial,
        dataToSign: Buffer.from(attributes.dataToSign).toString('base64'),
        purpose: 'document',
        ...(ses ? { sesDataToSign: Buffer.from(ses.dataToSign).toString('base64') } : {}),
      });
      const badPlatformSignature = (detail: string) => new ProblemError(502, 'platform_signature_invalid', '平台签名无效 (bad platform signature)', `The platform key's signature does not verify: ${detail}`);
      let signature: Uint8Array;
      try {
        signature = checkSignatureOverAttributes(attributes, Buffer.from(reply.signature, 'base64'), c.certificate.der);
      } catch (e) {
        if (e instanceof CmsError) throw badPlatformSignature(e.message);
        throw e;
      }
      let sesSignature: Uint8Array | undefined;
      if (ses) {
        if (!reply.sesSignature) throw badPlatformSignature('no signature over the SES TBS_Sign came back');
        sesSignature = assembleSes(ses, Buffer.from(reply.sesSignature, 'base64'), (d) => badPlatformSignature(`SES_Signature: ${d}`));
      }
      const timestampToken = await this.tsa.tokenFor(signature);
      const cms = assembleSignedData({ prepared: attributes, signature, signerCertificate: c.certificate.der, chain: c.certificate.chain, ...(timestampToken ? { timestampToken } : {}), ...(sesSignature ? { sesSignature } : {}) });
      const sealedPdf = embedOrProblem(prepared, cms);
      return { mode: 'server', sealed: await this.writer.complete({ context: c, actor, sealedPdf, cms, ...(sesSignature ? { sesSignature } : {}), mode: 'server', fieldName: prepared.fieldName, placements: boxes }) };
    }

    let preparedSha256: string;
    try {
      ({ sha256: preparedSha256 } = await this.store.put(prepared.pdf));
    } catch (e) {
      throw documentRejection(e, 'document');
    }
    const now = new Date();
    const session = this.ds.getRepository(SealSessionEntity).create({
      id: randomUUID(),
      sealUseRequestId: c.request.id,
      documentId: c.document.id,
      sealId: c.seal.id,
      certificateSerial: c.certificate.view.serial,
      preparedSha256,
      byteRange: [...prepared.byteRange],
      contentsOffset: prepared.contentsOffset,
      contentsLength: prepared.contentsLength,
      fieldName: prepared.fieldName,
      family: c.certificate.profile.family,
      subFilter: c.certificate.profile.subFilter,
      digestAlgorithm: attributes.digestAlgorithm,
      signedAttributes: Buffer.from(attributes.der),
      dataToSign: Buffer.from(attributes.dataToSign),
      digestToSign: Buffer.from(attributes.digestToSign),
      sesDataToSign: ses ? Buffer.from(ses.dataToSign) : null,
      sesDigestToSign: ses ? Buffer.from(ses.digestToSign) : null,
      placements: boxes,
      createdByClient: actor.clientId,
      createdByStaff: actor.staffId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
      usedAt: null,
      sealedDocumentId: null,
    });
    await this.ds.getRepository(SealSessionEntity).insert(session);
    return { mode: 'deferred', session: toSessionView(session, c) };
  }

  /** The incremental update with the seal's appearance, and the signed attributes over its ByteRange. */
  private async prepare(
    c: SealingContext,
    reason: string,
    location: string | undefined,
  ): Promise<{ prepared: PreparedSignature; attributes: PreparedSignedAttributes; ses: PreparedSesSignatureV4 | undefined; boxes: ReturnType<typeof toResolvedView>[] }> {
    let bytes: Uint8Array;
    try {
      bytes = await this.store.get(c.document.sha256);
    } catch (e) {
      throw documentRejection(e, 'documentId');
    }
    try {
      const placements = await resolvePlacements(bytes, readPdfPages(bytes), c.request.placements, { widthMm: c.image.widthMm, heightMm: c.image.heightMm });
      const prepared = prepareSignature(bytes, {
        placements,
        image: { png: c.image.png },
        subFilter: c.certificate.profile.subFilter,
        reason,
        ...(location ? { location } : {}),
        name: c.seal.name,
        contentsBytes: contentsBytesFor(c),
      });
      const contentDigest = digestChunks(signedChunks(prepared.pdf, prepared.byteRange), c.certificate.profile.digestAlgorithm);
      const attributes = prepareSignedAttributes({ family: c.certificate.profile.family, contentDigest, signerCertificate: c.certificate.der });
      return { prepared, attributes, ses: prepareSes(c, contentDigest, prepared.fieldName, prepared.byteRange), boxes: placements.map(toResolvedView) };
    } catch (e) {
      if (e instanceof ProblemError) throw e;
      throw pdfProblem(e, 'documentId');
    }
  }
}

export function embedOrProblem(prepared: PreparedSignature, cms: Uint8Array): Uint8Array {
  try {
    return embedSignature(prepared, cms);
  } catch (e) {
    throw pdfProblem(e, 'document');
  }
}

export function toSessionView(s: SealSessionEntity, c: Pick<SealingContext, 'certificate'>): SealSessionView {
  return {
    sessionId: s.id,
    documentId: s.documentId,
    sealId: s.sealId,
    sealUseRequestId: s.sealUseRequestId,
    certificateSerial: s.certificateSerial,
    family: s.family,
    subFilter: s.subFilter,
    dataToSign: s.dataToSign.toString('base64'),
    digestToSign: s.digestToSign.toString('base64'),
    digestAlgorithm: s.digestAlgorithm,
    signatureAlgorithm: c.certificate.profile.signatureAlgorithm,
    placements: s.placements,
    expiresAt: s.expiresAt.toISOString(),
    ...(s.sesDataToSign && s.sesDigestToSign ? { ses: { dataToSign: s.sesDataToSign.toString('base64'), digestToSign: s.sesDigestToSign.toString('base64') } } : {}),
  };
}
