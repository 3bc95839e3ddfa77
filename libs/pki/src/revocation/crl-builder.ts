import type { Signer } from '../crypto/signer';
import { keyIdentifierOf } from '../x509/key-identifier';
import { signatureAlgorithmIdentifierDer } from '../x509/signature-algorithm';
import { DerReader, DerReadError } from '../der/der-reader';
import {
  derBitString,
  derExplicit,
  derExtension,
  derOid,
  derSequence,
  derTlv,
  derTlvSize,
  derUnsignedInteger,
  derX509Time,
  writeDerHeader,
  writeGeneralizedTime,
  writeX509Time,
  x509TimeSize,
} from '../der/der-writer';
import { isReasonCode, type ReasonCode } from './revocation-reason';
import { HOLD_EXTENSIONS, INVALIDITY_EXTENSION_SIZE, INVALIDITY_PREFIX, REASON_EXTENSIONS, type HoldInstruction } from './crl-entry-extensions';
import type { EncodedRevokedCertificates } from './revoked-certificates-encoder';
import { RevocationInputError } from './revocation-input-error';
import { serialIntegerContent, type SerialInput } from './serial-number';

export type { HoldInstruction };

export interface CrlEntry {
  serial: SerialInput;
  revokedAt: Date;
  /** Omitted or `unspecified` → no reasonCode extension (RFC 5280 §5.3.1 recommends omitting unspecified). */
  reason?: ReasonCode;
  /** Known or suspected time of key compromise (RFC 5280 §5.3.2), always GeneralizedTime. */
  invalidityDate?: Date;
  /** Only with reason `certificateHold`. */
  holdInstruction?: HoldInstruction;
}

export interface IssuingDistributionPoint {
  /**
   * fullName URIs of this CRL's distribution point. For a partitioned CRL they must be exactly
   * the URIs in the covered certificates' CRL distribution points extension.
   */
  urls?: readonly string[];
  onlyContainsUserCerts?: boolean;
  onlyContainsCACerts?: boolean;
}

export interface BuildCrlInput {
  /** DER Name of the issuing CA, copied byte for byte from its certificate's subject. */
  issuerName: Uint8Array;
  /** DER SubjectPublicKeyInfo of the issuing CA. */
  issuerSpki: Uint8Array;
  /**
   * The CA certificate's SKI when it was not computed by RFC 5280 method 1 (an imported CA), as
   * `issuerFromCertificate` reports it: the AKI must repeat the SKI. Default: SHA-1 of the key bits,
   * computed by the same function the certificate builder uses for SKI/AKI.
   */
  issuerKeyIdentifier?: Uint8Array;
  /** The CA's own key: indirect CRLs are not supported, so `signer.spki` must equal `issuerSpki`. */
  signer: Signer;
  crlNumber: bigint;
  thisUpdate: Date;
  /** Required: RFC 5280 §5.1.2.5 makes nextUpdate mandatory for conforming CRL issuers. */
  nextUpdate: Date;
  entries: readonly CrlEntry[];
  /**
   * Instead of `entries` (which must then be empty): the entries already encoded by a
   * RevokedCertificatesEncoder, e.g. while streaming them from the database. Same bytes.
   */
  revokedCertificates?: EncodedRevokedCertificates;
  /** CRL number of the complete CRL this delta CRL is relative to; makes this a delta CRL. */
  deltaOf?: bigint;
  /** Where the delta CRLs for this complete CRL are published (Freshest CRL, complete CRLs only). */
  freshestCrlUrl?: string;
  issuingDistributionPoint?: IssuingDistributionPoint;
}

const OID_DER = {
  crlNumber: derOid('2.5.29.20'),
  deltaCrlIndicator: derOid('2.5.29.27'),
  issuingDistributionPoint: derOid('2.5.29.28'),
  authorityKeyIdentifier: derOid('2.5.29.35'),
  freshestCrl: derOid('2.5.29.46'),
};

const VERSION_V2 = Uint8Array.of(0x02, 0x01, 0x01);
const MAX_CRL_NUMBER = (1n << 159n) - 1n; // 20 octets as a positive INTEGER (RFC 5280 §5.2.3)

const isValidDate = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime());

/**
 * Builds and signs an X.509 v2 CRL (RFC 5280 §5) — complete or delta — and returns its DER.
 *
 * revokedCertificates is written straight into one preallocated buffer from per-entry sizes
 * computed in a first pass (two linear passes, no per-entry ASN.1 objects): 100k entries encode
 * in about 0.15–0.2 s on a 2-core machine, and hashing the ~4 MB TBS for the signature adds only
 * milliseconds with native SHA-256/SM3.
 */
export async function buildCrl(input: BuildCrlInput): Promise<Uint8Array> {
  return signCrl(encodeTbsCertList(input), input.signer);
}

/** The CertificateList around a TBSCertList from {@link encodeTbsCertList}, signed by `signer`. */
export async function signCrl(tbs: Uint8Array, signer: Signer): Promise<Uint8Array> {
  const signature = await signer.sign(tbs);
  return derSequence(tbs, signatureAlgorithmIdentifierDer(signer.signatureAlgorithmOid), derBitString(signature));
}

