import { readAttributes } from './attribute-reader';
import { readBer } from './ber-node-reader';
import { CmsError } from './cms-error';
import { CMS_OID } from './cms-oids';
import { checkSigningCertificate } from './signing-certificate-codec';
import type { SignerCertificate } from './signer-certificate-reader';

/**
 * Throws CmsError('certificate_mismatch') unless the prepared signed attributes' signing-certificate-v2
 * names `cert`: a deferred session must finish with the certificate it started with.
 */
export function assertAttributesNameCertificate(attributesDer: Uint8Array, cert: SignerCertificate): void {
  const attrs = readAttributes(readBer(attributesDer, 'signed attributes'), 'signedAttrs');
  const ess = attrs.find((a) => a.oid === CMS_OID.signingCertificateV2);
  if (!ess?.values[0]) throw new CmsError('cms_malformed', 'the prepared attributes have no signing-certificate-v2');
  const check = checkSigningCertificate(ess.oid, ess.values[0], cert);
  if (!check.matches) throw new CmsError('certificate_mismatch', `not the certificate the attributes were prepared for: ${check.reason}`);
}
