/**
 * Object identifiers of the two SignedData families. GB/T 35275-2017 keeps the RFC 5652 structure
 * and the PKCS#9 attribute OIDs but names the content types under 1.2.156.10197.6.1.4.2.
 */
export const CMS_OID = {
  // RFC 5652 content types
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  // GB/T 35275-2017 §7 content types
  gbData: '1.2.156.10197.6.1.4.2.1',
  gbSignedData: '1.2.156.10197.6.1.4.2.2',
  // PKCS#9 / RFC 5652 §11 attributes (GB/T 35275 uses the same)
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  // RFC 2634 / RFC 5035 ESS
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  // RFC 3161 appendix A unsigned attribute
  timeStampToken: '1.2.840.113549.1.9.16.2.14',
  // ecert's unsigned attribute carrying the GB/T 38540 SES_Signature of an SM2 seal (its DER as the
  // one value). No standard names one; a UUID OID (ITU-T X.667, 2.25) needs no registration.
  // docs/decisions.md "The SES_Signature with an SM2 seal".
  sesSignature: '2.25.301494466639598324738376717041953068967',
  // RFC 3161 TSTInfo content type
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  // Digests
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  sm3: '1.2.156.10197.1.401',
  // Signatures, and the key OIDs some writers put in SignerInfo.signatureAlgorithm instead
  sm2WithSm3: '1.2.156.10197.1.501',
  sm2Sign: '1.2.156.10197.1.301.1',
  sm2Key: '1.2.156.10197.1.301',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  rsassaPss: '1.2.840.113549.1.1.10',
} as const;
