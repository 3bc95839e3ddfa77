import type { UnitInfo } from './certificate.dto';

/**
 * Keys the platform holds for the HRSS offices' own seals (a city bureau sealing its reply): the
 * key pair is generated in the cert-service's key store (encrypted soft store, or the PKCS#11
 * token for EC/RSA) and never leaves it; the seal-service has documents signed with it in one
 * call. Units' keys are never here: they live on their UKeys (deferred signing).
 */
export const PLATFORM_KEY_ALGORITHMS = ['EC-P256', 'SM2', 'RSA-2048'] as const;
export type PlatformKeyAlgorithm = (typeof PLATFORM_KEY_ALGORITHMS)[number];

/** Subjects.cert.platformKeyIssue (admin): a unit certificate for a key generated in the key store. */
export interface IssuePlatformHeldCertificateCommand {
  unit: UnitInfo;
  keyAlgorithm: PlatformKeyAlgorithm;
  /** 1-1095 days, default 365 (as for any issuance). */
  validityDays?: number;
}

/**
 * What a platform-held key signs: CMS signed attributes for a document and, with an SM2 key, the
 * GB/T 38540 TBS_Sign for a seal of that key over the same document digest.
 */
export const PLATFORM_KEY_SIGN_PURPOSES = ['document'] as const;
export type PlatformKeySignPurpose = (typeof PLATFORM_KEY_SIGN_PURPOSES)[number];
/** What each signature is recorded as (cert.platform_key_use.purpose). */
export type PlatformKeyUsePurpose = PlatformKeySignPurpose | 'ses-signature';

/** The largest TBS_Sign a platform-held key signs (it embeds the seal with its picture). */
export const PLATFORM_KEY_SES_MAX_BYTES = 512 * 1024;

/** The largest DER SignedAttributes SET a platform-held key signs. */
export const PLATFORM_KEY_SIGN_MAX_BYTES = 8192;

/**
 * Subjects.cert.platformKeySign (seal-service, inside the gateway's document-sealing request):
 * sign the DER SignedAttributes of a CMS SignerInfo (a SET, tag 0x31, with content-type and
 * message-digest) with the key of a platform-held certificate. Not idempotent, and need not be:
 * a second signature over the same attributes is as harmless as the first (both are recorded).
 */
export interface PlatformKeySignCommand {
  /** Serial (hex) of an active platform-held certificate. */
  certificateSerial: string;
  /** Base64 of the DER SignedAttributes SET, at most PLATFORM_KEY_SIGN_MAX_BYTES. */
  dataToSign: string;
  purpose: PlatformKeySignPurpose;
  /**
   * SM2 keys only: base64 of a GB/T 38540 v4 TBS_Sign to sign too, in the same call. Signed only
   * when it embeds a seal made by ecert's seal maker and bound to this certificate, its dataHash is
   * the message digest of `dataToSign`, and its time is now.
   */
  sesDataToSign?: string;
}

export interface PlatformKeySignReply {
  /**
   * Base64 of the signature value: DER SEQUENCE{r, s} for ECDSA (SHA-256) and SM2 (SM3 with the
   * standard user ID 1234567812345678), the raw PKCS#1 v1.5 value for RSA (SHA-256).
   */
  signature: string;
  /** e.g. 1.2.840.10045.4.3.2 (ecdsa-with-SHA256), 1.2.156.10197.1.501 (SM2-with-SM3), 1.2.840.113549.1.1.11. */
  signatureAlgorithmOid: string;
  /** Base64 DER SEQUENCE{r, s} over sesDataToSign, when it was given. */
  sesSignature?: string;
}

export const PlatformKeyProblemCode = {
  /** The certificate's key is not held by the platform (a UKey's certificate): sign on the UKey. */
  notPlatformHeld: 'certificate_not_platform_held',
} as const;
