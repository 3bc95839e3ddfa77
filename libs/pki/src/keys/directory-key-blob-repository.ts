import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyBlobRepository } from './key-blob-repository';
import { InvalidKeyIdError, KeyAlreadyExistsError } from './key-store-errors';

const SUFFIX = '.key';
/** Ids become file names: no separators, no leading dot (so no "..", no hidden temp-file clash). */
const ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;

/**
 * One file per key, `<dir>/<id>.key`, mode 0600 in a 0700 directory. Writes are atomic and
 * write-once: the blob goes to a temporary file, is fsynced, then hard-linked to its final name
 * (link fails if that name exists), so a crash never leaves a half-written key.
 */
export class DirectoryKeyBlobRepository implements KeyBlobRepository {
  constructor(readonly directory: string) {}

  async get(id: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.#path(id)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async put(id: string, blob: Uint8Array): Promise<void> {
    const target = this.#path(id);
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const tmp = join(this.directory, `.${id}.${randomBytes(6).toString('hex')}.tmp`);
    const fh = await open(tmp, 'wx', 0o600);
    try {
      try {
        await fh.writeFile(blob);
        await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        await link(tmp, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new KeyAlreadyExistsError(id);
        throw err;
      }
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names
      .filter((n) => n.endsWith(SUFFIX))
      .map((n) => n.slice(0, -SUFFIX.length))
      .filter((id) => ID_PATTERN.test(id))
      .sort();
  }

  #path(id: string): string {
    if (!ID_PATTERN.test(id)) {
      throw new InvalidKeyIdError(`key id "${id}" is not usable as a file name (allowed: letters, digits, . _ -; max 200; no leading dot)`);
    }
    return join(this.directory, id + SUFFIX);
  }
}
