import { createHash, ECDH } from 'node:crypto';
import { DER_NULL, derBitString, derOidCached, derSequence } from '../der/der-writer';
import { OID } from './algorithms';
import { describePublicKey, type PublicKeyDescription } from './public-key-info';
import { readSpkiFields } from './spki-fields';

const NODE_CURVE: Readonly<Record<string, string>> = { [OID.prime256v1]: 'prime256v1', [OID.secp384r1]: 'secp384r1' };
/**
 * One DER SubjectPublicKeyInfo per key: EC and SM2 keys as id-ecPublicKey + named curve with the
 * uncompressed point, RSA as rsaEncryption + NULL. The same key can be sent in several strict-DER
 * forms (compressed point, SM2's own algorithm OID, RSA parameters absent); a fingerprint of the
 * bytes as received would let a compromised key back in re-encoded. Keys that cannot be
 * described come back unchanged. `described` is describePublicKey(spki) when the caller has it.
 */
export function canonicalSpki(spki: Uint8Array, described?: PublicKeyDescription): Uint8Array {
  let d = described;
  try {
    d ??= describePublicKey(spki);
  } catch {
    return spki;
  }
  if (d.family === 'rsa' && !d.rsaPssOnly) {
    // SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING key }: the key's bits as received.
    return derSequence(derSequence(derOidCached(OID.rsaEncryption), DER_NULL), derBitString(readSpkiFields(spki).subjectPublicKey));
  }
  if (d.curveOid && d.publicPoint) {
    const nodeCurve = NODE_CURVE[d.curveOid];
    // SM2 points are already decoded to the uncompressed form; EC points may arrive compressed.
    // (describePublicKey has checked the point is on its curve: one that starts 04 is uncompressed already.)
    const point = nodeCurve && d.publicPoint[0] !== 0x04 ? new Uint8Array(ECDH.convertKey(Buffer.from(d.publicPoint), nodeCurve, undefined, undefined, 'uncompressed') as Buffer) : d.publicPoint;
    // SEQUENCE { SEQUENCE { id-ecPublicKey, namedCurve }, BIT STRING point }, written directly.
    return derSequence(derSequence(derOidCached(OID.ecPublicKey), derOidCached(d.curveOid)), derBitString(point));
  }
  return spki;
}

/**
 * SHA-256 of the canonical SPKI DER, lower-case hex: names a key whatever encoding it came in.
 * For the usual uncompressed encodings it equals `openssl pkey -pubin -outform DER | sha256sum`.
 */
export function publicKeyFingerprint(spki: Uint8Array, described?: PublicKeyDescription): string {
  return createHash('sha256').update(canonicalSpki(spki, described)).digest('hex');
}
