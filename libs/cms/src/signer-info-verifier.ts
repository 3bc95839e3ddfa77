import { CryptoError, KeyAlgorithmMismatchError, verifySignature } from '@ecert/pki';
import type { CmsAttribute } from './attribute-reader';
import { TAG, isUniversal, octetStringContent } from './ber-node-reader';
import { CmsError } from './cms-error';
import { CMS_OID } from './cms-oids';
import type { CmsDigestAlgorithm, CmsFamily, CmsVerification } from './cms-types';
import { DIGEST_ALGORITHMS, digestAlgorithmFromOid } from './digest-algorithms';
import type { ParsedSignedData, ParsedSignerInfo, SignerId } from './signed-data-parser';
import { checkSigningCertificate } from './signing-certificate-codec';
import { readSignerCertificate, type SignerCertificate } from './signer-certificate-reader';
import { verificationAlgorithmFor } from './verification-algorithm-resolver';

const SM2_SIGNATURE_OIDS = new Set<string>([CMS_OID.sm2WithSm3, CMS_OID.sm2Sign, CMS_OID.sm2Key]);
const NAMED_DIGESTS: Readonly<Record<string, string>> = { [CMS_OID.sha1]: 'sha1', '1.2.840.113549.2.5': 'md5' };

/**
 * The checks of the first SignerInfo of a parsed SignedData against the digest of its content:
 * message-digest, content-type, signing-certificate(-v2) and the signature over the signed
 * attributes with the certificate `sid` names. Shared by document signatures and timestamp tokens;
 * whether the content may be encapsulated is the caller's rule.
 */
export function verifySignerInfo(parsed: ParsedSignedData, contentDigest: Uint8Array): CmsVerification {
  const problems: string[] = [];
  const certificates = parsed.certificates.map((c) => c.slice());
  const si = parsed.signerInfos[0];
  if (!si) {
    return {
      family: parsed.oidFamily === 'gbt35275' ? 'gbt35275' : 'pades',
      oidFamily: parsed.oidFamily,
      digestAlgorithm: 'unknown',
      digestMatches: false,
      signatureValid: false,
      certificates,
      problems: ['FORMAT_FAILURE: SignedData has no SignerInfo'],
    };
  }
  if (parsed.signerInfos.length > 1) {
    problems.push(`FORMAT_FAILURE: ${parsed.signerInfos.length} SignerInfos; only the first is verified`);
  }
  const digest = digestAlgorithmFromOid(si.digestAlgorithm.oid);
  const digestName = digest ?? NAMED_DIGESTS[si.digestAlgorithm.oid] ?? si.digestAlgorithm.oid;
  if (!digest) problems.push(`CRYPTO_CONSTRAINTS_FAILURE: digest algorithm ${digestName} is not accepted`);

  const signer = findSignerCertificate(parsed.certificates, si.sid);
  if (!signer) problems.push(`SIGNING_CERTIFICATE_NOT_FOUND: no certificate in the SignedData matches the SignerInfo's ${si.sid.kind}`);

  const family: CmsFamily =
    signer?.key.family === 'sm2' || (!signer && (SM2_SIGNATURE_OIDS.has(si.signatureAlgorithm.oid) || digest === 'sm3'))
      ? 'gbt35275'
      : 'pades';

  const digestMatches = checkMessageDigest(si, digest, contentDigest, problems);
  checkContentType(si, parsed.eContentType, problems);
  const signingCertificateV2Matches = signer ? checkSigningCertificateAttribute(si.signedAttributes, signer, problems) : undefined;
  const signatureValid = signer ? checkSignature(si, digest, signer, problems) : false;
  const timestampToken = si.unsignedAttributes.find((a) => a.oid === CMS_OID.timeStampToken)?.values[0]?.raw.slice();
  const sesAttributes = si.unsignedAttributes.filter((a) => a.oid === CMS_OID.sesSignature);
  const sesSignatureCount = sesAttributes.reduce((n, a) => n + a.values.length, 0);
  const sesSignature = sesAttributes[0]?.values[0]?.raw.slice();

  return {
    family,
    oidFamily: parsed.oidFamily,
    digestAlgorithm: digestName,
    digestMatches,
    signatureValid,
    ...(signer ? { signerCertificate: signer.der.slice() } : {}),
    certificates,
    ...(signingCertificateV2Matches !== undefined ? { signingCertificateV2Matches } : {}),
    ...(timestampToken ? { timestampToken } : {}),
    ...(sesSignature ? { sesSignature } : {}),
    ...(sesSignatureCount ? { sesSignatureCount } : {}),
    signatureValue: si.signature.slice(),
    problems,
  };
}

function findSignerCertificate(certificates: readonly Uint8Array[], sid: SignerId): SignerCertificate | undefined {
  for (const [i, der] of certificates.entries()) {
    let cert: SignerCertificate;
    try {
      cert = readSignerCertificate(der, `certificates[${i}]`);
    } catch {
      continue; // an unreadable extra certificate does not hide the signer's
    }
    if (sid.kind === 'issuerAndSerialNumber') {
      if (equal(cert.issuerDer, sid.issuer) && equal(magnitude(cert.serialNumber), magnitude(sid.serialNumber))) return cert;
    } else if (cert.subjectKeyId && equal(cert.subjectKeyId, sid.keyId)) {
      return cert;
    }
  }
  return undefined;
}

