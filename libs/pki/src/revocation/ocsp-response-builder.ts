import type { Signer } from '../crypto/signer';
import { keyIdentifierOf } from '../x509/key-identifier';
import { signatureAlgorithmIdentifierDer } from '../x509/signature-algorithm';
import { certificateFields } from './certificate-fields';
import { DerReader, DerReadError } from '../der/der-reader';
import {
  derEnumerated,
  derExplicit,
  derExtension,
  derGeneralizedTime,
  derOctetString,
  derOid,
  derSequence,
  derTlv,
  derTlvSize,
  writeDerHeader,
} from '../der/der-writer';
import type { OcspCertId } from './ocsp-request-parser';
import { REASON_CODES, isReasonCode, type ReasonCode } from './revocation-reason';
import { RevocationInputError } from './revocation-input-error';

export type OcspCertStatus =
  | { readonly status: 'good' }
  /** `reason` omitted or `unspecified` → no revocationReason (as for CRL entries). */
  | { readonly status: 'revoked'; readonly revokedAt: Date; readonly reason?: Exclude<ReasonCode, 'removeFromCRL'> }
  | { readonly status: 'unknown' };

export interface OcspSingleResponse {
  /** The CertID answered: a parsed request's CertID (echoed byte for byte) or CertID DER. */
  readonly certId: Pick<OcspCertId, 'der'> | Uint8Array;
  readonly certStatus: OcspCertStatus;
  readonly thisUpdate: Date;
  /** When newer information will be available; omit only if it always is (RFC 6960 §4.2.2.1). */
  readonly nextUpdate?: Date;
}

export interface OcspResponseDataInput {
  readonly producedAt: Date;
  readonly responses: readonly OcspSingleResponse[];
  /** The request's nonce extnValue ({@link OcspRequest.nonce}), echoed unchanged. */
  readonly nonce?: Uint8Array;
}

export interface OcspResponderOptions {
  /** The delegated OCSP signing key (or the CA key itself). */
  readonly signer: Signer;
  /**
   * DER certificates for the response's `certs`: the delegated responder certificate first, so
   * clients can verify a response signed by a key other than the CA's (RFC 6960 §4.2.2.2).
   * Empty when the CA key signs (clients already hold the CA certificate).
   */
  readonly certificates: readonly Uint8Array[];
}

/**
 * producedAt, thisUpdate and nextUpdate of an answer made at `now`: thisUpdate on the second (so
 * answers made within one second are byte-identical but for the nonce), nextUpdate `validityMs` on.
 */
export function ocspAnswerTimes(now: Date, validityMs: number): { producedAt: Date; thisUpdate: Date; nextUpdate: Date } {
  const thisUpdate = new Date(Math.floor(now.getTime() / 1000) * 1000);
  return { producedAt: now, thisUpdate, nextUpdate: new Date(thisUpdate.getTime() + validityMs) };
}

const OID_PKIX_OCSP_BASIC = derOid('1.3.6.1.5.5.7.48.1.1');
const OID_PKIX_OCSP_NONCE = derOid('1.3.6.1.5.5.7.48.1.2');
const SUCCESSFUL = derEnumerated(0);
const EMPTY = new Uint8Array(0);
const CERT_STATUS_GOOD = Uint8Array.of(0x80, 0x00); // [0] IMPLICIT NULL
const CERT_STATUS_UNKNOWN = Uint8Array.of(0x82, 0x00); // [2] IMPLICIT UnknownInfo (NULL)

/**
 * Builds signed OCSP responses (RFC 6960 §4.2) for one responder key. Building the
 * ResponseData ({@link encodeResponseData}) and signing it ({@link sign}) are separate, so the
 * caller can pre-sign and cache responses to nonce-less requests per CertID until their
 * nextUpdate, and spend the signature only on requests that carry a nonce.
 *
 * Everything that does not change per response (ResponderID, AlgorithmIdentifier, certs) is
 * encoded once in the constructor.
 */
export class OcspResponseBuilder {
  private readonly responderId: Uint8Array;
  private readonly signatureAlgorithm: Uint8Array;
  private readonly certsField: Uint8Array | undefined;

  constructor(private readonly options: OcspResponderOptions) {
    const { signer, certificates } = options;
    // ResponderID byKey [2] EXPLICIT KeyHash: SHA-1 of the responder key bits. Smaller than byName and
    // immune to name-encoding differences; OpenSSL and browsers match it against the certs.
    this.responderId = derExplicit(2, derOctetString(keyIdentifierOf(signer.spki)));
    this.signatureAlgorithm = signatureAlgorithmIdentifierDer(signer.signatureAlgorithmOid);
    // A wrong certificate here would make every response fail verification at the client: catch it at start-up.
    const fields = certificates.map((cert, i) => certificateFields(cert, `certificates[${i}]`));
    if (fields[0] && Buffer.compare(fields[0].spki, signer.spki) !== 0) {
      throw new RevocationInputError('certificates[0]', "first certificate is not the responder key's", 'OCSP 签名证书与签名密钥不一致');
    }
    this.certsField = certificates.length > 0 ? derExplicit(0, derSequence(...certificates)) : undefined;
  }

