/**
 * The public shapes of @ecert/cms. The PDF sealing flow (libs/pdf, the seal service) is written
 * against these names, so they change only together with it.
 */

/**
 * pades: ETSI.CAdES.detached (PAdES baseline B-B/B-T) with the RFC 5652 OIDs; SHA-256; ECDSA
 * (ecdsa-with-SHA256) or RSA PKCS#1 v1.5 (sha256WithRSAEncryption).
 * gbt35275: GB/T 35275-2017 SignedData with the Chinese content-type OIDs; SM3; SM2-with-SM3.
 */
export type CmsFamily = 'pades' | 'gbt35275';

/** Digests a container may name; ecert writes only sha256 (pades) and sm3 (gbt35275). */
export type CmsDigestAlgorithm = 'sha256' | 'sha384' | 'sha512' | 'sm3';

export interface SignedAttributesInput {
  family: CmsFamily;
  /** Digest of the signed content (the PDF ByteRange) with the family's algorithm. */
  contentDigest: Uint8Array;
  /** DER certificate of the signer; its key decides the signature algorithm. */
  signerCertificate: Uint8Array;
  /** PAdES baseline forbids signing-time (the time is the PDF's /M or a timestamp's). */
  signingTime?: never;
}

/** The DER SET OF the signed attributes (what is signed) and the digest of it for a device that signs digests. */
export interface PreparedSignedAttributes {
  family: CmsFamily;
  /** DER `SET OF Attribute` (tag 0x31): RFC 5652 §5.4 signs this, not the [0] IMPLICIT form. */
  der: Uint8Array;
  digestAlgorithm: 'sha256' | 'sm3';
  /** = der; for signers that hash themselves (Signer.sign, a UKey's sign-data call). */
  dataToSign: Uint8Array;
  /**
   * For signers that take a digest: SHA-256(der) for ECDSA/RSA (RSA devices wrap it in a
   * DigestInfo themselves); for SM2 e = SM3(Z || der), Z over the certificate's key and the
   * standard user ID 1234567812345678.
   */
  digestToSign: Uint8Array;
}

export interface AssembleInput {
  prepared: PreparedSignedAttributes;
  /** The signature as returned by checkSignatureOverAttributes (DER for ECDSA/SM2, raw for RSA). */
  signature: Uint8Array;
  signerCertificate: Uint8Array;
  /** Intermediate (and optionally root) certificates, DER; duplicates of the signer are dropped. */
  chain: Uint8Array[];
  /** RFC 3161 TimeStampToken (a ContentInfo, DER) over the signature value: unsigned attr id-aa-timeStampToken. */
  timestampToken?: Uint8Array;
  /** A GB/T 38540 SES_Signature (DER SEQUENCE) over the same content: unsigned attr CMS_OID.sesSignature. */
  sesSignature?: Uint8Array;
}

export interface CmsVerification {
  /** The key family of the signature: SM2 → gbt35275 (whatever the OIDs), ECDSA/RSA → pades. */
  family: CmsFamily;
  /** Which OIDs the container uses: RFC 5652 (pkcs7) or GB/T 35275. */
  oidFamily: 'pkcs7' | 'gbt35275';
  /** The SignerInfo's digest algorithm; its dotted OID when unknown. */
  digestAlgorithm: CmsDigestAlgorithm | string;
  /** The message-digest attribute equals the caller's content digest. */
  digestMatches: boolean;
  /** The signature over the signed attributes verifies with the signer certificate's key. */
  signatureValid: boolean;
  signerCertificate?: Uint8Array;
  /** Every certificate in SignedData.certificates, DER as received. */
  certificates: Uint8Array[];
  /** undefined when there is no signing-certificate(-v2) attribute. */
  signingCertificateV2Matches?: boolean;
  timestampToken?: Uint8Array;
  /** The timestamp token's own checks, when there is one (its problems are not repeated in `problems`). */
  timestamp?: TimestampVerification;
  /** The SES_Signature carried as CMS_OID.sesSignature, as received (unsigned: its own signature protects it). */
  sesSignature?: Uint8Array;
  /** How many SES_Signature values the unsigned attributes hold (all attributes together): more than one is ambiguous. */
  sesSignatureCount?: number;
  /** The SignerInfo's signature value: what stays when unsigned attributes are added, swapped or stripped. */
  signatureValue?: Uint8Array;
  /** Each `CODE: sentence`, the code DSS-like (HASH_FAILURE, SIG_CRYPTO_FAILURE, …); empty when all is well. */
  problems: string[];
}

/** An RFC 3161 timestamp token checked against the signature value it should cover (PAdES B-T). */
export interface TimestampVerification {
  /** TSTInfo.genTime. */
  genTime?: Date;
  /** TSTInfo.policy. */
  policy?: string;
  /** TSTInfo.messageImprint is the hash of the signature value. */
  imprintMatches: boolean;
  /** The token's message-digest attribute is the digest of its TSTInfo. */
  digestMatches: boolean;
  /** The TSA's signature verifies with the certificate the token names. */
  signatureValid: boolean;
  tsaCertificate?: Uint8Array;
  certificates: Uint8Array[];
  /** As in CmsVerification; the TSA certificate's trust is the caller's. */
  problems: string[];
}
