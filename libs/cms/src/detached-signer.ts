import { canonicalSpki, type Signer } from '@ecert/pki';
import { checkSignatureOverAttributes } from './attribute-signature-checker';
import { CmsError } from './cms-error';
import { CMS_OID } from './cms-oids';
import type { CmsFamily } from './cms-types';
import { prepareSignedAttributes } from './signed-attributes-preparer';
import { assembleSignedData } from './signed-data-assembler';
import { readSignerCertificate } from './signer-certificate-reader';

/** Signer.sign hashes with its own algorithm; it must be the family's digest (see signatureAlgorithmFor). */
const SIGNER_OIDS: Readonly<Record<CmsFamily, readonly string[]>> = {
  pades: [CMS_OID.ecdsaWithSha256, CMS_OID.sha256WithRsa],
  gbt35275: [CMS_OID.sm2WithSm3],
};

/**
 * Server-side signing in one call (keys the platform holds: key store, PKCS#11): prepare, sign,
 * check, assemble. The fresh signature is verified before it is embedded, so a wrong key, a
 * misconfigured token or a faulty signature never leaves as a sealed document.
 */
export async function signDetached(
  contentDigest: Uint8Array,
  family: CmsFamily,
  signer: Signer,
  signerCertificate: Uint8Array,
  chain: Uint8Array[],
): Promise<Uint8Array> {
  if (!SIGNER_OIDS[family]?.includes(signer.signatureAlgorithmOid)) {
    throw new CmsError(
      'unsupported_algorithm',
      `a ${signer.algorithm} signer (${signer.signatureAlgorithmOid}) cannot sign ${family}: its hash must be the container's digest`,
    );
  }
  const cert = readSignerCertificate(signerCertificate);
  // Canonical forms: the same SM2 key may be written with id-ecPublicKey or the SM2 OID.
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
  if (!same(cert.spki, signer.spki) && !same(canonicalSpki(cert.spki), canonicalSpki(signer.spki))) {
    throw new CmsError('certificate_mismatch', "the signer's key is not the certificate's key");
  }
  const prepared = prepareSignedAttributes({ family, contentDigest, signerCertificate });
  const signature = checkSignatureOverAttributes(prepared, await signer.sign(prepared.dataToSign), signerCertificate);
  return assembleSignedData({ prepared, signature, signerCertificate, chain });
}
