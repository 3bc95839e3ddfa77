import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { EcertConfig } from '@ecert/common';
import { documentIdOf, isDocumentId } from './document-id';
import type { DocumentStat, DocumentStore, StoredDocument } from './document-store';
import { DocumentIntegrityError, DocumentNotFoundError, DocumentTooLargeError, InvalidDocumentIdError } from './document-store-errors';

export interface FileDocumentStoreOptions {
  /** Root directory; a relative one is resolved against the working directory once, here. */
  root: string;
  /** Hard limit of `put`: a backstop behind the callers' own checks (`inspectMaterial`). */
  maxBytes: number;
}

/** Owner and group may read (the services share a user or group on the volume); nobody writes a stored file. */
const FILE_MODE = 0o440;
const DIR_MODE = 0o750;

/**
 * The document store on a filesystem (a volume the gateway, workflow-service and seal-service
 * share): `<root>/ab/cd/<sha256>`, two fan-out levels so no directory grows past ~65k entries.
 * Files are written once, atomically (temp file in the same directory, fsync, rename, fsync of
 * the directory), so a reader sees a whole file or none, and a crash leaves no half document
 * under an id. Every read is re-hashed: what is on disk is not trusted to still be what was put.
 */
export class FileDocumentStore implements DocumentStore {
  readonly root: string;
  readonly maxBytes: number;

  constructor(options: FileDocumentStoreOptions) {
    if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 1) throw new RangeError(`maxBytes must be a positive integer, not ${options.maxBytes}`);
    this.root = resolve(options.root);
    this.maxBytes = options.maxBytes;
  }

  /** The store a service's configuration names (`DOCUMENT_STORE_DIR`, limit `MATERIAL_MAX_BYTES`). */
  static fromConfig(config: Pick<EcertConfig, 'DOCUMENT_STORE_DIR' | 'MATERIAL_MAX_BYTES'>): FileDocumentStore {
    return new FileDocumentStore({ root: config.DOCUMENT_STORE_DIR, maxBytes: config.MATERIAL_MAX_BYTES });
  }

  async put(bytes: Uint8Array): Promise<StoredDocument> {
    if (bytes.byteLength > this.maxBytes) throw new DocumentTooLargeError(bytes.byteLength, this.maxBytes);
    const sha256 = documentIdOf(bytes);
    const path = this.pathOf(sha256);
    // Already there and intact: nothing to do. A damaged copy is replaced by the good bytes.
    if (await this.holdsIntact(path, sha256)) return { sha256, size: bytes.byteLength };

    const dir = dirname(path);
    const created = await mkdir(dir, { recursive: true, mode: DIR_MODE });
    // Unique per writer, so concurrent puts of the same bytes never write into one temp file;
    // the last rename wins and every one of them renames identical bytes into place.
    const temp = join(dir, `.${sha256}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const file = await open(temp, 'wx', FILE_MODE);
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, path);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    // The rename is durable only once its directory is; new fan-out directories need their parents too.
    await syncDirectory(dir);
    if (created) {
      for (let d = dirname(dir); ; d = dirname(d)) {
        await syncDirectory(d);
        if (d === dirname(created) || d === dirname(d)) break;
      }
    }
    return { sha256, size: bytes.byteLength };
  }

  async get(sha256: string): Promise<Uint8Array> {
    const path = this.pathOf(sha256);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      if (isMissing(err)) throw new DocumentNotFoundError(sha256);
      throw err;
    }
    const actual = documentIdOf(bytes);
    if (actual !== sha256) throw new DocumentIntegrityError(sha256, actual);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== undefined;
  }

  async stat(sha256: string): Promise<DocumentStat | undefined> {
    const path = this.pathOf(sha256);
    try {
      const s = await stat(path);
      return s.isFile() ? { size: s.size } : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async remove(sha256: string): Promise<boolean> {
    const path = this.pathOf(sha256);
    try {
      await unlink(path);
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
    await syncDirectory(dirname(path));
    return true;
  }

  /** The only way an id becomes a path: validated first, so nothing but 64 hex digits is ever joined. */
  private pathOf(sha256: string): string {
    if (!isDocumentId(sha256)) throw new InvalidDocumentIdError(String(sha256));
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  private async holdsIntact(path: string, sha256: string): Promise<boolean> {
    try {
      return documentIdOf(await readFile(path)) === sha256;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
