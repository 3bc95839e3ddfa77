import { createHash } from 'node:crypto';
import { sm3 } from '../crypto/sm3';
import { certificateFields } from './certificate-fields';
import type { OcspCertId, OcspHashAlgorithm } from './ocsp-request-parser';
import { subjectPublicKeyBits } from './public-key-bits';

export interface OcspIssuerKey {
  readonly hashAlgorithm: OcspHashAlgorithm;
  /** Hash of the CA certificate's subject Name DER. */
  readonly issuerNameHash: Uint8Array;
  /** Hash of the CA's subjectPublicKey bits (RFC 6960 §4.1.1). */
  readonly issuerKeyHash: Uint8Array;
  /** Map key for the hot path; equals {@link ocspIssuerLookupKey} of a CertID naming this CA. */
  readonly lookupKey: string;
}

function hash(alg: OcspHashAlgorithm, data: Uint8Array): Uint8Array {
  return alg === 'sm3' ? sm3(data) : createHash(alg).update(data).digest();
}

/**
 * The (issuerNameHash, issuerKeyHash) pairs under which OCSP clients can name the CA whose
 * certificate is given, for every CertID hash ecert accepts (SHA-1, SHA-256, SM3). Compute them
 * once per CA at start-up and put `lookupKey` into a Map: request handling then needs no hashing.
 */
export function ocspIssuerKeys(caCertDer: Uint8Array): OcspIssuerKey[] {
  const { subject, spki } = certificateFields(caCertDer, 'caCertDer');
  const keyBits = subjectPublicKeyBits(spki, 'caCertDer.subjectPublicKeyInfo');
  return (['sha1', 'sha256', 'sm3'] as const).map((hashAlgorithm) => {
    const issuerNameHash = hash(hashAlgorithm, subject);
    const issuerKeyHash = hash(hashAlgorithm, keyBits);
    return { hashAlgorithm, issuerNameHash, issuerKeyHash, lookupKey: lookupKeyOf(hashAlgorithm, issuerNameHash, issuerKeyHash) };
  });
}

/** The issuer lookup key of a parsed CertID; undefined when its hash algorithm is not one ecert matches on. */
export function ocspIssuerLookupKey(certId: OcspCertId): string | undefined {
  return certId.hashAlgorithm ? lookupKeyOf(certId.hashAlgorithm, certId.issuerNameHash, certId.issuerKeyHash) : undefined;
}

function lookupKeyOf(alg: OcspHashAlgorithm, nameHash: Uint8Array, keyHash: Uint8Array): string {
  const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
  return `${alg}:${hex(nameHash)}:${hex(keyHash)}`;
}
