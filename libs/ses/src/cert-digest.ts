import { createHash } from 'node:crypto';
import { sm3 } from './pki-bridge';
import type { SesCertDigest } from './ses-model';

/**
 * certListType 2 binds a seal to certificate hashes instead of certificates. The standard leaves
 * CertDigestObj.type free-form; ecert writes the hash name ("SM3") and, when reading, recognises
 * SM3 and SHA-1/256 names in any case or spelling, and tries SM3 then SHA-256 when the type says nothing.
 */
export type CertDigestAlgorithm = 'SM3' | 'SHA-256';

const hashOf = (alg: 'sm3' | 'sha1' | 'sha256', der: Uint8Array): Uint8Array =>
  alg === 'sm3' ? sm3(der) : new Uint8Array(createHash(alg).update(der).digest());

export function certificateDigest(certificate: Uint8Array, algorithm: CertDigestAlgorithm = 'SM3'): SesCertDigest {
  return { type: algorithm, value: hashOf(algorithm === 'SM3' ? 'sm3' : 'sha256', certificate) };
}

/** True when `digest` is the hash of `certificate`. */
export function certDigestMatches(digest: SesCertDigest, certificate: Uint8Array): boolean {
  const t = digest.type.toLowerCase().replace(/[^a-z0-9]/g, '');
  const candidates: ('sm3' | 'sha1' | 'sha256')[] = t.includes('sm3')
    ? ['sm3']
    : t.includes('sha256')
      ? ['sha256']
      : t === 'sha1' || t === 'sha'
        ? ['sha1']
        : ['sm3', 'sha256'];
  return candidates.some((alg) => Buffer.from(hashOf(alg, certificate)).equals(Buffer.from(digest.value)));
}