/** RFC 5652 §11.2: exactly one message-digest attribute with one value, equal to the content's digest. */
function checkMessageDigest(
  si: ParsedSignerInfo,
  digest: CmsDigestAlgorithm | undefined,
  contentDigest: Uint8Array,
  problems: string[],
): boolean {
  if (!si.signedAttributesDer) {
    problems.push('FORMAT_FAILURE: no signed attributes (a signature directly over the content cannot be checked against a digest)');
    return false;
  }
  const attr = single(si.signedAttributes, CMS_OID.messageDigest, 'message-digest', problems);
  const value = attr && isUniversal(attr, TAG.OCTET_STRING) ? octetStringContent(attr) : undefined;
  if (!value) {
    if (attr) problems.push('FORMAT_FAILURE: the message-digest attribute is not an OCTET STRING');
    return false;
  }
  if (digest && contentDigest.length !== DIGEST_ALGORITHMS[digest].size) {
    problems.push(`HASH_FAILURE: the content digest given is ${contentDigest.length} bytes, ${digest.toUpperCase()} gives ${DIGEST_ALGORITHMS[digest].size}`);
    return false;
  }
  if (!equal(value, contentDigest)) {
    problems.push('HASH_FAILURE: the message-digest attribute does not match the digest of the signed content');
    return false;
  }
  return true;
}

function checkContentType(si: ParsedSignerInfo, eContentType: string, problems: string[]): void {
  if (!si.signedAttributesDer) return;
  const attr = single(si.signedAttributes, CMS_OID.contentType, 'content-type', problems);
  if (attr && attr.oid !== eContentType) {
    problems.push(`FORMAT_FAILURE: the content-type attribute (${attr.oid ?? 'not an OID'}) differs from eContentType ${eContentType}`);
  }
}

/** signing-certificate-v2 (RFC 5035), else the SHA-1 signing-certificate (RFC 2634); undefined when neither. */
function checkSigningCertificateAttribute(attrs: readonly CmsAttribute[], signer: SignerCertificate, problems: string[]): boolean | undefined {
  const attr = attrs.find((a) => a.oid === CMS_OID.signingCertificateV2) ?? attrs.find((a) => a.oid === CMS_OID.signingCertificate);
  if (!attr) return undefined;
  const value = attr.values[0];
  let check: { matches: boolean; reason?: string };
  try {
    check = value ? checkSigningCertificate(attr.oid, value, signer) : { matches: false, reason: 'the attribute has no value' };
  } catch (e) {
    if (!(e instanceof CmsError)) throw e;
    check = { matches: false, reason: `unreadable: ${e.message}` };
  }
  if (!check.matches) problems.push(`SIGNING_CERTIFICATE_MISMATCH: ${check.reason}`);
  return check.matches;
}

function checkSignature(si: ParsedSignerInfo, digest: CmsDigestAlgorithm | undefined, signer: SignerCertificate, problems: string[]): boolean {
  if (!si.signedAttributesDer) return false;
  const alg = verificationAlgorithmFor(si.signatureAlgorithm, digest, signer.key);
  if (!alg) {
    problems.push(`CRYPTO_CONSTRAINTS_FAILURE: signature algorithm ${si.signatureAlgorithm.oid} with ${digest ?? 'this digest'} on a ${signer.key.label} key is not supported`);
    return false;
  }
  try {
    const valid = verifySignature({
      spki: signer.spki,
      signatureAlgorithmOid: alg.oid,
      ...(alg.parameters ? { signatureAlgorithmParameters: alg.parameters } : {}),
      data: si.signedAttributesDer,
      signature: si.signature,
    });
    if (!valid) problems.push('SIG_CRYPTO_FAILURE: the signature does not verify over the signed attributes with the signer certificate key');
    return valid;
  } catch (e) {
    if (!(e instanceof CryptoError)) throw e;
    const code = e instanceof KeyAlgorithmMismatchError ? 'SIG_CRYPTO_FAILURE' : 'CRYPTO_CONSTRAINTS_FAILURE';
    problems.push(`${code}: ${e.message}`);
    return false;
  }
}

/** The one value of an attribute that must occur once with one value (RFC 5652 §11). */
function single(attrs: readonly CmsAttribute[], oid: string, name: string, problems: string[]) {
  const found = attrs.filter((a) => a.oid === oid);
  if (found.length === 0) {
    problems.push(`FORMAT_FAILURE: no ${name} signed attribute`);
    return undefined;
  }
  if (found.length > 1 || found[0]!.values.length !== 1) {
    problems.push(`FORMAT_FAILURE: the ${name} attribute must occur once with one value`);
    return undefined;
  }
  return found[0]!.values[0];
}

function magnitude(serial: Uint8Array): Uint8Array {
  let i = 0;
  while (i < serial.length - 1 && serial[i] === 0) i++;
  return serial.subarray(i);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}
