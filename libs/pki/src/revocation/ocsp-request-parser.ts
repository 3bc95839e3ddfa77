import { DerReader, DerReadError, contentOf, decodeOid, encodedOf, type DerElement } from '../der/der-reader';
import { derOid } from '../der/der-writer';

/** CertID hash algorithms ecert matches issuers on. */
export type OcspHashAlgorithm = 'sha1' | 'sha256' | 'sm3';

export const OCSP_HASH_ALGORITHMS: Readonly<Record<OcspHashAlgorithm, { oid: string; length: number }>> = {
  sha1: { oid: '1.3.14.3.2.26', length: 20 },
  sha256: { oid: '2.16.840.1.101.3.4.2.1', length: 32 },
  sm3: { oid: '1.2.156.10197.1.401', length: 32 },
};

export interface OcspCertId {
  /**
   * Undefined when the client hashed with an algorithm ecert does not match issuers on
   * (e.g. SHA-384): the request is still well formed, and that CertID is answered `unknown`.
   */
  readonly hashAlgorithm: OcspHashAlgorithm | undefined;
  readonly hashAlgorithmOid: string;
  readonly issuerNameHash: Uint8Array;
  readonly issuerKeyHash: Uint8Array;
  /** serialNumber INTEGER content bytes as sent. */
  readonly serialNumber: Uint8Array;
  /**
   * The serial in `serialKey()` form (lower-case hex, no padding byte) for status look-up;
   * undefined for a zero or negative serial, which no ecert certificate has.
   */
  readonly serialKey: string | undefined;
  /** The CertID DER exactly as received: echoed unchanged in the SingleResponse. */
  readonly der: Uint8Array;
}

export interface OcspRequest {
  readonly certIds: readonly OcspCertId[];
  /**
   * Nonce extnValue contents exactly as received (RFC 8954/9654 clients such as OpenSSL send
   * an OCTET STRING inside it): the response echoes these bytes unchanged.
   */
  readonly nonce: Uint8Array | undefined;
  /** The request carried optionalSignature. It is not verified: ecert does not require signed requests. */
  readonly signed: boolean;
}

export interface ParseOcspRequestOptions {
  /** Upper bound on CertIDs per request (default 100): bounds the work one request can cause. */
  maxCertIds?: number;
}

/**
 * A request that is not a well-formed OCSPRequest. The responder answers it with the
 * `malformedRequest` status (RFC 6960 §2.3), never with a signed response.
 */
export class OcspRequestError extends Error {
  readonly responseStatus = 'malformedRequest' as const;

  constructor(readonly detail: string) {
    super(`Malformed OCSP request: ${detail}`);
    this.name = 'OcspRequestError';
  }
}

const HASH_BY_OID_HEX = new Map<string, OcspHashAlgorithm>(
  (Object.keys(OCSP_HASH_ALGORITHMS) as OcspHashAlgorithm[]).map((alg) => [
    Buffer.from(derOid(OCSP_HASH_ALGORITHMS[alg].oid)).subarray(2).toString('hex'),
    alg,
  ]),
);
const NONCE_OID_HEX = Buffer.from(derOid('1.3.6.1.5.5.7.48.1.2')).subarray(2).toString('hex');
/** Request extensions we may safely accept even when marked critical: we always answer with a basic response. */
const ACCEPTABLE_RESPONSES_OID_HEX = Buffer.from(derOid('1.3.6.1.5.5.7.48.1.4')).subarray(2).toString('hex');
/** RFC 9654 §2.1: nonce values are 1..128 octets; anything else is rejected with malformedRequest. */
const MAX_NONCE_LENGTH = 128;

/**
 * Parses a DER OCSPRequest (RFC 6960 §4.1.1). Strict about structure (definite lengths, nothing
 * trailing, correct tags) and lenient only where clients legitimately vary (explicit v1
 * version, NULL or absent hash parameters, non-critical extensions we do not know).
 *
 * Hand-written over the raw bytes: this runs for every OCSP request, and a schema library costs
 * tens of microseconds and allocations per parse where this costs about a microsecond.
 * Returned byte fields are views into `der`; copy them if the buffer is reused.
 */
export function parseOcspRequest(der: Uint8Array, options: ParseOcspRequestOptions = {}): OcspRequest {
  const maxCertIds = options.maxCertIds ?? 100;
  try {
    const top = new DerReader(der);
    const ocspRequest = top.read(0x30, 'OCSPRequest');
    top.expectEnd('OCSPRequest');

    const req = DerReader.inside(der, ocspRequest);
    const tbs = DerReader.inside(der, req.read(0x30, 'tbsRequest'));
    const signature = req.readOptional(0xa0, 'optionalSignature');
    req.expectEnd('OCSPRequest');

    const version = tbs.readOptional(0xa0, 'version');
    if (version) {
      const v = DerReader.inside(der, version);
      const int = contentOf(der, v.read(0x02, 'version'));
      v.expectEnd('version');
      if (int.length !== 1 || int[0] !== 0) throw new OcspRequestError('unsupported request version');
    }
    tbs.readOptional(0xa1, 'requestorName');
    const list = DerReader.inside(der, tbs.read(0x30, 'requestList'));
    const certIds: OcspCertId[] = [];
    while (!list.done) {
      if (certIds.length >= maxCertIds) throw new OcspRequestError(`more than ${maxCertIds} CertIDs`);
      const request = DerReader.inside(der, list.read(0x30, 'Request'));
      certIds.push(readCertId(der, request.read(0x30, 'CertID')));
      const single = request.readOptional(0xa0, 'singleRequestExtensions');
      if (single) readExtensions(der, single, 'singleRequestExtensions', () => false);
      request.expectEnd('Request');
    }
    if (certIds.length === 0) throw new OcspRequestError('empty requestList');

    let nonce: Uint8Array | undefined;
    const exts = tbs.readOptional(0xa2, 'requestExtensions');
    if (exts) {
      readExtensions(der, exts, 'requestExtensions', (oidHex, value) => {
        if (oidHex === NONCE_OID_HEX) {
          checkNonce(value);
          nonce = value;
          return true;
        }
        return oidHex === ACCEPTABLE_RESPONSES_OID_HEX;
      });
    }
    tbs.expectEnd('tbsRequest');
    return { certIds, nonce, signed: signature !== undefined };
  } catch (e) {
    if (e instanceof DerReadError) throw new OcspRequestError(e.message);
    throw e;
  }
}

