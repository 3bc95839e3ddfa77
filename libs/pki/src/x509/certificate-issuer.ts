import { AsnConvert } from '@peculiar/asn1-schema';
import {
  BasicConstraints,
  Certificate,
  KeyUsage,
  KeyUsageFlags,
  SubjectKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import type { CertificateIssuer } from './certificate-builder';
import { certificateFields, type CertificateFields } from '../revocation/certificate-fields';
import { X509InputError } from './x509-input-error';

/**
 * The issuer fields for `buildCertificate` taken from a CA certificate: its subject Name and SPKI
 * sliced byte for byte (so the child's issuer matches exactly), and its SKI, which the child's AKI
 * must repeat whatever method computed it.
 */
export function issuerFromCertificate(certificateDer: Uint8Array): CertificateIssuer {
  let fields: CertificateFields;
  try {
    fields = certificateFields(certificateDer, 'issuerCertificate');
  } catch (e) {
    throw new X509InputError('issuerCertificate', (e as Error).message, '签发者证书格式错误');
  }

  let parsed: Certificate;
  try {
    parsed = AsnConvert.parse(certificateDer, Certificate);
  } catch (e) {
    throw new X509InputError('issuerCertificate', `cannot decode: ${(e as Error).message}`, '签发者证书格式错误');
  }
  const extensions = parsed.tbsCertificate.extensions ?? [];
  const ext = (oid: string) => extensions.find((e) => e.extnID === oid);
  // Refuse to sign under a certificate that is not a CA for certificates (a leaf mixed up with a CA).
  const bc = ext(id_ce_basicConstraints);
  if (!bc || !AsnConvert.parse(bc.extnValue, BasicConstraints).cA) {
    throw new X509InputError('issuerCertificate', 'not a CA certificate (basicConstraints cA)', '签发者证书不是CA证书');
  }
  const ku = ext(id_ce_keyUsage);
  if (ku && !(AsnConvert.parse(ku.extnValue, KeyUsage).toNumber() & KeyUsageFlags.keyCertSign)) {
    throw new X509InputError('issuerCertificate', 'keyUsage lacks keyCertSign', '签发者证书无证书签发用途');
  }
  const skiExt = ext(id_ce_subjectKeyIdentifier);
  const keyIdentifier = skiExt
    ? new Uint8Array(AsnConvert.parse(skiExt.extnValue, SubjectKeyIdentifier).buffer)
    : undefined;
  return {
    name: fields.subject.slice(),
    spki: fields.spki.slice(),
    ...(keyIdentifier ? { keyIdentifier } : {}),
    notAfter: parsed.tbsCertificate.validity.notAfter.getTime(),
  };
}
