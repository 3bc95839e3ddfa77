import { AsnConvert } from '@peculiar/asn1-schema';
import { Name } from '@peculiar/asn1-x509';
import type { AlgorithmFamily } from '../crypto/algorithms';
import { assertAcceptableSubscriberKey, type PublicKeyDescription } from '../crypto/public-key-info';
import { publicKeyFingerprint } from '../crypto/public-key-fingerprint';
import { verifySignature } from '../crypto/signature-verifier';
import { isDerNull, readSpkiFields, type SpkiFields } from '../crypto/spki-fields';
import { DerReader, DerReadError, contentOf, decodeOid, encodedOf } from '../der/der-reader';
import { readDerElement, type DerElement } from './der-encoding';
import { formatName } from './distinguished-name';
import { keyFamilyOf } from './signature-algorithm';
import { PemError, decodePem, looksLikePem } from './pem';

export type CsrErrorCode = 'csr_malformed' | 'csr_signature_invalid' | 'csr_key_rejected';

const MESSAGES_ZH: Readonly<Record<CsrErrorCode, string>> = {
  csr_malformed: '证书请求（CSR）格式错误',
  csr_signature_invalid: '证书请求签名验证失败，无法证明持有私钥',
  csr_key_rejected: '证书请求中的公钥不符合要求',
};

