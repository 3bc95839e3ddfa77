import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { isSingleDerElement } from './der-encoding';
import { X509InputError } from './x509-input-error';

/** Parses DER SubjectPublicKeyInfo, rejecting anything that is not exactly one DER SEQUENCE. */
export function parseSpki(spki: Uint8Array, field = 'spki'): SubjectPublicKeyInfo {
  if (!isSingleDerElement(spki, 0x30)) {
    throw new X509InputError(field, 'not a single DER SubjectPublicKeyInfo', '公钥信息编码错误');
  }
  try {
    return AsnConvert.parse(spki, SubjectPublicKeyInfo);
  } catch (e) {
    throw new X509InputError(field, `cannot decode: ${(e as Error).message}`, '公钥信息编码错误');
  }
}

/**
 * Key identifier by RFC 5280 §4.2.1.2 method (1): SHA-1 over the subjectPublicKey BIT STRING
 * value. SHA-1 here is an identifier, not a security function; it is what `openssl x509
 * -ext subjectKeyIdentifier=hash` and most CAs (SM2 ones included) compute, so SKI/AKI computed by
 * any tool for an ecert key match ours.
 */
export function keyIdentifierOf(spki: Uint8Array): Uint8Array {
  const info = parseSpki(spki);
  return new Uint8Array(createHash('sha1').update(new Uint8Array(info.subjectPublicKey)).digest());
}
