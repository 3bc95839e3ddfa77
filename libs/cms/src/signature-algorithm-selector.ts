import type { PublicKeyDescription } from '@ecert/pki';
import { CmsError } from './cms-error';
import { cmsFamilyProfile } from './cms-family-profile';
import { CMS_OID } from './cms-oids';
import type { CmsFamily } from './cms-types';

/**
 * The SignerInfo.signatureAlgorithm ecert writes for a key in a family. The signature's hash is the
 * family's digest (RFC 5652 §5.4 hashes the signed attributes with digestAlgorithm, and OpenSSL
 * verifies that way), so a P-384 key signs ecdsa-with-SHA256 here.
 */
export function signatureAlgorithmFor(family: CmsFamily, key: PublicKeyDescription): string {
  const profile = cmsFamilyProfile(family);
  if (!key.family || !profile.keyFamilies.includes(key.family)) {
    throw new CmsError('unsupported_algorithm', `a ${key.label} key cannot sign a ${family} container (it takes ${profile.keyFamilies.join('/')})`);
  }
  switch (key.family) {
    case 'sm2':
      return CMS_OID.sm2WithSm3;
    case 'ecdsa':
      if (key.algorithm !== 'EC-P256' && key.algorithm !== 'EC-P384') {
        throw new CmsError('unsupported_algorithm', `ECDSA on ${key.label} is not supported`);
      }
      return CMS_OID.ecdsaWithSha256;
    case 'rsa':
      if (key.rsaPssOnly) throw new CmsError('unsupported_algorithm', 'an RSASSA-PSS-only key cannot sign PKCS#1 v1.5');
      return CMS_OID.sha256WithRsa;
  }
}
