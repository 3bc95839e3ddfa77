import type { KeyBlobRepository } from './key-blob-repository';
import { KeyAlreadyExistsError } from './key-store-errors';

/** For tests and throwaway CAs. Copies on the way in and out so callers cannot alias stored blobs. */
export class InMemoryKeyBlobRepository implements KeyBlobRepository {
  readonly #blobs = new Map<string, Uint8Array>();

  async get(id: string): Promise<Uint8Array | undefined> {
    const blob = this.#blobs.get(id);
    return blob && Uint8Array.from(blob);
  }

  async put(id: string, blob: Uint8Array): Promise<void> {
    if (this.#blobs.has(id)) throw new KeyAlreadyExistsError(id);
    this.#blobs.set(id, Uint8Array.from(blob));
  }

  async list(): Promise<string[]> {
    return [...this.#blobs.keys()];
  }
}
