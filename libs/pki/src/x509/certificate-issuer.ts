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
import { readDerElement, type DerElement } from './der-encoding';
import { X509InputError } from './x509-input-error';

function next(bytes: Uint8Array, offset: number, tag: number, what: string): DerElement {
  const el = readDerElement(bytes, offset);
  if (!el || el.tag !== tag) throw new X509InputError('issuerCertificate', `${what} missing or not DER`, '签发者证书格式错误');
  return el;
}

/**
 * The issuer fields for `buildCertificate` taken from a CA certificate: its subject Name and SPKI
 * sliced byte for byte (so the child's issuer matches exactly), and its SKI, which the child's AKI
 * must repeat whatever method computed it.
 */
export function issuerFromCertificate(certificateDer: Uint8Array): CertificateIssuer {
  const cert = next(certificateDer, 0, 0x30, 'Certificate');
  if (cert.end !== certificateDer.length) throw new X509InputError('issuerCertificate', 'trailing data', '签发者证书格式错误');
  const tbs = next(certificateDer, cert.contentStart, 0x30, 'TBSCertificate');
  let pos = tbs.contentStart;
  const first = readDerElement(certificateDer, pos);
  if (first?.tag === 0xa0) pos = first.end; // explicit version
  const serial = next(certificateDer, pos, 0x02, 'serialNumber');
  const sigAlg = next(certificateDer, serial.end, 0x30, 'signature');
  const issuer = next(certificateDer, sigAlg.end, 0x30, 'issuer');
  const validity = next(certificateDer, issuer.end, 0x30, 'validity');
  const subject = next(certificateDer, validity.end, 0x30, 'subject');
  const spki = next(certificateDer, subject.end, 0x30, 'subjectPublicKeyInfo');

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
    name: certificateDer.slice(validity.end, subject.end),
    spki: certificateDer.slice(subject.end, spki.end),
    ...(keyIdentifier ? { keyIdentifier } : {}),
    notAfter: parsed.tbsCertificate.validity.notAfter.getTime(),
  };
}