function readCertId(der: Uint8Array, el: DerElement): OcspCertId {
  const r = DerReader.inside(der, el);
  const algId = DerReader.inside(der, r.read(0x30, 'hashAlgorithm'));
  const oid = contentOf(der, algId.read(0x06, 'hashAlgorithm OID'));
  const params = algId.readOptional(0x05, 'hashAlgorithm parameters');
  if (params && params.end !== params.contentStart) throw new OcspRequestError('hash parameters must be NULL');
  algId.expectEnd('hashAlgorithm');
  const issuerNameHash = contentOf(der, r.read(0x04, 'issuerNameHash'));
  const issuerKeyHash = contentOf(der, r.read(0x04, 'issuerKeyHash'));
  const serialNumber = contentOf(der, r.read(0x02, 'serialNumber'));
  r.expectEnd('CertID');
  if (serialNumber.length === 0) throw new OcspRequestError('empty serialNumber');

  const hashAlgorithm = HASH_BY_OID_HEX.get(Buffer.from(oid.buffer, oid.byteOffset, oid.length).toString('hex'));
  if (hashAlgorithm) {
    const { length } = OCSP_HASH_ALGORITHMS[hashAlgorithm];
    if (issuerNameHash.length !== length || issuerKeyHash.length !== length) {
      throw new OcspRequestError(`${hashAlgorithm} issuer hashes must be ${length} octets`);
    }
  }
  return {
    hashAlgorithm,
    hashAlgorithmOid: hashAlgorithm ? OCSP_HASH_ALGORITHMS[hashAlgorithm].oid : decodeOid(oid),
    issuerNameHash,
    issuerKeyHash,
    serialNumber,
    serialKey: serialKeyOf(serialNumber),
    der: encodedOf(der, el),
  };
}

function serialKeyOf(content: Uint8Array): string | undefined {
  if (content[0]! & 0x80) return undefined; // negative
  let i = 0;
  while (i < content.length && content[i] === 0) i++;
  if (i === content.length) return undefined; // zero
  return Buffer.from(content.buffer, content.byteOffset + i, content.length - i).toString('hex');
}

/**
 * Walks `[n] EXPLICIT Extensions`. `understood(oidHex, value)` returns true for extensions the
 * caller handles; an unknown critical extension makes the request one we cannot honour.
 */
function readExtensions(
  der: Uint8Array,
  wrapper: DerElement,
  what: string,
  understood: (oidHex: string, value: Uint8Array) => boolean,
): void {
  const outer = DerReader.inside(der, wrapper);
  const list = DerReader.inside(der, outer.read(0x30, what));
  outer.expectEnd(what);
  const seen = new Set<string>();
  while (!list.done) {
    const ext = DerReader.inside(der, list.read(0x30, 'Extension'));
    const oid = contentOf(der, ext.read(0x06, 'extnID'));
    const criticalEl = ext.readOptional(0x01, 'critical');
    let critical = false;
    if (criticalEl) {
      const c = contentOf(der, criticalEl);
      if (c.length !== 1) throw new OcspRequestError('bad BOOLEAN');
      critical = c[0] !== 0;
    }
    const value = contentOf(der, ext.read(0x04, 'extnValue'));
    ext.expectEnd('Extension');
    const oidHex = Buffer.from(oid.buffer, oid.byteOffset, oid.length).toString('hex');
    if (seen.has(oidHex)) throw new OcspRequestError(`${what}: extension ${decodeOid(oid)} repeated`);
    seen.add(oidHex);
    if (!understood(oidHex, value) && critical) {
      throw new OcspRequestError(`${what}: unsupported critical extension ${decodeOid(oid)}`);
    }
  }
}

function checkNonce(value: Uint8Array): void {
  // RFC 8954/9654 clients wrap the nonce in an OCTET STRING; older ones (RFC 2560 era) put the
  // raw bytes in extnValue. Either way the length rule applies to the nonce itself.
  let nonceLength = value.length;
  if (value[0] === 0x04) {
    try {
      const r = new DerReader(value);
      const inner = r.read(0x04);
      if (r.done) nonceLength = inner.end - inner.contentStart;
    } catch {
      // not a wrapped nonce: treat the whole value as the nonce
    }
  }
  if (nonceLength < 1 || nonceLength > MAX_NONCE_LENGTH) {
    throw new OcspRequestError(`nonce length ${nonceLength} outside 1..${MAX_NONCE_LENGTH}`);
  }
}
