import { randomBytes } from 'node:crypto';
import { Extension, Name, id_ce_authorityKeyIdentifier, id_ce_subjectKeyIdentifier } from '@peculiar/asn1-x509';
import type { Signer } from '../crypto/signer';
import { derExtension, derOid, derOidCached, derX509Time } from '../der/der-writer';
import { bytesEqual, derBitString, derSequence, derTlv, readDerElement } from './der-encoding';
import { encodeName } from './distinguished-name';
import { keyIdentifierOf, parseSpki } from './key-identifier';
import { assertSignerAlgorithm, signatureAlgorithmIdentifierDer } from './signature-algorithm';
import { X509InputError } from './x509-input-error';

export interface CertificateIssuer {
  /** The issuer's subject Name (DER copied byte for byte, or a built Name). */
  readonly name: Uint8Array | Name;
  /** The issuer's SubjectPublicKeyInfo: must be the signer's key; gives the AKI. */
  readonly spki: Uint8Array;
  /**
   * The issuer certificate's SKI when it was not computed by RFC 5280 method 1 (an imported CA):
   * the AKI must repeat the issuer's SKI, not a recomputation.
   */
  readonly keyIdentifier?: Uint8Array;
  /** The issuer certificate's notAfter: no certificate is issued to outlive its issuer. */
  readonly notAfter?: Date;
}

export interface BuildCertificateInput {
  readonly issuer: CertificateIssuer;
  readonly signer: Signer;
  readonly subjectName: Uint8Array | Name;
  /** DER SPKI, copied unchanged (e.g. from a verified CSR). */
  readonly subjectSpki: Uint8Array;
  /** Positive INTEGER content as bytes or hex; see `newSerialNumber`. */
  readonly serialNumber: Uint8Array | string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** From `certificateProfiles`. The builder adds the AKI itself unless the certificate is self-signed. */
  readonly extensions: readonly Extension[];
}

/**
 * 16 CSPRNG bytes (126 bits of entropy, well over RFC 5280/CABF's 64) with the top bit cleared so
 * the INTEGER is positive without a 0x00 pad, and a non-zero first byte so it stays 16 bytes long.
 */
export function newSerialNumber(): Uint8Array {
  for (;;) {
    const bytes = new Uint8Array(randomBytes(16));
    bytes[0]! &= 0x7f;
    if (bytes[0] !== 0) return bytes;
  }
}

/** Minimal positive INTEGER content for a serial; rejects zero, negatives and > 20 octets (RFC 5280 §4.1.2.2). */
export function normalizeSerialNumber(serial: Uint8Array | string): Uint8Array {
  let bytes: Uint8Array;
  if (typeof serial === 'string') {
    const hex = serial.replace(/:/g, '').toLowerCase();
    if (!/^[0-9a-f]+$/.test(hex)) throw new X509InputError('serialNumber', 'not hex', '证书序列号格式错误');
    bytes = new Uint8Array(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'));
  } else {
    bytes = serial;
  }
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  if (start === bytes.length) throw new X509InputError('serialNumber', 'must be positive', '证书序列号必须为正整数');
  let content = bytes.subarray(start);
  // Unsigned input whose top bit is set needs a 0x00 pad to stay positive in two's complement.
  if (content[0]! & 0x80) content = new Uint8Array([0, ...content]);
  if (content.length > 20) throw new X509InputError('serialNumber', 'longer than 20 octets', '证书序列号超过 20 字节');
  return new Uint8Array(content);
}

/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5), whole seconds only. */
function encodeTime(date: Date, field: string): Uint8Array {
  if (Number.isNaN(date.getTime())) throw new X509InputError(field, 'invalid date', '证书有效期时间无效');
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new X509InputError(field, 'year out of range', '证书有效期时间无效');
  return derX509Time(new Date(Math.floor(date.getTime() / 1000) * 1000));
}

/** `[0] EXPLICIT INTEGER 2` (v3). */
const VERSION_V3 = Uint8Array.of(0xa0, 0x03, 0x02, 0x01, 0x02);
const AKI_OID = derOid(id_ce_authorityKeyIdentifier);

/**
 * An issuer's name and SPKI checked once, with its key identifier: the same issuer signs every
 * certificate of its CA, and decoding its name and key again cost a tenth of an issuance. The entry
 * keeps copies of the bytes it checked and is used only while the issuer still has those bytes;
 * an issuer whose name is a built Name (not DER) is encoded on every call.
 */
const checkedIssuers = new WeakMap<CertificateIssuer, { name: Uint8Array; spki: Uint8Array; keyIdentifierInput?: Uint8Array; keyIdentifier: Uint8Array }>();

function checkedIssuer(issuer: CertificateIssuer): { name: Uint8Array; keyIdentifier: Uint8Array } {
  const known = checkedIssuers.get(issuer);
  const sameKeyIdentifier = (k: { keyIdentifierInput?: Uint8Array }) =>
    issuer.keyIdentifier === undefined ? k.keyIdentifierInput === undefined : !!k.keyIdentifierInput && bytesEqual(k.keyIdentifierInput, issuer.keyIdentifier);
  if (known && issuer.name instanceof Uint8Array && bytesEqual(known.name, issuer.name) && bytesEqual(known.spki, issuer.spki) && sameKeyIdentifier(known)) return known;
  parseSpki(issuer.spki, 'issuer.spki');
  // DER given is checked and kept as is (encodeName returns it), so the copy is both what was checked and what is emitted.
  const name = encodeName(issuer.name).slice();
  const keyIdentifier = (issuer.keyIdentifier ?? keyIdentifierOf(issuer.spki)).slice();
  if (issuer.name instanceof Uint8Array) {
    checkedIssuers.set(issuer, { name, spki: issuer.spki.slice(), ...(issuer.keyIdentifier ? { keyIdentifierInput: issuer.keyIdentifier.slice() } : {}), keyIdentifier });
  }
  return { name, keyIdentifier };
}

