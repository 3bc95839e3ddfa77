import { DerReader, DerReadError, contentOf, decodeOid } from '../der/der-reader';
import { PROFILE_OID } from './certificate-profiles';
import { X509InputError } from './x509-input-error';

const EXT_KEY_USAGE_OID_CONTENT = Uint8Array.of(0x55, 0x1d, 0x25); // 2.5.29.37

/**
 * The extendedKeyUsage purposes of a DER certificate (dotted OIDs), or undefined when the
 * certificate has no EKU extension (RFC 5280 §4.2.1.12: then the key is not limited by purpose).
 * Read with the strict DER reader, so ecert's UUID-arc purposes decode too. A malformed EKU
 * extension is an input error, never "no restriction".
 */
export function extendedKeyUsageOf(cert: Uint8Array): string[] | undefined {
  try {
    const top = new DerReader(cert);
    const certificate = DerReader.inside(cert, top.read(0x30, 'Certificate'));
    const tbs = DerReader.inside(cert, certificate.read(0x30, 'tbsCertificate'));
    tbs.readOptional(0xa0, 'version');
    for (const what of ['serialNumber', 'signature', 'issuer', 'validity', 'subject', 'subjectPublicKeyInfo']) tbs.read(undefined, what);
    tbs.readOptional(0x81, 'issuerUniqueID');
    tbs.readOptional(0x82, 'subjectUniqueID');
    const wrapper = tbs.readOptional(0xa3, 'extensions');
    if (!wrapper) return undefined;
    const list = DerReader.inside(cert, DerReader.inside(cert, wrapper).read(0x30, 'Extensions'));
    while (!list.done) {
      const ext = DerReader.inside(cert, list.read(0x30, 'Extension'));
      const oid = contentOf(cert, ext.read(0x06, 'extnID'));
      ext.readOptional(0x01, 'critical');
      const value = ext.read(0x04, 'extnValue');
      if (!sameBytes(oid, EXT_KEY_USAGE_OID_CONTENT)) continue;
      const eku = new DerReader(cert, value.contentStart, value.end);
      const purposes = DerReader.inside(cert, eku.read(0x30, 'ExtKeyUsageSyntax'));
      eku.expectEnd('ExtKeyUsageSyntax');
      const out: string[] = [];
      while (!purposes.done) out.push(decodeOid(contentOf(cert, purposes.read(0x06, 'KeyPurposeId'))));
      return out;
    }
    return undefined;
  } catch (e) {
    if (e instanceof DerReadError) throw new X509InputError('certificate', e.message, '证书编码错误');
    throw e;
  }
}

/** Whether an EKU list (undefined = no extension) allows `purpose`; anyExtendedKeyUsage allows all. */
export function purposeAllowed(purposes: readonly string[] | undefined, purpose: string): boolean {
  return purposes === undefined || purposes.includes(purpose) || purposes.includes(PROFILE_OID.kpAny);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
