import { DerReader, DerReadError, contentOf, encodedOf } from '../der/der-reader';
import { RevocationInputError } from './revocation-input-error';

export interface CertificateFields {
  /** TBSCertificate DER exactly as signed. */
  readonly tbs: Uint8Array;
  /** serialNumber INTEGER content bytes. */
  readonly serialNumber: Uint8Array;
  /** Issuer Name DER as it appears in the certificate. */
  readonly issuer: Uint8Array;
  /** Subject Name DER as it appears in the certificate. */
  readonly subject: Uint8Array;
  /** SubjectPublicKeyInfo DER as it appears in the certificate. */
  readonly spki: Uint8Array;
}

/**
 * The fields of a DER certificate that are used as their original bytes (views into `cert`): the
 * signed TBS for signature checks, names and SPKI for chaining and OCSP issuer hashes — hashing or
 * verifying a re-encoding could differ.
 */
export function certificateFields(cert: Uint8Array, field = 'certificate'): CertificateFields {
  try {
    const top = new DerReader(cert);
    const certificate = DerReader.inside(cert, top.read(0x30, 'Certificate'));
    top.expectEnd('Certificate');
    const tbsElement = certificate.read(0x30, 'tbsCertificate');
    const tbs = DerReader.inside(cert, tbsElement);
    certificate.read(0x30, 'signatureAlgorithm');
    certificate.read(0x03, 'signatureValue');
    certificate.expectEnd('Certificate');
    tbs.readOptional(0xa0, 'version');
    const serialNumber = contentOf(cert, tbs.read(0x02, 'serialNumber'));
    tbs.read(0x30, 'signature');
    const issuer = encodedOf(cert, tbs.read(0x30, 'issuer'));
    tbs.read(0x30, 'validity');
    const subject = encodedOf(cert, tbs.read(0x30, 'subject'));
    const spki = encodedOf(cert, tbs.read(0x30, 'subjectPublicKeyInfo'));
    return { tbs: encodedOf(cert, tbsElement), serialNumber, issuer, subject, spki };
  } catch (e) {
    if (e instanceof DerReadError) throw new RevocationInputError(field, e.message, '证书编码错误');
    throw e;
  }
}
