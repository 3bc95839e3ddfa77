import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import type { EcertConfig } from '@ecert/common';
import { assertDeclaredType, inspectMaterial, MaterialRejectedError, pdfHeaderOffset, type DocumentStore } from '@ecert/documents';
import { GATEWAY_CONFIG, GATEWAY_PDF_STORE } from '../gateway.tokens';
import { MaterialUploadReader } from '../applications/material-upload.reader';
import { sanitiseFileName } from '../applications/material-file-name';
import { documentRejectionProblem } from './document-rejection.problem';

export interface ReceivedDocument {
  sha256: string;
  fileName?: string;
}

/**
 * An uploaded PDF, from the request to the document store: read within DOCUMENT_MAX_BYTES (the
 * materials' upload reader: multipart with a `file` part, or the PDF itself as the body), judged
 * by its bytes, then stored by its SHA-256 — the only thing that goes on over NATS.
 * - to seal: a whole PDF without encryption or active content (`inspectMaterial`, as materials);
 * - to verify: any PDF (a signed file from elsewhere may carry what ecert would not seal; it is
 *   only parsed, never rendered), refused only if it is not one.
 */
@Injectable()
export class DocumentIntake {
  private readonly reader: MaterialUploadReader;
  private readonly maxBytes: number;

  constructor(
    @Inject(GATEWAY_CONFIG) config: Pick<EcertConfig, 'DOCUMENT_MAX_BYTES'>,
    @Inject(GATEWAY_PDF_STORE) private readonly store: DocumentStore,
  ) {
    this.maxBytes = config.DOCUMENT_MAX_BYTES;
    this.reader = new MaterialUploadReader(this.maxBytes, { noun: 'document', tooLargeCode: 'document_too_large', acceptsKind: false });
  }

  async receive(req: IncomingMessage & { body?: unknown }, purpose: 'seal' | 'verify', fileNameHint?: string): Promise<ReceivedDocument> {
    const upload = await this.reader.read(req);
    let sha256: string;
    try {
      if (purpose === 'seal') {
        const { mediaType } = inspectMaterial(upload.bytes, { maxBytes: this.maxBytes });
        assertDeclaredType(upload.declaredType, mediaType);
        if (mediaType !== 'application/pdf') throw new MaterialRejectedError('material_type_unsupported', `the file is ${mediaType}: only PDF documents are sealed`);
      } else {
        if (!upload.bytes.length) throw new MaterialRejectedError('material_empty', 'the file is empty');
        if (pdfHeaderOffset(upload.bytes) === undefined) throw new MaterialRejectedError('material_type_unsupported', 'the file is not a PDF (no %PDF- header in its first 1024 bytes)');
        assertDeclaredType(upload.declaredType, 'application/pdf');
      }
      ({ sha256 } = await this.store.put(upload.bytes));
    } catch (e) {
      throw documentRejectionProblem(e);
    }
    const fileName = sanitiseFileName(upload.fileName ?? fileNameHint);
    return { sha256, ...(fileName ? { fileName } : {}) };
  }
}
