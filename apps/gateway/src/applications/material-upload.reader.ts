import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { ProblemCode, ProblemError } from '@ecert/common';

/** What an upload carried, before anyone has looked at the bytes. */
export interface MaterialUpload {
  bytes: Buffer;
  /** The Content-Type the uploader declared (the file part's, or the request's): compared with the content, never believed. */
  declaredType: string | undefined;
  /** The file part's filename, as sent (unsanitised). */
  fileName?: string;
  /** The multipart text part `kind`, if one was sent. */
  kind?: string;
}

/** Request Content-Types a material may be sent as, as the body itself. */
export const RAW_MATERIAL_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'application/octet-stream'] as const;

/** Room for the boundaries, part headers and the `kind` part around the file in a multipart body. */
const MULTIPART_OVERHEAD = 16 * 1024;
/** Every text part here is short (`kind`): anything longer is not ours. */
const MAX_FIELD_BYTES = 256;
/** The file and `kind`; one more so a stray part is reported by name instead of cut off. */
const MAX_PARTS = 3;
const MAX_FIELD_NAME_IN_PROBLEM = 64;

type UploadRequest = IncomingMessage & { body?: unknown };

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function isMultipartUpload(req: IncomingMessage): boolean {
  return mediaTypeOf(req.headers['content-type']) === 'multipart/form-data';
}

const bad = (field: string, detail: string) => ProblemError.badRequest(ProblemCode.validationFailed, field, detail);

/**
 * Reads a material upload into memory with every limit applied while reading: `multipart/form-data`
 * with one file part named `file` (and an optional text part `kind`), or the file itself as the
 * body (application/pdf, image/jpeg, image/png, application/octet-stream). Nothing is parsed
 * before the handler runs (the global parser takes JSON only), so this runs after authentication,
 * and stops at `maxBytes`: a declared Content-Length over the limit is refused before any byte is
 * read, a chunked body as soon as it passes it.
 */
export interface UploadReaderOptions {
  /** What the upload is called in problems (`material`, `document`). */
  noun?: string;
  /** The problem code of an upload over the limit (default material_too_large). */
  tooLargeCode?: string;
  /** Whether the multipart text part `kind` is accepted (materials: yes; documents: no). */
  acceptsKind?: boolean;
}

export class MaterialUploadReader {
  private readonly noun: string;
  private readonly tooLargeCode: string;
  private readonly acceptsKind: boolean;

  constructor(
    private readonly maxBytes: number,
    options: UploadReaderOptions = {},
  ) {
    this.noun = options.noun ?? 'material';
    this.tooLargeCode = options.tooLargeCode ?? 'material_too_large';
    this.acceptsKind = options.acceptsKind ?? true;
  }

  async read(req: UploadRequest): Promise<MaterialUpload> {
    const encoding = mediaTypeOf(req.headers['content-encoding'] as string | undefined);
    if (encoding && encoding !== 'identity') {
      // Compressed bytes would be judged (and stored) as what they are not.
      throw new ProblemError(415, 'material_type_unsupported', '材料类型不支持 (unsupported material type)', `Content-Encoding ${encoding} is not accepted: send the file as it is`, 'file');
    }
    if (isMultipartUpload(req)) return this.readMultipart(req);
    const type = mediaTypeOf(req.headers['content-type']);
    if (!(RAW_MATERIAL_TYPES as readonly string[]).includes(type)) {
      throw new ProblemError(
        415,
        'material_type_unsupported',
        '材料类型不支持 (unsupported material type)',
        `send multipart/form-data with a file part named file, or the file itself as ${RAW_MATERIAL_TYPES.join(', ')}${type ? `, not ${type}` : ''}`,
        'file',
      );
    }
    return this.readRaw(req, type);
  }

