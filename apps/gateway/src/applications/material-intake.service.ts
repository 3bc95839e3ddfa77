import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { ProblemCode, ProblemError, type EcertConfig } from '@ecert/common';
import { MATERIAL_KINDS, type AttachMaterialCommand, type MaterialKind } from '@ecert/contracts';
import { assertDeclaredType, inspectMaterial, type DocumentStore } from '@ecert/documents';
import { GATEWAY_CONFIG, GATEWAY_DOCUMENT_STORE } from '../gateway.tokens';
import { isMultipartUpload, MaterialUploadReader } from './material-upload.reader';
import { materialRejectionProblem } from './material-rejection.problem';
import { sanitiseFileName } from './material-file-name';
import type { MaterialUploadQueryDto } from './application.dto';

export type ReceivedMaterial = Omit<AttachMaterialCommand, 'applicationId'>;

const bad = (field: string, detail: string) => ProblemError.badRequest(ProblemCode.validationFailed, field, detail);

/**
 * An uploaded material, from the request to the document store: read within MATERIAL_MAX_BYTES,
 * its kind settled, judged by its bytes (a PDF without active content, a JPEG or PNG that decodes,
 * whatever its name says) and against the declared Content-Type, and only then stored. A refused
 * upload writes nothing and asks no service; what goes on over NATS is the SHA-256.
 */
@Injectable()
export class MaterialIntake {
  private readonly reader: MaterialUploadReader;
  private readonly maxBytes: number;

  constructor(
    @Inject(GATEWAY_CONFIG) config: Pick<EcertConfig, 'MATERIAL_MAX_BYTES'>,
    @Inject(GATEWAY_DOCUMENT_STORE) private readonly store: DocumentStore,
  ) {
    this.maxBytes = config.MATERIAL_MAX_BYTES;
    this.reader = new MaterialUploadReader(this.maxBytes);
  }

  async receive(req: IncomingMessage & { body?: unknown }, query: MaterialUploadQueryDto): Promise<ReceivedMaterial> {
    // A raw body can only say its kind in the query: refuse before reading megabytes.
    if (!query.kind && !isMultipartUpload(req)) throw missingKind();
    const upload = await this.reader.read(req);
    const kind = settleKind(query.kind, upload.kind);

    let sha256: string;
    try {
      const { mediaType } = inspectMaterial(upload.bytes, { maxBytes: this.maxBytes });
      assertDeclaredType(upload.declaredType, mediaType);
      ({ sha256 } = await this.store.put(upload.bytes));
    } catch (e) {
      throw materialRejectionProblem(e);
    }
    const fileName = sanitiseFileName(upload.fileName ?? query.fileName);
    return { kind, sha256, ...(fileName ? { fileName } : {}) };
  }
}

/** `?kind=` or the form's `kind` part; both may be sent if they agree. */
function settleKind(fromQuery: MaterialKind | undefined, fromForm: string | undefined): MaterialKind {
  if (fromForm !== undefined) {
    if (!(MATERIAL_KINDS as readonly string[]).includes(fromForm)) throw bad('kind', `kind must be one of ${MATERIAL_KINDS.join(', ')}`);
    if (fromQuery !== undefined && fromQuery !== fromForm) throw bad('kind', `kind is ${fromQuery} in the query but ${fromForm} in the form`);
    return fromForm as MaterialKind;
  }
  if (fromQuery === undefined) throw missingKind();
  return fromQuery;
}

function missingKind(): ProblemError {
  return bad('kind', `kind is required (?kind= or a form field kind): one of ${MATERIAL_KINDS.join(', ')}`);
}
