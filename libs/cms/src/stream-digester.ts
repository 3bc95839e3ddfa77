import { createContentHasher } from './content-hasher';
import type { CmsDigestAlgorithm } from './cms-types';

/** `digestChunks` for async sources: a Node Readable, a web ReadableStream, an object-store reader. */
export async function digestStream(chunks: AsyncIterable<Uint8Array>, alg: CmsDigestAlgorithm): Promise<Uint8Array> {
  const hasher = createContentHasher(alg);
  for await (const chunk of chunks) hasher.update(chunk);
  return hasher.digest();
}