  private async readRaw(req: UploadRequest, declaredType: string): Promise<MaterialUpload> {
    if (Buffer.isBuffer(req.body)) {
      if (req.body.length > this.maxBytes) throw this.materialTooLarge();
      return { bytes: req.body, declaredType };
    }
    if (this.declaredLength(req) > this.maxBytes) throw this.materialTooLarge();
    // Already read by someone else: nothing is left to come (and the inspector refuses the empty material).
    if (req.readableEnded) return { bytes: Buffer.alloc(0), declaredType };
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const fail = (e: ProblemError) => {
        if (settled) return;
        settled = true;
        // Stop keeping bytes; what is still coming is discarded as it arrives.
        req.removeListener('data', onData);
        req.resume();
        reject(e);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.maxBytes) return fail(this.materialTooLarge());
        chunks.push(chunk);
      };
      req.on('data', onData);
      req.once('end', () => {
        if (settled) return;
        settled = true;
        resolve(Buffer.concat(chunks, size));
      });
      req.once('aborted', () => fail(interrupted()));
      req.once('error', () => fail(interrupted()));
    });
    return { bytes, declaredType };
  }

  private readMultipart(req: UploadRequest): Promise<MaterialUpload> {
    // One code for one refusal, raw or multipart.
    if (this.declaredLength(req) > this.maxBytes + MULTIPART_OVERHEAD) throw this.materialTooLarge();
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        // Browsers send UTF-8 names (申请表.pdf) without saying so; busboy would read them as latin1.
        defParamCharset: 'utf8',
        limits: {
          // One byte more than allowed, so "exactly the limit" and "over it" can be told apart.
          fileSize: this.maxBytes + 1,
          files: 1,
          fields: MAX_PARTS,
          fieldSize: MAX_FIELD_BYTES,
          parts: MAX_PARTS,
          headerPairs: 8,
        },
      });
    } catch (e) {
      throw bad('body', `the multipart body cannot be read: ${(e as Error).message}`);
    }
    return new Promise<MaterialUpload>((resolve, reject) => {
      let failure: ProblemError | undefined;
      let file: { chunks: Buffer[]; size: number; declaredType: string; fileName?: string; ended: Promise<void> } | undefined;
      let kind: string | undefined;
      const fail = (e: ProblemError) => {
        if (failure) return;
        failure = e;
        req.unpipe(parser);
        req.resume();
        reject(e);
      };

      parser.on('file', (name, stream, info) => {
        if (failure || name !== 'file') {
          stream.resume();
          if (!failure) fail(bad('file', `unexpected file part ${JSON.stringify(name.slice(0, MAX_FIELD_NAME_IN_PROBLEM))}: the one file part is named file`));
          return;
        }
        const current = { chunks: [] as Buffer[], size: 0, declaredType: info.mimeType, fileName: info.filename, ended: Promise.resolve() };
        current.ended = new Promise<void>((done) => {
          stream.on('data', (chunk: Buffer) => {
            if (failure) return;
            current.size += chunk.length;
            if (current.size > this.maxBytes) return fail(this.materialTooLarge());
            current.chunks.push(chunk);
          });
          stream.on('limit', () => fail(this.materialTooLarge()));
          stream.on('end', () => done());
          stream.on('error', () => {
            fail(interrupted());
            done();
          });
        });
        file = current;
      });
      parser.on('field', (name, value, info) => {
        if (failure) return;
        if (name === 'kind' && this.acceptsKind) {
          if (info.valueTruncated) return fail(bad('kind', 'kind is too long'));
          if (kind !== undefined) return fail(bad('kind', 'kind was sent twice'));
          kind = value;
        } else if (name === 'file') {
          fail(bad('file', 'the file part needs a filename in its Content-Disposition (or Content-Type application/octet-stream)'));
        } else {
          const field = name.slice(0, MAX_FIELD_NAME_IN_PROBLEM) || 'body';
          fail(bad(field, `${field} is not a known field: send a file part named file${this.acceptsKind ? ' and optionally kind' : ''}`));
        }
      });
      parser.on('filesLimit', () => fail(bad('file', 'one file per upload')));
      parser.on('partsLimit', () => fail(bad('body', 'too many parts: send a file part named file and optionally kind')));
      parser.on('fieldsLimit', () => fail(bad('body', 'too many fields: send a file part named file and optionally kind')));
      parser.on('error', (e: Error) => fail(bad('body', `the multipart body cannot be read: ${e.message}`)));
      parser.on('close', () => {
        if (failure) return;
        if (!file) return fail(bad('file', 'a file part named file is required'));
        const f = file;
        void f.ended.then(() => {
          if (failure) return;
          resolve({ bytes: Buffer.concat(f.chunks, f.size), declaredType: f.declaredType, fileName: f.fileName, kind });
        });
      });
      req.once('aborted', () => fail(interrupted()));
      req.once('error', () => fail(interrupted()));
      req.pipe(parser);
    });
  }

  private declaredLength(req: IncomingMessage): number {
    const declared = Number(req.headers['content-length']);
    return Number.isFinite(declared) ? declared : 0;
  }

  private materialTooLarge(): ProblemError {
    return new ProblemError(413, this.tooLargeCode, this.noun === 'material' ? '材料过大 (material too large)' : '文件过大 (file too large)', `a ${this.noun} may have at most ${this.maxBytes} bytes`, 'file');
  }
}

function interrupted(): ProblemError {
  return bad('body', 'the upload was interrupted before its end');
}
