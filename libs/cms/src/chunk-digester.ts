import { createContentHasher } from './content-hasher';
import type { CmsDigestAlgorithm } from './cms-types';

/**
 * Digest of the concatenation of `chunks` (e.g. the two ByteRange pieces of a PDF, or a file read
 * piece by piece) without joining them. Use the algorithm `digestAlgorithmOf` names when verifying.
 */
export function digestChunks(chunks: Iterable<Uint8Array>, alg: CmsDigestAlgorithm): Uint8Array {
  const hasher = createContentHasher(alg);
  for (const chunk of chunks) hasher.update(chunk);
  return hasher.digest();
}
