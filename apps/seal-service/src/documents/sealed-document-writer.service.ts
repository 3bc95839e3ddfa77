import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { currentRequestId, ProblemError, type EcertConfig } from '@ecert/common';
import { DocumentProblemCode, type DocumentSealedEventData, type ResolvedPlacementView, type SealedDocumentView, type SealingMode } from '@ecert/contracts';
import type { DocumentStore } from '@ecert/documents';
import { parseSignedData } from '@ecert/cms';
import { appendEvent, CONFIG, DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { CertificateStateEntity, SealEntity } from '../seals/seal.entities';
import { lockCertificate } from '../seals/seal-writer';
import type { Actor } from './document-actor';
import { DocumentEntity, DocumentSignatureEntity, SealSessionEntity, SealUseRequestEntity } from './document.entities';
import { documentRejection } from './document-rejection';
import { SEAL_DOCUMENT_STORE } from './document-store.provider';
import { toDocumentView } from './document-view';
import { DAY_MS } from './register-document.use-case';
import { assertRequestUsable, assertSealActive, notActive, type SealingContext } from './sealing-checks.service';

/** A certificate event this close to (or after) the moment the cert-service was asked wins over its answer. */
const CLOCK_SKEW_MS = 2000;

export interface SealedOutput {
  context: SealingContext;
  actor: Actor;
  sealedPdf: Uint8Array;
  cms: Uint8Array;
  /** The SES_Signature inside the CMS (SM2 seals). */
  sesSignature?: Uint8Array;
  mode: SealingMode;
  fieldName: string;
  placements: ResolvedPlacementView[];
  session?: SealSessionEntity;
}

/**
 * The last step of sealing, server-side or deferred: the sealed PDF goes into the document store,
 * then in one transaction the seal-use request is used (once: a conditional update, and the unique
 * seal_use_request_id of document_signature behind it), the sealed result is registered as a
 * document derived from the original, ecert's record of the signature is written (its proof of
 * existence for later verification), the session closed and `document.sealed` appended. The
 * certificate's lock and its last event are taken as seal creation does: a freeze that arrived
 * after the cert-service answered stops the sealing.
 */
@Injectable()
export class SealedDocumentWriter {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    @Inject(SEAL_DOCUMENT_STORE) private readonly store: DocumentStore,
    @Inject(CONFIG) private readonly config: EcertConfig,
  ) {}

  async complete(out: SealedOutput): Promise<SealedDocumentView> {
    const { context: c, actor } = out;
    let stored: { sha256: string; size: number };
    try {
      stored = await this.store.put(out.sealedPdf);
    } catch (e) {
      throw documentRejection(e, 'document');
    }
    const now = new Date();
    const result = await this.ds.transaction(async (m) => {
      await lockCertificate(m, c.seal.certificateSerial);
      const state = await m.findOneBy(CertificateStateEntity, { serial: c.seal.certificateSerial });
      if (state && state.status !== 'active' && state.occurredAt.getTime() >= c.askedAt - CLOCK_SKEW_MS) throw notActive(c.seal.certificateSerial, state.status);
      const seal = await m.findOne(SealEntity, { where: { id: c.seal.id }, lock: { mode: 'pessimistic_read' } });
      assertSealActive(seal!);

      const doc = m.create(DocumentEntity, {
        id: randomUUID(),
        sha256: stored.sha256,
        size: stored.size,
        pages: c.document.pages,
        fileName: c.document.fileName,
        uploadedByClient: actor.clientId,
        uploadedByStaff: actor.staffId,
        uploadedAt: now,
        retainedUntil: new Date(now.getTime() + this.config.DOCUMENT_RETENTION_DAYS * DAY_MS),
        derivedFrom: c.document.id,
        purgedAt: null,
        requestId: currentRequestId() ?? null,
      });
      await m.insert(DocumentEntity, doc);
      await this.useRequest(m, c.request.id, doc.id);
      if (out.session) await this.closeSession(m, out.session.id, doc.id);
      const signature = m.create(DocumentSignatureEntity, {
        id: randomUUID(),
        documentId: doc.id,
        sourceDocumentId: c.document.id,
        sealId: c.seal.id,
        sealUseRequestId: c.request.id,
        sessionId: out.session?.id ?? null,
        certificateSerial: c.certificate.view.serial,
        fieldName: out.fieldName,
        family: c.certificate.profile.family,
        subFilter: c.certificate.profile.subFilter,
        mode: out.mode,
        cmsSha256: createHash('sha256').update(out.cms).digest('hex'),
        sesSha256: out.sesSignature ? createHash('sha256').update(out.sesSignature).digest('hex') : null,
        signatureValueSha256: createHash('sha256').update(parseSignedData(out.cms).signerInfos[0]!.signature).digest('hex'),
        placements: out.placements,
        sealedAt: now,
        sealedByClient: actor.clientId,
        sealedByStaff: actor.staffId,
        requestId: currentRequestId() ?? null,
      });
      await m.insert(DocumentSignatureEntity, signature);
      const data: DocumentSealedEventData = {
        documentId: doc.id,
        derivedFrom: c.document.id,
        sha256: doc.sha256,
        sealId: c.seal.id,
        sealUseRequestId: c.request.id,
        certificateSerial: signature.certificateSerial,
        uscc: c.seal.uscc,
        regionCode: c.seal.regionCode,
        family: signature.family,
        mode: out.mode,
        fieldName: signature.fieldName,
      };
      await appendEvent(m, 'document.sealed', doc.id, data);
      return { doc, signature };
    });
    this.relay.kick();
    return {
      document: toDocumentView(result.doc, result.signature),
      signature: {
        fieldName: result.signature.fieldName,
        family: result.signature.family,
        subFilter: result.signature.subFilter,
        sealId: result.signature.sealId,
        certificateSerial: result.signature.certificateSerial,
        placements: out.placements,
      },
    };
  }

  /** Once: only an approved, unused, unexpired request turns used; anything else is said why. */
  private async useRequest(m: EntityManager, id: string, sealedDocumentId: string): Promise<void> {
    const rows: unknown[] = await m.query(
      `UPDATE "seal"."seal_use_request" SET status = 'used', used_at = now(), sealed_document_id = $2
        WHERE id = $1 AND status = 'approved' AND used_at IS NULL AND expires_at > now() RETURNING id`,
      [id, sealedDocumentId],
    );
    if (firstRows(rows).length === 1) return;
    const now = await m.findOneByOrFail(SealUseRequestEntity, { id });
    assertRequestUsable(now);
    throw ProblemError.conflict(DocumentProblemCode.sealUseRequestUsed, `Seal-use request ${id} could not be used`);
  }

  private async closeSession(m: EntityManager, id: string, sealedDocumentId: string): Promise<void> {
    const rows: unknown[] = await m.query(
      `UPDATE "seal"."seal_session" SET used_at = now(), sealed_document_id = $2 WHERE id = $1 AND used_at IS NULL RETURNING id`,
      [id, sealedDocumentId],
    );
    if (firstRows(rows).length !== 1) throw ProblemError.conflict(DocumentProblemCode.sealSessionUsed, `Signing session ${id} was completed already`);
  }
}

/** TypeORM's query() of an UPDATE … RETURNING gives [rows, count] with pg. */
function firstRows(r: unknown[]): unknown[] {
  return Array.isArray(r[0]) ? (r[0] as unknown[]) : r;
}
