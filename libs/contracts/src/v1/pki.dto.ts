export interface CaView {
  caId: string;
  role: 'root' | 'issuing' | 'ocsp' | 'seal-maker';
  family: 'sm2' | 'ecdsa' | 'rsa';
  subject: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  certificatePem: string;
  /** Set while the certificate shown is revoked (an issuing CA stays so until re-keyed). */
  revokedAt?: string;
  revocationReason?: string;
  /**
   * Roots and issuing CAs: the CA-level certificates this CA issued and revoked (its CRL lists
   * them), including ones no longer shown because their role got a new certificate (a revoked
   * seal maker or OCSP signer is replaced at once). Seal verification needs them: the old
   * certificate still chains and still carries its purpose.
   */
  revokedCertificates?: RevokedCaCertificateView[];
}

/** A revoked CA-level certificate, by its issuer (the CaView it is listed under) and serial. */
export interface RevokedCaCertificateView {
  /** The role slot it held, e.g. sm2-seal-maker. */
  caId: string;
  role: 'issuing' | 'ocsp' | 'seal-maker';
  /** Lower-case hex without leading zero octets (serialKey form). */
  serial: string;
  subject: string;
  notAfter: string;
  revokedAt: string;
  revocationReason: string;
}

/** Reasons accepted on a CA certificate (cACompromise: the CA's own key is out). */
export const CA_REVOCATION_REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'privilegeWithdrawn'] as const;

export interface RevokeCaCommand {
  caId: string;
  reason: (typeof CA_REVOCATION_REASONS)[number];
  comment?: string;
}

export interface CaRevocationResult {
  /** The certificate as it was revoked (the CA id may hold a replacement by now). */
  revoked: CaView & { revokedAt: string; revocationReason: string; issuerCaId: string };
  /** The new certificate and key made for the role (OCSP signer, seal maker). */
  replacement?: CaView;
  /** CAs that sign nothing any more because of this revocation (the CA itself included). */
  stopped: string[];
}

export interface CaCertificateQuery { caId: string }
export interface CrlQuery { caId: string; delta: boolean }
/**
 * The answer to a CRL republish request. `base64` (the CRL's DER) only when the publication point
 * (Redis) could not take it and the CRL is at most CRL_INLINE_MAX_BYTES, well under NATS's
 * max_payload: relying parties keep getting CRLs while Redis is down.
 */
export interface CrlReply { published: boolean; number: string; base64?: string }
export const CRL_INLINE_MAX_BYTES = 512 * 1024;
/** Binary payloads travel base64-encoded inside JSON. */
export interface BinaryReply { base64: string; contentType: string; maxAgeSeconds?: number }
export interface OcspQuery { requestBase64: string }
/** A gateway asks for a delegated OCSP responder certificate for this key (SPKI DER), under issuing CA `caId`. */
export interface OcspDelegateCommand { caId: string; spkiBase64: string }
export interface OcspDelegateReply {
  /** The responder certificate (id-kp-OCSPSigning, ocsp-nocheck) and the issuing CA's certificate, DER. */
  certificateBase64: string;
  caCertificateBase64: string;
  serial: string;
  notAfter: string;
}
/** At most this many serials per status query (an OCSP request names few; a batch request is refused). */
export const OCSP_STATUS_MAX_SERIALS = 100;
export interface OcspStatusQuery { caId: string; serials: string[] }
/**
 * Per serial (normalised lowercase hex): what an OCSP answer says. `caHeld`: a CA-level
 * certificate (OCSP signer, seal maker) the gateway does not answer for; it asks cert.ocsp.respond.
 */
export interface OcspStatusEntry { serial: string; status: 'good' | 'revoked' | 'unknown'; revokedAt?: string; reason?: string; caHeld?: boolean }
export interface OcspStatusReply { statuses: OcspStatusEntry[] }
export interface OcspInvalidation { serials: string[]; caId?: string; casChanged?: boolean }
/** A client whose credentials or standing changed, for the gateways' credential caches (Subjects.gateway.credentialsInvalidate). */
export interface CredentialInvalidation { clientId: string }
/**
 * Serials per OCSP invalidation message: a batch chunk (up to 50,000) is sent as several, each
 * well under NATS's max_payload (1 MB by default; a serial is at most 40 hex digits, ~43 bytes).
 */
export const OCSP_INVALIDATION_MAX_SERIALS = 5000;

/** GET /api/v1/discarded-certificates: filters and paging of the certificates signed that issued nothing. */
export interface DiscardedCertificatesQuery {
  caId?: string;
  /** Region code; a province or city includes what lies in it. */
  region?: string;
  /** Signed at or after / before (ISO 8601). */
  since?: string;
  until?: string;
  page?: number;
  pageSize?: number;
  /** Keyset cursor: the entries after this one (its `cursor`), in list order; `page` is then ignored and no total is counted. */
  after?: string;
}

/**
 * A certificate a CA signed that was then not stored nor returned (cert.discarded_certificate): what
 * an HSM's log line for that signature is matched with (`signedDigest`). The TBS itself is kept in the
 * database only (it names the subscriber).
 */
export interface DiscardedCertificateView {
  serial: string;
  caId: string;
  command: 'issue' | 'renew';
  /** The problem code the client was answered with, `retry_answered`, or `failed`. */
  reason: string;
  detail: string | null;
  /** Region of the subscriber it was for. */
  regionCode: string;
  tbsSha256: string;
  /**
   * The digest the CA key signed: the hash the signature algorithm names, or for SM2 e = SM3(Z ‖ TBS)
   * with Z from the CA's public key (an ECDSA key in a PKCS#11 HSM is handed exactly this). Null when
   * it could not be computed.
   */
  signedDigest: string | null;
  /** `SHA-256`, `SHA-384`, `SHA-512` or `SM3(Z‖TBS)`. */
  signedDigestAlgorithm: string | null;
  certificateSha256: string;
  requestId: string | null;
  clientId: string | null;
  actor: string | null;
  signedAt: string;
  recordedAt: string;
  /** Opaque keyset cursor of this entry (for `after`). */
  cursor: string;
}

export interface DiscardedCertificatePage {
  items: DiscardedCertificateView[];
  page: number;
  pageSize: number;
  /** Absent on keyset (`after`) pages. */
  total?: number;
  /** Cursor of the last item when more may follow. */
  next?: string;
}