function checkSignatureShape(signer: Signer, signature: Uint8Array): void {
  if (signer.algorithm.startsWith('RSA')) {
    if (signature.length === 0) throw new Error('Signer returned an empty RSA signature');
    return;
  }
  // SM2/ECDSA must be DER SEQUENCE{r,s}; a raw r||s (WebCrypto's format) would make every
  // certificate unverifiable, so catch a wrong signer here rather than in the field.
  const outer = readDerElement(signature);
  const r = outer && outer.tag === 0x30 && outer.end === signature.length ? readDerElement(signature, outer.contentStart) : undefined;
  const s = r && r.tag === 0x02 ? readDerElement(signature, r.end) : undefined;
  if (!s || s.tag !== 0x02 || s.end !== signature.length) {
    throw new Error(`Signer for ${signer.algorithm} did not return a DER SEQUENCE{r,s} signature`);
  }
}

/**
 * Extension DER written directly (SEQUENCE { extnID, critical DEFAULT FALSE, OCTET STRING }): the
 * same bytes as the schema encoder's, without building its object tree for every certificate.
 */
function encodeExtension(ext: Extension): Uint8Array {
  return derExtension(derOidCached(ext.extnID), ext.critical === true, new Uint8Array(ext.extnValue.buffer));
}

function encodeExtensions(extensions: readonly Extension[], aki: Uint8Array | undefined): Uint8Array | undefined {
  const seen = new Set<string>();
  for (const ext of extensions) {
    // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
    if (seen.has(ext.extnID)) throw new X509InputError('extensions', `duplicate ${ext.extnID}`, '证书扩展项重复');
    seen.add(ext.extnID);
  }
  const list = extensions.map(encodeExtension);
  if (aki && !seen.has(id_ce_authorityKeyIdentifier)) {
    // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }.
    const akiExt = derExtension(AKI_OID, false, derSequence(derTlv(0x80, aki)));
    // Beside the SKI, where people reading `openssl x509 -text` look for it.
    const ski = extensions.findIndex((e) => e.extnID === id_ce_subjectKeyIdentifier);
    list.splice(ski === -1 ? list.length : ski + 1, 0, akiExt);
  }
  if (list.length === 0) return undefined;
  return derSequence(...list);
}

/**
 * Builds and signs an X.509 v3 certificate; returns its DER.
 *
 * The TBSCertificate is assembled from DER pieces so the issuer name, subject name and SPKI are
 * copied byte for byte (name chaining and CSR keys survive untouched), and the exact bytes signed
 * are the bytes emitted.
 */
export async function buildCertificate(input: BuildCertificateInput): Promise<Uint8Array> {
  const { issuer, signer } = input;
  assertSignerAlgorithm(signer.algorithm, signer.signatureAlgorithmOid);
  const checked = checkedIssuer(issuer);
  if (!bytesEqual(signer.spki, issuer.spki)) {
    // Signing with a key other than the issuer's gives a certificate nobody can verify.
    throw new X509InputError('signer', 'signer key is not the issuer key', '签名密钥与签发者公钥不一致');
  }
  parseSpki(input.subjectSpki, 'subjectSpki');
  const issuerName = checked.name;
  const subjectName = encodeName(input.subjectName);
  if (subjectName.length <= 2) throw new X509InputError('subjectName', 'empty subject', '证书主题不能为空');

  const serial = normalizeSerialNumber(input.serialNumber);
  if (!(input.notBefore.getTime() < input.notAfter.getTime())) {
    throw new X509InputError('notAfter', 'notAfter must be after notBefore', '证书失效时间必须晚于生效时间');
  }
  if (issuer.notAfter && input.notAfter.getTime() > issuer.notAfter.getTime()) {
    throw new X509InputError('notAfter', 'beyond the issuer certificate notAfter', '证书有效期不能超过签发者证书有效期');
  }
  const validity = derSequence(encodeTime(input.notBefore, 'notBefore'), encodeTime(input.notAfter, 'notAfter'));

  // Self-signed (same key and name): RFC 5280 §4.2.1.1 lets the AKI be omitted there.
  const selfSigned = bytesEqual(issuer.spki, input.subjectSpki) && bytesEqual(issuerName, subjectName);
  const aki = selfSigned ? undefined : checked.keyIdentifier;
  const extensions = encodeExtensions(input.extensions, aki);

  const algorithmIdentifier = signatureAlgorithmIdentifierDer(signer.signatureAlgorithmOid);
  const tbs = derSequence(
    VERSION_V3,
    derTlv(0x02, serial),
    algorithmIdentifier,
    issuerName,
    validity,
    subjectName,
    input.subjectSpki,
    ...(extensions ? [derTlv(0xa3, extensions)] : []),
  );
  const signature = await signer.sign(tbs);
  checkSignatureShape(signer, signature);
  return derSequence(tbs, algorithmIdentifier, derBitString(signature));
}
