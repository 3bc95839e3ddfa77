import { createHash } from 'node:crypto';
import { derOctetString, derSequence, derTlv } from '@ecert/pki';
import { TAG, expectUniversal, isContext, isUniversal, octetStringContent, type BerNode } from './ber-node-reader';
import { CMS_OID } from './cms-oids';
import { createContentHasher } from './content-hasher';
import { digestAlgorithmFromOid, digestAlgorithmIdentifierDer } from './digest-algorithms';
import type { CmsDigestAlgorithm } from './cms-types';
import type { SignerCertificate } from './signer-certificate-reader';

/**
 * RFC 5035 SigningCertificateV2 with one ESSCertIDv2 {hash of the certificate, issuerSerial}: binds
 * the signature to the certificate, not only to its key (a re-issued certificate with the same key
 * cannot be substituted). SHA-256 is the DEFAULT and so is not written (DER); any other hash (SM3
 * for gbt35275) is written explicitly.
 */
export function encodeSigningCertificateV2(cert: SignerCertificate, hash: 'sha256' | 'sm3'): Uint8Array {
  const certHash = createContentHasher(hash).update(cert.der).digest();
  const issuerSerial = derSequence(
    derSequence(derTlv(0xa4, cert.issuerDer)), // GeneralNames { directoryName [4] EXPLICIT Name }
    derTlv(0x02, cert.serialNumber),
  );
  const essCertId =
    hash === 'sha256'
      ? derSequence(derOctetString(certHash), issuerSerial)
      : derSequence(digestAlgorithmIdentifierDer(hash), derOctetString(certHash), issuerSerial);
  return derSequence(derSequence(essCertId));
}

export interface SigningCertificateCheck {
  readonly matches: boolean;
  /** Why not, for the verification report. */
  readonly reason?: string;
}

/**
 * Checks the first ESSCertID(v2) of a signing-certificate (v1: SHA-1, RFC 2634) or
 * signing-certificate-v2 attribute value against the signer certificate: its hash and, when
 * present, its issuer and serial number.
 */
export function checkSigningCertificate(attributeOid: string, value: BerNode, cert: SignerCertificate): SigningCertificateCheck {
  const v2 = attributeOid === CMS_OID.signingCertificateV2;
  const certs = expectUniversal(expectUniversal(value, TAG.SEQUENCE, 'SigningCertificate').children[0], TAG.SEQUENCE, 'certs');
  const first = expectUniversal(certs.children[0], TAG.SEQUENCE, 'ESSCertID');
  let i = 0;
  let hashName: CmsDigestAlgorithm | 'sha1' = 'sha1';
  if (v2) {
    hashName = 'sha256';
    const alg = first.children[0];
    if (isUniversal(alg, TAG.SEQUENCE)) {
      const oid = alg.children[0]?.oid ?? '';
      const known = digestAlgorithmFromOid(oid);
      if (!known) return { matches: false, reason: `ESSCertIDv2 hash algorithm ${oid} is not supported` };
      hashName = known;
      i = 1;
    }
  }
  const certHash = octetStringContent(expectUniversal(first.children[i], TAG.OCTET_STRING, 'certHash'));
  const actual =
    hashName === 'sha1' ? new Uint8Array(createHash('sha1').update(cert.der).digest()) : createContentHasher(hashName).update(cert.der).digest();
  if (!Buffer.from(actual).equals(Buffer.from(certHash))) {
    return { matches: false, reason: `the ${hashName.toUpperCase()} hash of the signer certificate differs from the attribute's certHash` };
  }
  const issuerSerial = first.children[i + 1];
  if (isUniversal(issuerSerial, TAG.SEQUENCE)) {
    const serial = expectUniversal(issuerSerial.children[1], TAG.INTEGER, 'IssuerSerial.serialNumber').content;
    if (!Buffer.from(serial).equals(Buffer.from(cert.serialNumber))) {
      return { matches: false, reason: 'issuerSerial names another serial number' };
    }
    const names = expectUniversal(issuerSerial.children[0], TAG.SEQUENCE, 'IssuerSerial.issuer').children;
    const directoryNames = names.filter((n) => isContext(n, 4)).map((n) => n.children[0]?.raw);
    if (directoryNames.length > 0 && !directoryNames.some((n) => n && Buffer.from(n).equals(Buffer.from(cert.issuerDer)))) {
      return { matches: false, reason: 'issuerSerial names another issuer' };
    }
  }
  return { matches: true };
}
