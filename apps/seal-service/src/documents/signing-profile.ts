import type { DocumentDigestAlgorithm, SealSessionView, SignatureFamily } from '@ecert/contracts';

export type KeyFamily = 'sm2' | 'ecdsa' | 'rsa';

export interface SigningProfile {
  family: SignatureFamily;
  subFilter: 'ETSI.CAdES.detached' | 'adbe.pkcs7.detached';
  digestAlgorithm: DocumentDigestAlgorithm;
  signatureAlgorithm: SealSessionView['signatureAlgorithm'];
}

/**
 * The container by the key of the seal's certificate (docs/documents.md): SM2 → a GB/T 35275
 * SignedData over the SM3 digest of the ByteRange, SubFilter adbe.pkcs7.detached (readers that
 * know SM2 take the PKCS#7 form; ETSI.CAdES.detached promises CAdES, i.e. RFC 5652 OIDs);
 * ECDSA/RSA → PAdES baseline B-B, SubFilter ETSI.CAdES.detached, SHA-256.
 */
export function signingProfileOf(key: KeyFamily): SigningProfile {
  if (key === 'sm2') return { family: 'gbt35275', subFilter: 'adbe.pkcs7.detached', digestAlgorithm: 'sm3', signatureAlgorithm: 'sm2-with-sm3' };
  return { family: 'pades', subFilter: 'ETSI.CAdES.detached', digestAlgorithm: 'sha256', signatureAlgorithm: key === 'ecdsa' ? 'ecdsa-with-sha256' : 'sha256-with-rsa' };
}
