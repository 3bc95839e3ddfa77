import { ProblemError } from '@ecert/common';
import { DocumentProblemCode } from '@ecert/contracts';
import { OID } from '@ecert/pki';
import { assembleSesSignatureV4, decodeTbsSignV4, prepareSesSignatureV4, SesError, type PreparedSesSignatureV4 } from '@ecert/ses';
import type { SealingContext } from './sealing-checks.service';

/** Room for the CMS with chain and timestamp (libs/pdf's default placeholder). */
const CMS_ROOM = 16384;

/**
 * Bytes to reserve in /Contents: the CMS alone, or with an SM2 seal also the SES_Signature inside
 * it (the seal with its picture, the signer certificate, a signature, some DER).
 */
export function contentsBytesFor(c: Pick<SealingContext, 'sealDer' | 'certificate'>): number {
  return c.sealDer ? CMS_ROOM + c.sealDer.length + c.certificate.der.length + 1024 : CMS_ROOM;
}

/** What the SES_Signature says it signed: this PDF signature field and its ByteRange (ASCII). */
export function sesPropertyInfo(fieldName: string, byteRange: readonly number[]): string {
  return `PDF ${fieldName.replace(/[^\x20-\x7e]/g, '_')} /ByteRange [${byteRange.join(' ')}]`;
}

/**
 * The GB/T 38540 TBS_Sign for an SM2 seal (docs/documents.md, "The SES_Signature"): the seal as
 * issued, now, dataHash = the SM3 of the ByteRange (the CMS message digest), the field. Undefined
 * for other keys.
 */
export function prepareSes(c: SealingContext, contentDigest: Uint8Array, fieldName: string, byteRange: readonly number[], now = new Date()): PreparedSesSignatureV4 | undefined {
  if (!c.sealDer) return undefined;
  try {
    return prepareSesSignatureV4({
      seal: c.sealDer,
      signerCertificate: c.certificate.der,
      signatureAlgorithmOid: OID.sm2WithSm3,
      dataHash: contentDigest,
      propertyInfo: sesPropertyInfo(fieldName, byteRange),
      timeInfo: now,
    });
  } catch (e) {
    if (e instanceof SesError) throw new ProblemError(422, DocumentProblemCode.sealNotActive, '印章不可用 (seal unusable)', `The seal ${c.seal.id} cannot sign now: ${e.message}`, 'sealId');
    throw e;
  }
}

/** A session's stored TBS_Sign back as prepared (it was checked when it was prepared). */
export function preparedFromSession(tbs: Uint8Array, digest: Uint8Array, certificate: Uint8Array): PreparedSesSignatureV4 {
  return { toSign: decodeTbsSignV4(tbs).toSign, signerCertificate: certificate, signatureAlgorithmOid: OID.sm2WithSm3, dataToSign: tbs, digestToSign: digest };
}

/** The SES_Signature with the signature over TBS_Sign checked (libs/ses), or a problem naming `field`. */
export function assembleSes(prepared: PreparedSesSignatureV4, signature: Uint8Array, onInvalid: (detail: string) => ProblemError): Uint8Array {
  try {
    return assembleSesSignatureV4(prepared, signature);
  } catch (e) {
    if (e instanceof SesError) throw onInvalid(e.message);
    throw e;
  }
}
