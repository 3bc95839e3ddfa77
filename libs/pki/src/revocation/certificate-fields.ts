import { DerReader, DerReadError, encodedOf } from '../der/der-reader';
import { RevocationInputError } from './revocation-input-error';

export interface CertificateFields {
  /** Subject Name DER as it appears in the certificate. */
  readonly subject: Uint8Array;
  /** SubjectPublicKeyInfo DER as it appears in the certificate. */
  readonly spki: Uint8Array;
}

/**
 * Subject and SPKI of a DER certificate as their original bytes (views into `cert`): OCSP issuer
 * hashes are over these exact bytes, and hashing a re-encoding could differ.
 */
export function certificateFields(cert: Uint8Array, field = 'certificate'): CertificateFields {
  try {
    const top = new DerReader(cert);
    const certificate = DerReader.inside(cert, top.read(0x30, 'Certificate'));
    top.expectEnd('Certificate');
    const tbs = DerReader.inside(cert, certificate.read(0x30, 'tbsCertificate'));
    certificate.read(0x30, 'signatureAlgorithm');
    certificate.read(0x03, 'signatureValue');
    certificate.expectEnd('Certificate');
    tbs.readOptional(0xa0, 'version');
    tbs.read(0x02, 'serialNumber');
    tbs.read(0x30, 'signature');
    tbs.read(0x30, 'issuer');
    tbs.read(0x30, 'validity');
    const subject = encodedOf(cert, tbs.read(0x30, 'subject'));
    const spki = encodedOf(cert, tbs.read(0x30, 'subjectPublicKeyInfo'));
    return { subject, spki };
  } catch (e) {
    if (e instanceof DerReadError) throw new RevocationInputError(field, e.message, '证书编码错误');
    throw e;
  }
}
