import type { PublicKeyDescription } from '@ecert/pki';
import { CMS_OID } from './cms-oids';
import type { CmsDigestAlgorithm } from './cms-types';
import type { ParsedAlgorithm } from './signed-data-parser';

const SM2_SIGNATURE_OIDS = new Set<string>([CMS_OID.sm2WithSm3, CMS_OID.sm2Sign, CMS_OID.sm2Key]);
const ECDSA_BY_DIGEST: Partial<Record<CmsDigestAlgorithm, string>> = {
  sha256: CMS_OID.ecdsaWithSha256,
  sha384: CMS_OID.ecdsaWithSha384,
  sha512: CMS_OID.ecdsaWithSha512,
};
const RSA_BY_DIGEST: Partial<Record<CmsDigestAlgorithm, string>> = {
  sha256: CMS_OID.sha256WithRsa,
  sha384: CMS_OID.sha384WithRsa,
  sha512: CMS_OID.sha512WithRsa,
};

/**
 * The signature algorithm (for @ecert/pki's verifySignature) a third-party SignerInfo means.
 * Writers differ: GB/T 35275 names SM2-1 (1.2.156.10197.1.301.1), others SM2-with-SM3 or the SM2
 * key OID; OpenSSL writes the key's OID (rsaEncryption, id-ecPublicKey) and lets digestAlgorithm
 * say the hash (RFC 5754 §3, RFC 5753 allow that). undefined when there is no such pairing.
 */
export function verificationAlgorithmFor(
  signatureAlgorithm: ParsedAlgorithm,
  digest: CmsDigestAlgorithm | undefined,
  key: PublicKeyDescription,
): { oid: string; parameters?: Uint8Array } | undefined {
  const oid = signatureAlgorithm.oid;
  if (SM2_SIGNATURE_OIDS.has(oid) || (oid === CMS_OID.ecPublicKey && key.family === 'sm2')) {
    return key.family === 'sm2' ? { oid: CMS_OID.sm2WithSm3 } : undefined;
  }
  if (oid === CMS_OID.ecPublicKey) return digest && ECDSA_BY_DIGEST[digest] ? { oid: ECDSA_BY_DIGEST[digest]! } : undefined;
  if (oid === CMS_OID.rsaEncryption) return digest && RSA_BY_DIGEST[digest] ? { oid: RSA_BY_DIGEST[digest]! } : undefined;
  if (oid === CMS_OID.rsassaPss) return { oid, ...(signatureAlgorithm.parameters ? { parameters: signatureAlgorithm.parameters } : {}) };
  return { oid };
}
