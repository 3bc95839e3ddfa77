import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { DocumentContentView, DocumentIdQuery, DocumentView } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { DocumentAccess } from './document-access.service';
import { DocumentSignatureEntity } from './document.entities';
import { toDocumentView } from './document-view';

/** A document's view, and where the gateway finds the bytes to send (never the bytes themselves). */
@Injectable()
export class DocumentQueries {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly access: DocumentAccess,
  ) {}

  async get(q: DocumentIdQuery): Promise<DocumentView> {
    const doc = await this.access.readable(q?.id);
    const signature = await this.ds.getRepository(DocumentSignatureEntity).findOneBy({ documentId: doc.id });
    return toDocumentView(doc, signature);
  }

  async download(q: DocumentIdQuery): Promise<DocumentContentView> {
    const doc = await this.access.withContent(q?.id);
    return { id: doc.id, sha256: doc.sha256, size: doc.size, contentType: 'application/pdf', fileName: downloadName(doc.fileName, doc.id, !!doc.derivedFrom) };
  }
}

/** An ASCII-safe attachment name: the upload's name where it is plain, else the id; `-sealed` for a sealed result. */
function downloadName(fileName: string | null, id: string, sealed: boolean): string {
  const base = (fileName ?? '').replace(/\.pdf$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 80) || id;
  return `${base}${sealed && !base.endsWith('-sealed') ? '-sealed' : ''}.pdf`;
}
