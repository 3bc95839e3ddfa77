import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { IsNull, MoreThan, type DataSource } from 'typeorm';
import { currentRequestId, ProblemError, type EcertConfig } from '@ecert/common';
import { DocumentProblemCode, type DocumentView, type RegisterDocumentCommand } from '@ecert/contracts';
import type { DocumentStore } from '@ecert/documents';
import { CONFIG, DATA_SOURCE, OUTBOX_RELAY, appendEvent, type OutboxRelay } from '@ecert/messaging';
import { readPdfPages } from '@ecert/pdf';
import { Actor } from './document-actor';
import { DocumentEntity } from './document.entities';
import { optionalText, sha256Of } from './document-input';
import { assertSealablePdf, documentRejection } from './document-rejection';
import { SEAL_DOCUMENT_STORE } from './document-store.provider';
import { toDocumentView } from './document-view';
import { pdfProblem } from './pdf-problem';
import { CONTENT_LOCK_SQL } from './purge-expired-documents.use-case';

export const DAY_MS = 24 * 3600 * 1000;

/**
 * Registers a PDF the gateway put into the document store: read back (re-hashed), judged by its
 * content again, its pages counted by libs/pdf (a file it cannot read is refused now, not at
 * sealing), and kept DOCUMENT_RETENTION_DAYS. The same bytes registered again by the same caller
 * give the registration they have.
 */
@Injectable()
export class RegisterDocumentUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    @Inject(SEAL_DOCUMENT_STORE) private readonly store: DocumentStore,
    @Inject(CONFIG) private readonly config: EcertConfig,
  ) {}

  async execute(cmd: RegisterDocumentCommand): Promise<DocumentView> {
    const actor = Actor.current();
    const sha256 = sha256Of(cmd?.sha256);
    const fileName = optionalText(cmd?.fileName, 'fileName', 255);
    const mine = await this.ds.getRepository(DocumentEntity).findOneBy({
      sha256,
      derivedFrom: IsNull(),
      purgedAt: IsNull(),
      // A row past retention but not swept yet is dying: a re-upload gets a row of its own.
      retainedUntil: MoreThan(new Date()),
      ...(actor.clientId ? { uploadedByClient: actor.clientId } : { uploadedByStaff: actor.staffId! }),
    });
    if (mine) return toDocumentView(mine);

    let bytes: Uint8Array;
    try {
      bytes = await this.store.get(sha256);
    } catch (e) {
      throw documentRejection(e, 'sha256');
    }
    assertSealablePdf(bytes, this.config.DOCUMENT_MAX_BYTES);
    let pages: number;
    try {
      pages = (await readPdfPages(bytes)).length;
    } catch (e) {
      throw pdfProblem(e, 'file');
    }
    const now = new Date();
    const doc = this.ds.getRepository(DocumentEntity).create({
      id: randomUUID(),
      sha256,
      size: bytes.byteLength,
      pages,
      fileName: fileName ?? null,
      uploadedByClient: actor.clientId,
      uploadedByStaff: actor.staffId,
      uploadedAt: now,
      retainedUntil: new Date(now.getTime() + this.config.DOCUMENT_RETENTION_DAYS * DAY_MS),
      derivedFrom: null,
      purgedAt: null,
      requestId: currentRequestId() ?? null,
    });
    await this.ds.transaction(async (m) => {
      // Serialised with the retention sweep on this content: the bytes read above are still there
      // when the row that needs them commits (or the sweep sees this row and keeps them).
      await m.query(CONTENT_LOCK_SQL, [[sha256]]);
      if (!(await this.store.has(sha256))) {
        throw new ProblemError(409, DocumentProblemCode.documentPurged, '文件已被清理 (document removed)', `The content ${sha256} was removed by retention while it was being registered: upload it again`, 'sha256');
      }
      await m.insert(DocumentEntity, doc);
      await appendEvent(m, 'document.registered', doc.id, { documentId: doc.id, sha256, size: doc.size, pages });
    });
    this.relay.kick();
    return toDocumentView(doc);
  }
}
