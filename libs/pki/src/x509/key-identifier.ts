import { createHash } from 'node:crypto';
import { DerReadError } from '../der/der-reader';
import { readSpkiFields, type SpkiFields } from '../crypto/spki-fields';
import { X509InputError } from './x509-input-error';

/** Reads DER SubjectPublicKeyInfo (strictly: see readSpkiFields), as an input error naming `field`. */
export function parseSpki(spki: Uint8Array, field = 'spki'): SpkiFields {
  try {
    return readSpkiFields(spki);
  } catch (e) {
    if (e instanceof DerReadError) throw new X509InputError(field, `not a DER SubjectPublicKeyInfo: ${e.message}`, '公钥信息编码错误');
    throw e;
  }
}

/**
 * Key identifier by RFC 5280 §4.2.1.2 method (1): SHA-1 over the subjectPublicKey BIT STRING
 * value. SHA-1 here is an identifier, not a security function; it is what `openssl x509
 * -ext subjectKeyIdentifier=hash` and most CAs (SM2 ones included) compute, so SKI/AKI computed by
 * any tool for an ecert key match ours.
 */
export function keyIdentifierOf(spki: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(parseSpki(spki).subjectPublicKey).digest());
}
