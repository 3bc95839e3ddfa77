import { createHash } from 'node:crypto';
import { checkAscii, checkCertificate, checkDate, checkExtDatas, checkUsableAt } from './builder-checks';
import { certDigestMatches } from './cert-digest';
import { parseCertificate, type ParsedCertificate } from './certificate-parser';
import { documentHashAlgorithmFor, hashDocument } from './document-hasher';
import { OID, decodeEcSignature, describePublicKey, rawEcSignatureToDer, sm2ZValue, sm3 } from './pki-bridge';
import { decodeSeal } from './seal-codec';
import { SesError, SesInputError } from './ses-errors';
import type { DecodedSeal, SesExtData, SesTbsSign } from './ses-model';
import { encodeSesSignature, encodeTbsSign } from './ses-signature-codec';
import { verifySignatureValue } from './signature-value-verifier';

export interface PrepareSesSignatureV4Input {
  /** The v4 seal exactly as issued (DER); embedded byte for byte. */
  readonly seal: Uint8Array;
  /** The signer's certificate, DER: must be one the seal is bound to. */
  readonly signerCertificate: Uint8Array;
  /** e.g. 1.2.156.10197.1.501 (SM2-with-SM3): decides the dataHash algorithm. */
  readonly signatureAlgorithmOid: string;
  /** The document bytes to sign… */
  readonly document?: Uint8Array;
  /** …or their hash (SM3 for SM2), already computed. Exactly one of the two. */
  readonly dataHash?: Uint8Array;
  /** What was signed (ASCII), e.g. an OFD Signature.xml path or a PDF signature field. */
  readonly propertyInfo: string;
  /** Signing time; default now. Must fall in the seal's and the certificate's validity. */
  readonly timeInfo?: Date;
  readonly extDatas?: readonly SesExtData[];
}

/** A TBS_Sign ready to be signed elsewhere (a UKey, a key store): DSS getDataToSign for GB/T 38540. */
export interface PreparedSesSignatureV4 {
  readonly toSign: SesTbsSign;
  readonly signerCertificate: Uint8Array;
  readonly signatureAlgorithmOid: string;
  /** DER TBS_Sign: what the signer signs. */
  readonly dataToSign: Uint8Array;
  /**
   * What a device that signs digests signs: SM2 e = SM3(Z ‖ dataToSign) with the standard user ID
   * 1234567812345678; otherwise the algorithm's hash of dataToSign.
   */
  readonly digestToSign: Uint8Array;
}

/**
 * The first half of buildSesSignatureV4, for a signer that is not in this process: checks the
 * seal (v4, in its validity at timeInfo, maker signature valid), that the signer certificate is
 * one the seal is bound to and usable at timeInfo, and encodes the TBS_Sign. Nothing invalid is
 * ever handed to a signer.
 */
export function prepareSesSignatureV4(input: PrepareSesSignatureV4Input): PreparedSesSignatureV4 {
  let seal: DecodedSeal;
  try {
    seal = decodeSeal(input.seal, { expectedVersion: 4 });
  } catch (err) {
    throw new SesInputError('seal', err instanceof SesError ? err.message : String(err));
  }
  const signerCert = checkCertificate('signerCertificate', input.signerCertificate);
  const timeInfo = checkDate('timeInfo', input.timeInfo ?? new Date());
  const p = seal.sealInfo.property;
  if (timeInfo < p.validStart || timeInfo > p.validEnd) {
    throw new SesInputError('timeInfo', `the seal is not valid at ${timeInfo.toISOString()} (valid ${p.validStart.toISOString()} to ${p.validEnd.toISOString()})`);
  }
  checkUsableAt('signerCertificate', signerCert, timeInfo, 'signing time');
  if (!sealBinds(seal, signerCert.der)) throw new SesInputError('signerCertificate', `"${signerCert.subject}" is not a certificate the seal is bound to`);
  checkSealSignature(seal);

  const algorithmOid = input.signatureAlgorithmOid;
  if (!documentHashAlgorithmFor(algorithmOid)) throw new SesInputError('signatureAlgorithmOid', `no document hash known for ${algorithmOid}`);
  const dataHash = resolveDataHash(input, algorithmOid);
  const propertyInfo = checkAscii('propertyInfo', input.propertyInfo, 1024);
  const extDatas = checkExtDatas('extDatas', input.extDatas);
  const toSign: SesTbsSign = { version: 4, sealDer: seal.der, timeInfo, dataHash, propertyInfo, ...(extDatas ? { extDatas } : {}) };
  const tbs = encodeTbsSign(4, toSign, signerCert.der, algorithmOid);
  return { toSign, signerCertificate: signerCert.der, signatureAlgorithmOid: algorithmOid, dataToSign: tbs, digestToSign: digestToSign(signerCert, algorithmOid, tbs) };
}

