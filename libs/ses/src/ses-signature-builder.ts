import {
  checkAscii,
  checkCertificate,
  checkDate,
  checkExtDatas,
  checkSignerMatches,
  checkUsableAt,
  signChecked,
} from './builder-checks';
import { certDigestMatches } from './cert-digest';
import { parseCertificate } from './certificate-parser';
import { documentHashAlgorithmFor, hashDocument } from './document-hasher';
import type { Signer } from './pki-bridge';
import { decodeSeal } from './seal-codec';
import { SesError, SesInputError } from './ses-errors';
import type { DecodedSeal, SesExtData } from './ses-model';
import { encodeSesSignature, encodeTbsSign } from './ses-signature-codec';
import { verifySignatureValue } from './signature-value-verifier';

export interface BuildSesSignatureV4Input {
  /** The v4 seal exactly as issued (DER); embedded byte for byte. */
  readonly seal: Uint8Array;
  /** The signer's certificate, DER: must be one the seal is bound to. */
  readonly signerCertificate: Uint8Array;
  readonly signer: Signer;
  /** The document bytes to sign (hashed with the signature algorithm's hash, SM3 for SM2)… */
  readonly document?: Uint8Array;
  /** …or their hash, already computed. Exactly one of the two. */
  readonly dataHash?: Uint8Array;
  /** What was signed, e.g. the OFD path of Signature.xml (ASCII). */
  readonly propertyInfo: string;
  /** Signing time; default now. Must fall in the seal's validity period. */
  readonly timeInfo?: Date;
  readonly extDatas?: readonly SesExtData[];
  /** An RFC 3161 timestamp over the signature, if the caller obtained one (written as [0] EXPLICIT BIT STRING). */
  readonly timeStamp?: Uint8Array;
}

/**
 * Builds a GB/T 38540 v4 SES_Signature: TBS_Sign { 4, seal, timeInfo, dataHash, propertyInfo,
 * extDatas? } signed by the signer over its DER, with the signer certificate and algorithm beside it.
 * Refuses a signer whose certificate the seal does not list, a seal outside its validity period and
 * a seal whose maker signature does not verify (a signature over a forged seal is worthless).
 */
export async function buildSesSignatureV4(input: BuildSesSignatureV4Input): Promise<Uint8Array> {
  let seal: DecodedSeal;
  try {
    seal = decodeSeal(input.seal, { expectedVersion: 4 });
  } catch (err) {
    throw new SesInputError('seal', err instanceof SesError ? err.message : String(err));
  }
  const signerCert = checkCertificate('signerCertificate', input.signerCertificate);
  checkSignerMatches('signer', input.signer, signerCert);
  const timeInfo = checkDate('timeInfo', input.timeInfo ?? new Date());
  const p = seal.sealInfo.property;
  if (timeInfo < p.validStart || timeInfo > p.validEnd) {
    throw new SesInputError('timeInfo', `the seal is not valid at ${timeInfo.toISOString()} (valid ${p.validStart.toISOString()} to ${p.validEnd.toISOString()})`);
  }
  checkUsableAt('signerCertificate', signerCert, timeInfo, 'signing time');
  const list = p.certList;
  const bound =
    list.type === 1
      ? list.certs.some((c) => Buffer.from(c).equals(Buffer.from(signerCert.der)))
      : list.digests.some((d) => certDigestMatches(d, signerCert.der));
  if (!bound) throw new SesInputError('signerCertificate', `"${signerCert.subject}" is not a certificate the seal is bound to`);
  checkSealSignature(seal);

  const algorithmOid = input.signer.signatureAlgorithmOid;
  const dataHash = resolveDataHash(input, algorithmOid);
  const propertyInfo = checkAscii('propertyInfo', input.propertyInfo, 1024);
  const extDatas = checkExtDatas('extDatas', input.extDatas);
  if (input.timeStamp !== undefined && (!(input.timeStamp instanceof Uint8Array) || input.timeStamp.length === 0)) {
    throw new SesInputError('timeStamp', 'must be non-empty bytes');
  }

  const toSign = { version: 4, sealDer: seal.der, timeInfo, dataHash, propertyInfo, ...(extDatas ? { extDatas } : {}) };
  const tbs = encodeTbsSign(4, toSign, signerCert.der, algorithmOid);
  const signature = await signChecked('signer', input.signer, signerCert, tbs);
  return encodeSesSignature({
    version: 4,
    toSign,
    cert: signerCert.der,
    signatureAlgorithmOid: algorithmOid,
    signature,
    ...(input.timeStamp ? { timeStamp: input.timeStamp.slice() } : {}),
  });
}

function resolveDataHash(input: BuildSesSignatureV4Input, algorithmOid: string): Uint8Array {
  if ((input.document === undefined) === (input.dataHash === undefined)) {
    throw new SesInputError('document', 'give exactly one of document and dataHash');
  }
  if (input.document !== undefined) {
    if (!(input.document instanceof Uint8Array)) throw new SesInputError('document', 'must be bytes');
    const h = hashDocument(algorithmOid, input.document);
    if (!h) throw new SesInputError('signer', `no document hash known for ${algorithmOid}`);
    return h;
  }
  const alg = documentHashAlgorithmFor(algorithmOid);
  const expected = alg === 'sha384' ? 48 : alg === 'sha512' ? 64 : 32;
  if (!(input.dataHash instanceof Uint8Array) || input.dataHash.length !== expected) {
    throw new SesInputError('dataHash', `must be the ${expected}-byte ${alg?.toUpperCase() ?? 'document'} hash`);
  }
  return input.dataHash.slice();
}

function checkSealSignature(seal: DecodedSeal): void {
  let spki: Uint8Array;
  try {
    spki = parseCertificate(seal.cert).spki;
  } catch (err) {
    throw new SesInputError('seal', `its maker certificate is unreadable: ${(err as Error).message}`);
  }
  const r = verifySignatureValue({ spki, algorithmOid: seal.signatureAlgorithmOid, data: seal.signedData, signature: seal.signature });
  if (r.result !== 'passed') throw new SesInputError('seal', `the seal's maker signature is not valid: ${r.detail}`);
}
