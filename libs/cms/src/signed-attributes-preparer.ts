import { derOctetString, derOid, derSequence, sm2ZValue } from '@ecert/pki';
import { CmsError } from './cms-error';
import { cmsFamilyProfile } from './cms-family-profile';
import { CMS_OID } from './cms-oids';
import type { PreparedSignedAttributes, SignedAttributesInput } from './cms-types';
import { createContentHasher } from './content-hasher';
import { derSetOf } from './der-set-writer';
import { DIGEST_ALGORITHMS } from './digest-algorithms';
import { signatureAlgorithmFor } from './signature-algorithm-selector';
import { encodeSigningCertificateV2 } from './signing-certificate-codec';
import { readSignerCertificate } from './signer-certificate-reader';

/**
 * The first half of a deferred (UKey) signature, DSS's getDataToSign: content-type,
 * message-digest and signing-certificate-v2, DER-sorted. No signing-time (PAdES baseline forbids
 * it, and GB/T 35275 does not need it), so the same inputs always give the same bytes.
 */
export function prepareSignedAttributes(input: SignedAttributesInput): PreparedSignedAttributes {
  const profile = cmsFamilyProfile(input.family);
  if ((input as { signingTime?: unknown }).signingTime !== undefined) {
    throw new CmsError('cms_malformed', 'signing-time is not written: PAdES baseline forbids it (the time comes from a timestamp)');
  }
  const expected = DIGEST_ALGORITHMS[profile.digestAlgorithm].size;
  if (!(input.contentDigest instanceof Uint8Array) || input.contentDigest.length !== expected) {
    throw new CmsError(
      'unsupported_algorithm',
      `${input.family} needs a ${profile.digestAlgorithm.toUpperCase()} content digest (${expected} bytes), got ${input.contentDigest?.length ?? 'none'}`,
    );
  }
  const cert = readSignerCertificate(input.signerCertificate);
  signatureAlgorithmFor(input.family, cert.key); // refuse a key that cannot sign this family before anything is signed

  const der = derSetOf([
    attribute(CMS_OID.contentType, derOid(profile.dataOid)),
    attribute(CMS_OID.messageDigest, derOctetString(input.contentDigest)),
    attribute(CMS_OID.signingCertificateV2, encodeSigningCertificateV2(cert, profile.digestAlgorithm)),
  ]);
  const digestToSign =
    cert.key.family === 'sm2'
      ? createContentHasher('sm3').update(sm2ZValue(cert.key.publicPoint!)).update(der).digest()
      : createContentHasher(profile.digestAlgorithm).update(der).digest();
  return { family: input.family, der, digestAlgorithm: profile.digestAlgorithm, dataToSign: der, digestToSign };
}

function attribute(oid: string, value: Uint8Array): Uint8Array {
  return derSequence(derOid(oid), derSetOf([value]));
}