/** The TBSCertList {@link buildCrl} signs (split out so callers can time or test the two apart). */
export function encodeTbsCertList(input: BuildCrlInput): Uint8Array {
  const { thisUpdate, nextUpdate, crlNumber, deltaOf } = input;
  assertSingleSequence(input.issuerName, 'issuerName');
  if (!bytesEqual(input.signer.spki, input.issuerSpki)) {
    throw new RevocationInputError('signer', 'signer key is not the issuer key (indirect CRLs are not supported)', 'CRL 签名密钥与颁发者不一致');
  }
  if (!isValidDate(thisUpdate)) throw new RevocationInputError('thisUpdate', 'invalid date');
  if (!isValidDate(nextUpdate)) throw new RevocationInputError('nextUpdate', 'invalid date');
  if (nextUpdate.getTime() <= thisUpdate.getTime()) {
    throw new RevocationInputError('nextUpdate', 'nextUpdate must be after thisUpdate', 'CRL 下次更新时间必须晚于本次更新时间');
  }
  checkCrlNumber(crlNumber, 'crlNumber');
  const isDelta = deltaOf !== undefined;
  if (isDelta) {
    checkCrlNumber(deltaOf, 'deltaOf');
    // RFC 5280 §5.2.4: the delta and its base share one numbering sequence; the base came first.
    if (deltaOf >= crlNumber) throw new RevocationInputError('deltaOf', 'base CRL number must be lower than the delta CRL number');
    if (input.freshestCrlUrl !== undefined) {
      throw new RevocationInputError('freshestCrlUrl', 'Freshest CRL must not appear in delta CRLs (RFC 5280 §5.2.6)');
    }
  }

  const sigAlg = signatureAlgorithmIdentifierDer(input.signer.signatureAlgorithmOid);
  const encoded = input.revokedCertificates;
  if (encoded && input.entries.length > 0) throw new RevocationInputError('entries', 'give entries or revokedCertificates, not both');
  // The pre-encoded entries go in as they are, after a header for their SEQUENCE: one copy.
  const revoked = encoded
    ? encoded.count > 0
      ? [derHeader(0x30, encoded.contentLength), ...encoded.chunks]
      : []
    : [encodeRevokedCertificates(input.entries, isDelta)].filter((x): x is Uint8Array => x !== undefined);
  const extensions = encodeCrlExtensions(input, isDelta);
  return derSequence(
    VERSION_V2,
    sigAlg,
    input.issuerName,
    derX509Time(thisUpdate),
    derX509Time(nextUpdate),
    // RFC 5280 §5.1.2.6: with no entries the list is absent, not empty.
    ...revoked,
    derExplicit(0, derSequence(...extensions)),
  );
}

function derHeader(tag: number, length: number): Uint8Array {
  const out = new Uint8Array(derTlvSize(length) - length);
  writeDerHeader(out, 0, tag, length);
  return out;
}

function encodeRevokedCertificates(entries: readonly CrlEntry[], isDelta: boolean): Uint8Array | undefined {
  const n = entries.length;
  if (n === 0) return undefined;
  const serials: Uint8Array[] = new Array<Uint8Array>(n);
  const bodyLengths = new Int32Array(n);
  const extLengths = new Int32Array(n);
  const seen = new Set<string>();
  let total = 0;

  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    const field = `entries[${i}]`;
    const serial = serialIntegerContent(e.serial, `${field}.serial`);
    const key = Buffer.from(serial.buffer, serial.byteOffset, serial.length).toString('latin1');
    if (seen.has(key)) throw new RevocationInputError(`${field}.serial`, 'serial listed twice', 'CRL 中证书序列号重复');
    seen.add(key);
    if (!isValidDate(e.revokedAt)) throw new RevocationInputError(`${field}.revokedAt`, 'invalid date');

    let extLength = 0;
    if (e.reason !== undefined) {
      if (!isReasonCode(e.reason)) throw new RevocationInputError(`${field}.reason`, `unknown reason ${String(e.reason)}`);
      if (e.reason === 'removeFromCRL' && !isDelta) {
        throw new RevocationInputError(`${field}.reason`, 'removeFromCRL is only allowed in delta CRLs (RFC 5280 §5.3.1)');
      }
      if (e.reason !== 'unspecified') extLength += REASON_EXTENSIONS.get(e.reason)!.length;
    }
    if (e.invalidityDate !== undefined) {
      if (!isValidDate(e.invalidityDate)) throw new RevocationInputError(`${field}.invalidityDate`, 'invalid date');
      extLength += INVALIDITY_EXTENSION_SIZE;
    }
    if (e.holdInstruction !== undefined) {
      if (e.reason !== 'certificateHold' || !HOLD_EXTENSIONS[e.holdInstruction]) {
        throw new RevocationInputError(`${field}.holdInstruction`, 'hold instruction needs reason certificateHold and a known instruction');
      }
      extLength += HOLD_EXTENSIONS[e.holdInstruction].length;
    }

    const body = derTlvSize(serial.length) + x509TimeSize(e.revokedAt) + (extLength ? derTlvSize(extLength) : 0);
    serials[i] = serial;
    bodyLengths[i] = body;
    extLengths[i] = extLength;
    total += derTlvSize(body);
  }

  const out = Buffer.allocUnsafe(derTlvSize(total));
  let o = writeDerHeader(out, 0, 0x30, total);
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    const serial = serials[i]!;
    o = writeDerHeader(out, o, 0x30, bodyLengths[i]!);
    o = writeDerHeader(out, o, 0x02, serial.length);
    out.set(serial, o);
    o += serial.length;
    o = writeX509Time(out, o, e.revokedAt);
    const extLength = extLengths[i]!;
    if (extLength) {
      o = writeDerHeader(out, o, 0x30, extLength);
      if (e.reason !== undefined && e.reason !== 'unspecified') {
        const ext = REASON_EXTENSIONS.get(e.reason)!;
        out.set(ext, o);
        o += ext.length;
      }
      if (e.invalidityDate !== undefined) {
        out.set(INVALIDITY_PREFIX, o);
        o = writeGeneralizedTime(out, o + INVALIDITY_PREFIX.length, e.invalidityDate);
      }
      if (e.holdInstruction !== undefined) {
        const ext = HOLD_EXTENSIONS[e.holdInstruction];
        out.set(ext, o);
        o += ext.length;
      }
    }
  }
  if (o !== out.length) throw new Error(`CRL encoder size mismatch (${o} != ${out.length})`); // a bug, never input
  return out;
}