/** CSR rejection with a stable code (for problem+json) and a message for Chinese staff. */
export class CsrError extends Error {
  readonly messageZh: string;
  constructor(
    readonly code: CsrErrorCode,
    /** English detail for logs and docs. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${MESSAGES_ZH[code]} (${detail})`, options);
    this.name = 'CsrError';
    this.messageZh = MESSAGES_ZH[code];
  }
}

export interface CsrAttribute {
  readonly type: string;
  /** DER of each value in the attribute's SET. */
  readonly values: readonly Uint8Array[];
}

export interface ParsedCsr {
  /** The whole CertificationRequest DER. */
  readonly der: Uint8Array;
  /** The signed bytes: CertificationRequestInfo exactly as received. */
  readonly certificationRequestInfo: Uint8Array;
  /** Requested subject as a readable string; the RA, not the CSR, decides the certificate subject. */
  readonly subject: string;
  readonly subjectDer: Uint8Array;
  /** DER SubjectPublicKeyInfo exactly as received (copy it into the certificate unchanged). */
  readonly subjectSpki: Uint8Array;
  /** sm2 / ecdsa / rsa, or undefined for a key type ecert does not know. */
  readonly keyFamily: AlgorithmFamily | undefined;
  readonly signatureAlgorithmOid: string;
  /** DER of the AlgorithmIdentifier parameters when present (RSASSA-PSS needs them). */
  readonly signatureAlgorithmParameters?: Uint8Array;
  /** BIT STRING content: DER SEQUENCE{r,s} for SM2/ECDSA, raw for RSA. */
  readonly signature: Uint8Array;
  /** Requested attributes (e.g. extensionRequest); profiles ignore requested extensions. */
  readonly attributes: readonly CsrAttribute[];
}

/** Far above any real CSR (an RSA-4096 one is ~1.7 KB); stops memory abuse before parsing. */
const MAX_CSR_BYTES = 64 * 1024;
const CSR_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'] as const;

function malformed(detail: string, cause?: unknown): CsrError {
  return new CsrError('csr_malformed', detail, { cause });
}

function child(bytes: Uint8Array, offset: number, tag: number, what: string): DerElement {
  const el = readDerElement(bytes, offset);
  if (!el || el.tag !== tag) throw malformed(`${what} missing or not DER`);
  return el;
}

function toDer(pemOrDer: string | Uint8Array): Uint8Array {
  if (pemOrDer.length === 0) throw malformed('empty input');
  if (pemOrDer.length > MAX_CSR_BYTES * 2) throw malformed('input too large');
  if (typeof pemOrDer === 'string' || looksLikePem(pemOrDer)) {
    const text = typeof pemOrDer === 'string' ? pemOrDer : Buffer.from(pemOrDer).toString('latin1');
    try {
      return decodePem(text, CSR_LABELS).der;
    } catch (e) {
      throw malformed(e instanceof PemError ? e.detail : 'not PEM', e);
    }
  }
  return pemOrDer;
}

/**
 * Parses a PKCS#10 request (PEM or DER) without judging it: structure only. Everything that is
 * signed or copied (CertificationRequestInfo, SPKI, subject) is sliced from the input bytes, never
 * re-encoded, so the signature check sees exactly what the UKey signed.
 */
export function parseCsr(pemOrDer: string | Uint8Array): ParsedCsr {
  const der = toDer(pemOrDer);
  if (der.length > MAX_CSR_BYTES) throw malformed('input too large');

  // Framing first, strictly: one SEQUENCE, no trailing bytes, lengths that fit (catches truncation).
  const outer = child(der, 0, 0x30, 'CertificationRequest');
  if (outer.end !== der.length) throw malformed('trailing data after CertificationRequest');
  const criEl = child(der, outer.contentStart, 0x30, 'CertificationRequestInfo');
  const algEl = child(der, criEl.end, 0x30, 'signatureAlgorithm');
  const sigEl = child(der, algEl.end, 0x03, 'signature');
  if (sigEl.end !== outer.end) throw malformed('unexpected fields after signature');
  if (sigEl.contentStart >= sigEl.end || der[sigEl.contentStart] !== 0) throw malformed('signature BIT STRING has unused bits');

  const versionEl = child(der, criEl.contentStart, 0x02, 'version');
  const subjectEl = child(der, versionEl.end, 0x30, 'subject');
  const spkiEl = child(der, subjectEl.end, 0x30, 'subjectPKInfo');
  // attributes [0] is mandatory in RFC 2986 but some token middleware omits it when empty;
  // OpenSSL parses it as optional for that reason, and so do we (the signature still decides).
  let attributesEl: DerElement | undefined;
  if (spkiEl.end !== criEl.end) {
    attributesEl = child(der, spkiEl.end, 0xa0, 'attributes');
    if (attributesEl.end !== criEl.end) throw malformed('unexpected fields in CertificationRequestInfo');
  }

  // The fields, read from the framed elements above; only the subject is decoded into objects (for its text).
  const version = contentOf(der, versionEl);
  if (!(version.length === 1 && version[0] === 0)) throw malformed(`unsupported version ${describeInteger(version)}`);

  let subject: string;
  let subjectName: Name;
  const subjectDer = der.slice(versionEl.end, subjectEl.end);
  try {
    subjectName = AsnConvert.parse(subjectDer, Name);
  } catch (e) {
    throw malformed(`cannot decode subject: ${(e as Error).message}`, e);
  }
  try {
    subject = formatName(subjectName);
  } catch (e) {
    throw malformed('cannot render subject', e);
  }

  const subjectSpki = der.slice(subjectEl.end, spkiEl.end);
  let spki: SpkiFields;
  let signatureAlgorithmOid: string;
  let signatureAlgorithmParameters: Uint8Array | undefined;
  let attributes: CsrAttribute[];
  try {
    spki = readSpkiFields(subjectSpki);
    const alg = DerReader.inside(der, algEl);
    signatureAlgorithmOid = decodeOid(contentOf(der, alg.read(0x06, 'signature algorithm')));
    const params = alg.done ? undefined : encodedOf(der, alg.read(undefined, 'signature algorithm parameters'));
    // NULL (what RSA PKCS#1 signatures carry) counts as none, as the schema decoder had it.
    signatureAlgorithmParameters = params && !isDerNull(params) ? params.slice() : undefined;
    alg.expectEnd('signatureAlgorithm');
    attributes = attributesEl ? readAttributes(der, attributesEl) : [];
  } catch (e) {
    if (e instanceof DerReadError) throw malformed(`cannot decode: ${e.message}`, e);
    throw e;
  }

  return {
    der,
    certificationRequestInfo: der.slice(outer.contentStart, criEl.end),
    subject,
    subjectDer,
    subjectSpki,
    keyFamily: keyFamilyOf(spki),
    signatureAlgorithmOid,
    ...(signatureAlgorithmParameters ? { signatureAlgorithmParameters } : {}),
    signature: der.slice(sigEl.contentStart + 1, sigEl.end),
    attributes,
  };
}

/** attributes [0] IMPLICIT SET OF Attribute, Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET OF ANY }. */
function readAttributes(der: Uint8Array, el: DerElement): CsrAttribute[] {
  const out: CsrAttribute[] = [];
  const set = DerReader.inside(der, el);
  while (!set.done) {
    const attribute = DerReader.inside(der, set.read(0x30, 'Attribute'));
    const type = decodeOid(contentOf(der, attribute.read(0x06, 'attribute type')));
    const valuesReader = DerReader.inside(der, attribute.read(0x31, 'attribute values'));
    attribute.expectEnd('Attribute');
    const values: Uint8Array[] = [];
    while (!valuesReader.done) values.push(encodedOf(der, valuesReader.read(undefined, 'attribute value')).slice());
    out.push({ type, values });
  }
  return out;
}

/** An INTEGER's content for a message: its value when small, else its length. */
function describeInteger(content: Uint8Array): string {
  if (content.length === 0) return '(empty INTEGER)';
  if (content.length > 6) return `(${content.length}-byte INTEGER)`;
  let v = content[0]! & 0x80 ? -1 : 0;
  for (const b of content) v = v * 256 + b;
  return String(v);
}

/**
 * Proof of possession: the request's signature over CertificationRequestInfo verifies with the key
 * inside it. SM2 requests are checked as SM2-with-SM3 with the standard ID 1234567812345678 (what
 * UKeys and `openssl req -sm3 -sigopt distid:1234567812345678` produce). Throws csr_signature_invalid.
 */
export function verifyCsrProofOfPossession(csr: ParsedCsr, key?: PublicKeyDescription): void {
  let ok: boolean;
  try {
    ok = verifySignature({
      spki: csr.subjectSpki,
      ...(key ? { key } : {}),
      signatureAlgorithmOid: csr.signatureAlgorithmOid,
      ...(csr.signatureAlgorithmParameters ? { signatureAlgorithmParameters: csr.signatureAlgorithmParameters } : {}),
      data: csr.certificationRequestInfo,
      signature: csr.signature,
    });
  } catch (e) {
    // Unsupported or refused algorithm (SHA-1, DSA...), or a key that cannot make that signature.
    throw new CsrError('csr_signature_invalid', `signature cannot be checked: ${(e as Error).message}`, { cause: e });
  }
  if (!ok) throw new CsrError('csr_signature_invalid', 'signature does not verify with the requested key');
}

/** Key policy (algorithm, size, curve, point validity) through the shared subscriber-key rules; returns the key's description. */
export function checkCsrKeyPolicy(csr: ParsedCsr): PublicKeyDescription {
  try {
    return assertAcceptableSubscriberKey(csr.subjectSpki);
  } catch (e) {
    throw new CsrError('csr_key_rejected', (e as Error).message, { cause: e });
  }
}

/** A CSR that passed intake, with its key's fingerprint (publicKeyFingerprint of subjectSpki). */
export interface AcceptedCsr extends ParsedCsr {
  readonly subjectKeyFingerprint: string;
}

/**
 * The whole intake check: parse, key policy, then proof of possession (policy first, so weak or
 * unsupported keys are refused before any signature arithmetic is spent on them). The key is
 * decoded once for all three (policy, signature, fingerprint): each decode costs an SPKI parse,
 * a strict-DER re-encode and, for EC keys, OpenSSL's point check.
 */
export function acceptCsr(pemOrDer: string | Uint8Array): AcceptedCsr {
  const csr = parseCsr(pemOrDer);
  const key = checkCsrKeyPolicy(csr);
  verifyCsrProofOfPossession(csr, key);
  return { ...csr, subjectKeyFingerprint: publicKeyFingerprint(csr.subjectSpki, key) };
}
