import { checkCertificate, checkSignerMatches, signChecked } from './builder-checks';
import type { Signer } from './pki-bridge';
import { SesInputError } from './ses-errors';
import type { SesExtData } from './ses-model';
import { assembleSesSignatureV4, prepareSesSignatureV4 } from './ses-signature-preparer';

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
  const signerCert = checkCertificate('signerCertificate', input.signerCertificate);
  checkSignerMatches('signer', input.signer, signerCert);
  if (input.timeStamp !== undefined && (!(input.timeStamp instanceof Uint8Array) || input.timeStamp.length === 0)) {
    throw new SesInputError('timeStamp', 'must be non-empty bytes');
  }
  const prepared = prepareSesSignatureV4({
    seal: input.seal,
    signerCertificate: input.signerCertificate,
    signatureAlgorithmOid: input.signer.signatureAlgorithmOid,
    ...(input.document !== undefined ? { document: input.document } : {}),
    ...(input.dataHash !== undefined ? { dataHash: input.dataHash } : {}),
    propertyInfo: input.propertyInfo,
    ...(input.timeInfo ? { timeInfo: input.timeInfo } : {}),
    ...(input.extDatas ? { extDatas: input.extDatas } : {}),
  });
  const signature = await signChecked('signer', input.signer, signerCert, prepared.dataToSign);
  return assembleSesSignatureV4(prepared, signature, input.timeStamp ? { timeStamp: input.timeStamp } : {});
}
