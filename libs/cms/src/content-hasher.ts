import { createHash } from 'node:crypto';
import { SM3_IS_NATIVE, sm3 } from '@ecert/pki';
import type { CmsDigestAlgorithm } from './cms-types';

export interface ContentHasher {
  update(chunk: Uint8Array): ContentHasher;
  digest(): Uint8Array;
}

/**
 * An incremental digest. SHA-2 and (where OpenSSL has it, as on every supported machine) SM3 run
 * in Node's OpenSSL, streaming in constant memory at ~190 MB/s for SM3. Without a native SM3 the
 * project's sm3() fallback (sm-crypto-v2) is not incremental, so chunks are kept until digest():
 * correct, but memory grows with the input.
 */
export function createContentHasher(algorithm: CmsDigestAlgorithm): ContentHasher {
  if (algorithm !== 'sm3' || SM3_IS_NATIVE) {
    const h = createHash(algorithm);
    const hasher: ContentHasher = {
      update: (chunk) => (h.update(chunk), hasher),
      digest: () => new Uint8Array(h.digest()),
    };
    return hasher;
  }
  const parts: Uint8Array[] = [];
  const hasher: ContentHasher = {
    // Copied: a caller may reuse its read buffer for the next chunk.
    update: (chunk) => (parts.push(chunk.slice()), hasher),
    digest: () => sm3(...parts),
  };
  return hasher;
}