function encodeCrlExtensions(input: BuildCrlInput, isDelta: boolean): Uint8Array[] {
  const keyId = input.issuerKeyIdentifier ?? keyIdentifierOf(input.issuerSpki);
  if (keyId.length === 0) throw new RevocationInputError('issuerKeyIdentifier', 'empty key identifier');
  const aki = derSequence(derTlv(0x80, keyId));
  const extensions = [
    derExtension(OID_DER.authorityKeyIdentifier, false, aki),
    derExtension(OID_DER.crlNumber, false, derUnsignedInteger(input.crlNumber)),
  ];
  if (isDelta) extensions.push(derExtension(OID_DER.deltaCrlIndicator, true, derUnsignedInteger(input.deltaOf!)));
  const idp = input.issuingDistributionPoint;
  if (idp) extensions.push(derExtension(OID_DER.issuingDistributionPoint, true, encodeIssuingDistributionPoint(idp)));
  if (input.freshestCrlUrl !== undefined) {
    // FreshestCRL uses the CRLDistributionPoints syntax: SEQUENCE OF DistributionPoint.
    const dp = derSequence(derExplicit(0, fullName([input.freshestCrlUrl], 'freshestCrlUrl')));
    extensions.push(derExtension(OID_DER.freshestCrl, false, derSequence(dp)));
  }
  return extensions;
}

function encodeIssuingDistributionPoint(idp: IssuingDistributionPoint): Uint8Array {
  if (idp.onlyContainsUserCerts && idp.onlyContainsCACerts) {
    throw new RevocationInputError('issuingDistributionPoint', 'onlyContainsUserCerts and onlyContainsCACerts exclude each other');
  }
  const parts: Uint8Array[] = [];
  if (idp.urls && idp.urls.length > 0) parts.push(derExplicit(0, fullName(idp.urls, 'issuingDistributionPoint.urls')));
  // [1]/[2] IMPLICIT BOOLEAN, DEFAULT FALSE → present only when true (DER).
  if (idp.onlyContainsUserCerts) parts.push(Uint8Array.of(0x81, 0x01, 0xff));
  if (idp.onlyContainsCACerts) parts.push(Uint8Array.of(0x82, 0x01, 0xff));
  if (parts.length === 0) {
    throw new RevocationInputError('issuingDistributionPoint', 'an empty issuing distribution point is not allowed (RFC 5280 §5.2.5)');
  }
  return derSequence(...parts);
}

/** DistributionPointName.fullName: [0] IMPLICIT GeneralNames of uniformResourceIdentifier [6]. */
function fullName(urls: readonly string[], field: string): Uint8Array {
  return derTlv(
    0xa0,
    ...urls.map((url) => {
      if (!/^[\x21-\x7e]+$/.test(url) || !URL.canParse(url)) {
        throw new RevocationInputError(field, `not an absolute ASCII URI: ${url}`, 'CRL 分发点地址无效');
      }
      return derTlv(0x86, Buffer.from(url, 'ascii'));
    }),
  );
}

function checkCrlNumber(value: bigint, field: string): void {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_CRL_NUMBER) {
    throw new RevocationInputError(field, 'CRL number must be a bigint in 0..2^159-1 (RFC 5280 §5.2.3)');
  }
}

function assertSingleSequence(bytes: Uint8Array, field: string): void {
  try {
    const r = new DerReader(bytes);
    r.read(0x30, field);
    r.expectEnd(field);
  } catch (e) {
    if (e instanceof DerReadError) throw new RevocationInputError(field, e.message, '颁发者名称编码错误');
    throw e;
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
