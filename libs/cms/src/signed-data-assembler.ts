import { concatBytes, derExplicit, derOctetString, derOid, derSequence, derTlv, signatureAlgorithmIdentifierDer } from '@ecert/pki';
import { readBer } from './ber-node-reader';
import { CmsError } from './cms-error';
import { cmsFamilyProfile } from './cms-family-profile';
import { CMS_OID } from './cms-oids';
import type { AssembleInput } from './cms-types';
import { derSetOf } from './der-set-writer';
import { digestAlgorithmIdentifierDer } from './digest-algorithms';
import { assertAttributesNameCertificate } from './prepared-certificate-guard';
import { signatureAlgorithmFor } from './signature-algorithm-selector';
import { readSignerCertificate } from './signer-certificate-reader';

const VERSION_1 = Uint8Array.of(0x02, 0x01, 0x01);

/**
 * ContentInfo { signedData } DER, RFC 5652 / GB/T 35275 §8: version 1 throughout (the signer is
 * named by issuerAndSerialNumber, there are no attribute certificates), no eContent (detached: the
 * PDF ByteRange is the content), the signer's certificate first then the chain, the timestamp and
 * an SM2 seal's SES_Signature as unsigned attributes. It checks that the attributes name this certificate but does not verify the
 * signature: checkSignatureOverAttributes does that.
 */
export function assembleSignedData(input: AssembleInput): Uint8Array {
  const { prepared } = input;
  const profile = cmsFamilyProfile(prepared.family);
  const cert = readSignerCertificate(input.signerCertificate);
  const signatureAlgorithmOid = signatureAlgorithmFor(prepared.family, cert.key);
  if (prepared.der[0] !== 0x31) throw new CmsError('cms_malformed', 'prepared.der is not a DER SET OF signed attributes');
  if (!(input.signature instanceof Uint8Array) || input.signature.length === 0) throw new CmsError('signature_invalid', 'no signature');
  assertAttributesNameCertificate(prepared.der, cert);

  const digestAlgorithm = digestAlgorithmIdentifierDer(profile.digestAlgorithm);
  // [0] IMPLICIT: the same content as the signed SET OF, only the tag differs (RFC 5652 §5.4).
  const signedAttrs = concatBytes(Uint8Array.of(0xa0), prepared.der.subarray(1));
  const unsigned: Uint8Array[] = [];
  if (input.timestampToken) unsigned.push(derSequence(derOid(CMS_OID.timeStampToken), derSetOf([checkedToken(input.timestampToken)])));
  if (input.sesSignature) unsigned.push(derSequence(derOid(CMS_OID.sesSignature), derSetOf([checkedSequence(input.sesSignature, 'sesSignature')])));
  const unsignedAttrs = unsigned.length ? [derSetOf(unsigned, 0xa1)] : [];
  const signerInfo = derSequence(
    VERSION_1,
    derSequence(cert.issuerDer, derTlv(0x02, cert.serialNumber)),
    digestAlgorithm,
    signedAttrs,
    signatureAlgorithmIdentifierDer(signatureAlgorithmOid),
    derOctetString(input.signature),
    ...unsignedAttrs,
  );

  const certificates = uniqueCertificates(cert.der, input.chain ?? []);
  const signedData = derSequence(
    VERSION_1,
    derSetOf([digestAlgorithm]),
    derSequence(derOid(profile.dataOid)),
    // Signer first: order has no meaning in the SET, but some readers take the first as the signer.
    derTlv(0xa0, ...certificates),
    derSetOf([signerInfo]),
  );
  return derSequence(derOid(profile.signedDataOid), derExplicit(0, signedData));
}

function uniqueCertificates(signer: Uint8Array, chain: readonly Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>([Buffer.from(signer).toString('base64')]);
  const out = [signer];
  for (const [i, c] of chain.entries()) {
    const parsed = readSignerCertificate(c, `chain[${i}]`).der;
    const key = Buffer.from(parsed).toString('base64');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(parsed);
  }
  return out;
}

/** A timestamp token is itself a ContentInfo SEQUENCE; anything else would corrupt the container. */
function checkedToken(token: Uint8Array): Uint8Array {
  const node = readBer(token, 'timestampToken');
  if (node.tagClass !== 0 || node.tagNumber !== 16) throw new CmsError('cms_malformed', 'timestampToken is not a ContentInfo');
  return token;
}

/** An SES_Signature is one DER SEQUENCE; anything else would corrupt the container. */
function checkedSequence(der: Uint8Array, field: string): Uint8Array {
  const node = readBer(der, field);
  if (node.tagClass !== 0 || node.tagNumber !== 16) throw new CmsError('cms_malformed', `${field} is not a SEQUENCE`);
  return der;
}
