import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, isAbsolute } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@ecert/common';
import { DocumentIntegrityError, DocumentNotFoundError, DocumentTooLargeError, InvalidDocumentIdError } from './document-store-errors';
import { FileDocumentStore } from './file-document-store';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('FileDocumentStore', () => {
  let root: string;
  let store: FileDocumentStore;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ecert-document-store-'));
    store = new FileDocumentStore({ root, maxBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('stores bytes under their SHA-256, fanned out as ab/cd/<sha256>, read-only, and gives them back', async () => {
    const bytes = new TextEncoder().encode('受理表 scan, page 1');
    const id = sha256(bytes);
    expect(await store.put(bytes)).toEqual({ sha256: id, size: bytes.length });
    const file = join(root, id.slice(0, 2), id.slice(2, 4), id);
    const s = await stat(file);
    expect(s.mode & 0o777 & ~0o440).toBe(0);
    expect(Buffer.from(await store.get(id)).equals(Buffer.from(bytes))).toBe(true);
    expect(await store.has(id)).toBe(true);
    expect(await store.stat(id)).toEqual({ size: bytes.length });
  });

  it('does nothing when the same bytes are put again', async () => {
    const bytes = new TextEncoder().encode('the same material twice');
    const id = sha256(bytes);
    await store.put(bytes);
    const file = join(root, id.slice(0, 2), id.slice(2, 4), id);
    const before = await stat(file);
    expect(await store.put(bytes)).toEqual({ sha256: id, size: bytes.length });
    const after = await stat(file);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('keeps one whole file when the same bytes are put concurrently, and no temp files', async () => {
    const bytes = new Uint8Array(48 * 1024).map((_, i) => (i * 7) & 0xff);
    const id = sha256(bytes);
    const results = await Promise.all(Array.from({ length: 16 }, () => store.put(bytes)));
    expect(new Set(results.map((r) => r.sha256))).toEqual(new Set([id]));
    expect(await readdir(join(root, id.slice(0, 2), id.slice(2, 4)))).toEqual([id]);
    expect(Buffer.from(await store.get(id)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('detects a file changed on disk, and a put of the right bytes repairs it', async () => {
    const bytes = new TextEncoder().encode('seal impression form (印章采集表)');
    const id = sha256(bytes);
    await store.put(bytes);
    const file = join(root, id.slice(0, 2), id.slice(2, 4), id);
    await chmod(file, 0o640);
    await writeFile(file, 'seal impression form (forged)');
    await expect(store.get(id)).rejects.toBeInstanceOf(DocumentIntegrityError);
    await expect(store.get(id)).rejects.toThrow(/damaged or was changed/);
    await store.put(bytes);
    expect(Buffer.from(await store.get(id)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('says not found for an id it does not hold', async () => {
    const id = sha256(new TextEncoder().encode('never stored'));
    await expect(store.get(id)).rejects.toBeInstanceOf(DocumentNotFoundError);
    expect(await store.has(id)).toBe(false);
    expect(await store.stat(id)).toBeUndefined();
  });

  it.each([
    ['a path', '../../etc/passwd'],
    ['a path of the right length', `../../${'a'.repeat(58)}`],
    ['uppercase hex (ids are lowercase; one spelling per document)', 'A'.repeat(64)],
    ['too short', 'ab'],
    ['a trailing newline', `${'a'.repeat(64)}\n`],
    ['empty', ''],
  ])('refuses %s as an id before touching the filesystem', async (_, id) => {
    await expect(store.get(id)).rejects.toBeInstanceOf(InvalidDocumentIdError);
    await expect(store.has(id)).rejects.toBeInstanceOf(InvalidDocumentIdError);
    await expect(store.stat(id)).rejects.toBeInstanceOf(InvalidDocumentIdError);
    await expect(store.remove(id)).rejects.toBeInstanceOf(InvalidDocumentIdError);
  });

  it('removes a content (retention): gone for get/has, false the second time, put again works', async () => {
    const bytes = new TextEncoder().encode('a declaration past its retention');
    const id = sha256(bytes);
    await store.put(bytes);
    expect(await store.remove(id)).toBe(true);
    expect(await store.has(id)).toBe(false);
    await expect(store.get(id)).rejects.toBeInstanceOf(DocumentNotFoundError);
    expect(await store.remove(id)).toBe(false);
    await store.put(bytes);
    expect(Buffer.from(await store.get(id)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('refuses bytes over its hard limit and writes nothing', async () => {
    const small = new FileDocumentStore({ root: join(root, 'small'), maxBytes: 1024 });
    await expect(small.put(new Uint8Array(1025))).rejects.toBeInstanceOf(DocumentTooLargeError);
    await expect(stat(join(root, 'small'))).rejects.toThrow(/ENOENT/);
    expect((await small.put(new Uint8Array(1024))).size).toBe(1024);
  });

  it('takes its directory and limit from the configuration, which tests point outside the working tree', () => {
    const fromConfig = FileDocumentStore.fromConfig(loadConfig(process.env));
    expect(fromConfig.maxBytes).toBe(10 * 1024 * 1024);
    expect(isAbsolute(relative(process.cwd(), fromConfig.root)) || relative(process.cwd(), fromConfig.root).startsWith('..')).toBe(true);
    expect(relative(tmpdir(), fromConfig.root).startsWith('ecert-test-documents')).toBe(true);
    expect(FileDocumentStore.fromConfig({ DOCUMENT_STORE_DIR: 'var/documents', MATERIAL_MAX_BYTES: 2048 }).root).toBe(join(process.cwd(), 'var/documents'));
  });
});
