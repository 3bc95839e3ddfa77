import { ProblemCode, ProblemError } from '@ecert/common';
import { certificateFields, decodePem, describePublicKey, possessionSignatureValid } from '@ecert/pki';

/**
 * The public key (DER SPKI) of the certificate presented at login, PEM or base64 DER. Read here,
 * before the cert-service is asked: the signature must be proven first, since the cert-service's
 * check counts as the certificate's activity. Unreadable input is a 400 on `certificate`.
 */
export function presentedCertificateKey(certificate: string): Uint8Array {
  try {
    const text = String(certificate ?? '').trim();
    const der = text.includes('-----BEGIN') ? decodePem(text, ['CERTIFICATE']).der : new Uint8Array(Buffer.from(text, 'base64'));
    const spki = certificateFields(der).spki;
    describePublicKey(spki);
    return spki;
  } catch {
    throw ProblemError.badRequest(ProblemCode.validationFailed, 'certificate', 'certificate must be a PEM or base64 DER X.509 certificate with a readable public key');
  }
}

/** Whether `signature` (base64) over the challenge bytes verifies with `spki`; malformed signatures are simply false. */
export function loginSignatureValid(spki: Uint8Array, challenge: Uint8Array, signature: string): boolean {
  return possessionSignatureValid(spki, challenge, new Uint8Array(Buffer.from(signature, 'base64')));
}