/**
 * The second half: the signature over `dataToSign` (DER, or raw r‖s for SM2/ECDSA as PKCS#11 and
 * WebCrypto return it) is checked with the signer certificate's key, then the SES_Signature is
 * encoded. A signature that does not verify is a SesInputError on `signature`.
 */
export function assembleSesSignatureV4(prepared: PreparedSesSignatureV4, signature: Uint8Array, options: { timeStamp?: Uint8Array } = {}): Uint8Array {
  if (!(signature instanceof Uint8Array) || signature.length === 0) throw new SesInputError('signature', 'no signature');
  const cert = parseCertificate(prepared.signerCertificate, 'signerCertificate');
  let value = signature;
  const raw = RAW_EC_LENGTHS[prepared.signatureAlgorithmOid];
  if (raw !== undefined && !decodeEcSignature(value)) {
    if (value.length !== raw) throw new SesInputError('signature', `neither a DER SEQUENCE{r,s} nor a ${raw}-byte r||s`);
    try {
      value = rawEcSignatureToDer(value);
    } catch (err) {
      throw new SesInputError('signature', `not a usable r||s: ${(err as Error).message}`);
    }
  }
  const check = verifySignatureValue({ spki: cert.spki, algorithmOid: prepared.signatureAlgorithmOid, data: prepared.dataToSign, signature: value });
  if (check.result !== 'passed') throw new SesInputError('signature', `the signature over TBS_Sign does not verify with the key of "${cert.subject}": ${check.detail}`);
  if (options.timeStamp !== undefined && (!(options.timeStamp instanceof Uint8Array) || options.timeStamp.length === 0)) {
    throw new SesInputError('timeStamp', 'must be non-empty bytes');
  }
  return encodeSesSignature({
    version: 4,
    toSign: prepared.toSign,
    cert: prepared.signerCertificate,
    signatureAlgorithmOid: prepared.signatureAlgorithmOid,
    signature: value,
    ...(options.timeStamp ? { timeStamp: options.timeStamp.slice() } : {}),
  });
}

/** GB/T 38540: the signer certificate is one the seal lists, or whose digest it lists. */
export function sealBinds(seal: DecodedSeal, certificateDer: Uint8Array): boolean {
  const list = seal.sealInfo.property.certList;
  return list.type === 1 ? list.certs.some((c) => Buffer.from(c).equals(Buffer.from(certificateDer))) : list.digests.some((d) => certDigestMatches(d, certificateDer));
}

/** The maker's signature over the seal: a signature over a forged seal is worthless. */
export function checkSealSignature(seal: DecodedSeal): void {
  let spki: Uint8Array;
  try {
    spki = parseCertificate(seal.cert).spki;
  } catch (err) {
    throw new SesInputError('seal', `its maker certificate is unreadable: ${(err as Error).message}`);
  }
  const r = verifySignatureValue({ spki, algorithmOid: seal.signatureAlgorithmOid, data: seal.signedData, signature: seal.signature });
  if (r.result !== 'passed') throw new SesInputError('seal', `the seal's maker signature is not valid: ${r.detail}`);
}

const RAW_EC_LENGTHS: Readonly<Record<string, number>> = { [OID.sm2WithSm3]: 64, [OID.ecdsaWithSha256]: 64, [OID.ecdsaWithSha384]: 96 };

function digestToSign(cert: ParsedCertificate, algorithmOid: string, tbs: Uint8Array): Uint8Array {
  if (algorithmOid === OID.sm2WithSm3) {
    const point = describePublicKey(cert.spki).publicPoint;
    if (!point) throw new SesInputError('signerCertificate', 'the certificate does not hold an SM2 key');
    return sm3(sm2ZValue(point), tbs);
  }
  const alg = documentHashAlgorithmFor(algorithmOid)!;
  return alg === 'sm3' ? sm3(tbs) : new Uint8Array(createHash(alg).update(tbs).digest());
}

function resolveDataHash(input: PrepareSesSignatureV4Input, algorithmOid: string): Uint8Array {
  if ((input.document === undefined) === (input.dataHash === undefined)) {
    throw new SesInputError('document', 'give exactly one of document and dataHash');
  }
  if (input.document !== undefined) {
    if (!(input.document instanceof Uint8Array)) throw new SesInputError('document', 'must be bytes');
    return hashDocument(algorithmOid, input.document)!;
  }
  const alg = documentHashAlgorithmFor(algorithmOid);
  const expected = alg === 'sha384' ? 48 : alg === 'sha512' ? 64 : 32;
  if (!(input.dataHash instanceof Uint8Array) || input.dataHash.length !== expected) {
    throw new SesInputError('dataHash', `must be the ${expected}-byte ${alg?.toUpperCase() ?? 'document'} hash`);
  }
  return input.dataHash.slice();
}
