/**
 * The key algorithms ecert issues under and accepts from subscribers, and the one signature
 * scheme each is used with. Fixing the pairing here keeps CA, CSR, CRL and OCSP code from drifting.
 */
export type KeyAlgorithm = 'SM2' | 'EC-P256' | 'EC-P384' | 'RSA-2048' | 'RSA-3072' | 'RSA-4096';

/** A CA family: every CA key of one family signs with the same scheme. */
export type AlgorithmFamily = 'sm2' | 'ecdsa' | 'rsa';

export const OID = {
  // SM2 public key (GM/T 0006) and SM2-with-SM3 signature (GM/T 0015 / GB/T 33560)
  sm2PublicKey: '1.2.156.10197.1.301',
  sm2WithSm3: '1.2.156.10197.1.501',
  sm3: '1.2.156.10197.1.401',
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  secp521r1: '1.3.132.0.35',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

/** Standard SM2 signer ID (GM/T 0009): what every interoperable SM2 signature uses. */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

export function familyOf(alg: KeyAlgorithm): AlgorithmFamily {
  if (alg === 'SM2') return 'sm2';
  if (alg.startsWith('EC-')) return 'ecdsa';
  return 'rsa';
}