  /** DER ResponseData (the bytes that get signed). */
  encodeResponseData(input: OcspResponseDataInput): Uint8Array {
    if (!isValidDate(input.producedAt)) throw new RevocationInputError('producedAt', 'invalid date');
    if (input.responses.length === 0) throw new RevocationInputError('responses', 'at least one SingleResponse is required');
    const single = input.responses.map((r, i) => encodeSingleResponse(r, `responses[${i}]`));
    const parts = [this.responderId, derGeneralizedTime(input.producedAt), derSequence(...single)];
    if (input.nonce !== undefined) {
      if (input.nonce.length === 0) throw new RevocationInputError('nonce', 'empty nonce');
      parts.push(derExplicit(1, derSequence(derExtension(OID_PKIX_OCSP_NONCE, false, input.nonce))));
    }
    // version [0] EXPLICIT DEFAULT v1 is omitted, as DER requires for a default value.
    return derSequence(...parts);
  }

  /** Signs ResponseData and wraps it into a complete `successful` OCSPResponse DER. */
  async sign(responseData: Uint8Array): Promise<Uint8Array> {
    const signature = await this.options.signer.sign(responseData);
    // OCSPResponse { SUCCESSFUL, [0] { OID basic, OCTET STRING { BasicOCSPResponse } } }, written
    // into one buffer: the answer is one copy of its parts, not one per level of nesting.
    const certs = this.certsField ?? EMPTY;
    const signatureBits = 1 + signature.length;
    const basic = responseData.length + this.signatureAlgorithm.length + derTlvSize(signatureBits) + certs.length;
    const octets = derTlvSize(basic);
    const responseBytes = OID_PKIX_OCSP_BASIC.length + derTlvSize(octets);
    const explicit = derTlvSize(responseBytes);
    const outer = SUCCESSFUL.length + derTlvSize(explicit);
    const out = new Uint8Array(derTlvSize(outer));
    let at = writeDerHeader(out, 0, 0x30, outer);
    out.set(SUCCESSFUL, at);
    at = writeDerHeader(out, at + SUCCESSFUL.length, 0xa0, explicit);
    at = writeDerHeader(out, at, 0x30, responseBytes);
    out.set(OID_PKIX_OCSP_BASIC, at);
    at = writeDerHeader(out, at + OID_PKIX_OCSP_BASIC.length, 0x04, octets);
    at = writeDerHeader(out, at, 0x30, basic);
    out.set(responseData, at);
    out.set(this.signatureAlgorithm, at + responseData.length);
    at = writeDerHeader(out, at + responseData.length + this.signatureAlgorithm.length, 0x03, signatureBits);
    out[at++] = 0; // no unused bits
    out.set(signature, at);
    out.set(certs, at + signature.length);
    return out;
  }

  async build(input: OcspResponseDataInput): Promise<Uint8Array> {
    return this.sign(this.encodeResponseData(input));
  }
}

function encodeSingleResponse(r: OcspSingleResponse, field: string): Uint8Array {
  const certId = r.certId instanceof Uint8Array ? r.certId : r.certId.der;
  assertSequence(certId, `${field}.certId`);
  if (!isValidDate(r.thisUpdate)) throw new RevocationInputError(`${field}.thisUpdate`, 'invalid date');
  const parts = [certId, encodeCertStatus(r.certStatus, field), derGeneralizedTime(r.thisUpdate)];
  if (r.nextUpdate !== undefined) {
    if (!isValidDate(r.nextUpdate) || r.nextUpdate.getTime() <= r.thisUpdate.getTime()) {
      throw new RevocationInputError(`${field}.nextUpdate`, 'nextUpdate must be a date after thisUpdate');
    }
    parts.push(derExplicit(0, derGeneralizedTime(r.nextUpdate)));
  }
  return derSequence(...parts);
}

function encodeCertStatus(s: OcspCertStatus, field: string): Uint8Array {
  switch (s.status) {
    case 'good':
      return CERT_STATUS_GOOD;
    case 'unknown':
      return CERT_STATUS_UNKNOWN;
    case 'revoked': {
      if (!isValidDate(s.revokedAt)) throw new RevocationInputError(`${field}.revokedAt`, 'invalid date');
      const time = derGeneralizedTime(s.revokedAt);
      if (s.reason === undefined || s.reason === 'unspecified') return derTlv(0xa1, time);
      // removeFromCRL only means something inside a delta CRL; OCSP says `good` for a lifted hold.
      if (!isReasonCode(s.reason) || (s.reason as ReasonCode) === 'removeFromCRL') {
        throw new RevocationInputError(`${field}.reason`, `not a revocation reason for OCSP: ${String(s.reason)}`);
      }
      // revoked [1] IMPLICIT RevokedInfo { revocationTime, revocationReason [0] EXPLICIT CRLReason }
      return derTlv(0xa1, time, derExplicit(0, derEnumerated(REASON_CODES[s.reason])));
    }
    default:
      throw new RevocationInputError(`${field}.certStatus`, `unknown status ${String((s as { status: unknown }).status)}`);
  }
}

function assertSequence(bytes: Uint8Array, field: string): void {
  try {
    const r = new DerReader(bytes);
    r.read(0x30, field);
    r.expectEnd(field);
  } catch (e) {
    if (e instanceof DerReadError) throw new RevocationInputError(field, e.message);
    throw e;
  }
}

const isValidDate = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime());
