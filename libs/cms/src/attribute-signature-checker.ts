import { CryptoError, decodeEcSignature, rawEcSignatureToDer, verifySignature } from '@ecert/pki';
import { readAttributes } from './attribute-reader';
import { readBer } from './ber-node-reader';
import { CmsError } from './cms-error';
import { CMS_OID } from './cms-oids';
import type { PreparedSignedAttributes } from './cms-types';
import { signatureAlgorithmFor } from './signature-algorithm-selector';
import { checkSigningCertificate } from './signing-certificate-codec';
import { readSignerCertificate, type SignerCertificate } from './signer-certificate-reader';

/**
 * The check before embedding a signature made elsewhere (a UKey, a PKCS#11 token): the certificate
 * must be the one the attributes name (signing-certificate-v2), and the signature must verify over
 * the attributes with its key. Returns the signature as it goes into SignerInfo.signature.
 * ECDSA: DER or raw r||s (PKCS#11, WebCrypto); SM2: DER; RSA: the raw PKCS#1 v1.5 block.
 */
export function checkSignatureOverAttributes(
  prepared: PreparedSignedAttributes,
  signature: Uint8Array,
  signerCertificate: Uint8Array,
): Uint8Array {
  const cert = readSignerCertificate(signerCertificate);
  assertNamedCertificate(prepared.der, cert);
  const signatureAlgorithmOid = signatureAlgorithmFor(prepared.family, cert.key);
  const der = cert.key.family === 'ecdsa' ? ecdsaSignatureDer(signature, cert.key.bits) : signature;
  let valid: boolean;
  try {
    valid = verifySignature({ spki: cert.spki, signatureAlgorithmOid, data: prepared.der, signature: der });
  } catch (e) {
    if (e instanceof CryptoError) throw new CmsError('unsupported_algorithm', e.message);
    throw e;
  }
  if (!valid) throw new CmsError('signature_invalid', 'the signature does not verify over the signed attributes with the certificate key');
  return der;
}

function assertNamedCertificate(attributesDer: Uint8Array, cert: SignerCertificate): void {
  const attrs = readAttributes(readBer(attributesDer, 'signed attributes'), 'signedAttrs');
  const ess = attrs.find((a) => a.oid === CMS_OID.signingCertificateV2);
  if (!ess?.values[0]) throw new CmsError('cms_malformed', 'the prepared attributes have no signing-certificate-v2');
  const check = checkSigningCertificate(ess.oid, ess.values[0], cert);
  if (!check.matches) throw new CmsError('certificate_mismatch', `not the certificate the attributes were prepared for: ${check.reason}`);
}

/** DER as is; a raw r||s of twice the field size (UKeys and PKCS#11 return that) converted. */
function ecdsaSignatureDer(signature: Uint8Array, fieldBits: number): Uint8Array {
  if (decodeEcSignature(signature)) return signature;
  const size = Math.ceil(fieldBits / 8);
  if (signature.length === 2 * size) {
    try {
      return rawEcSignatureToDer(signature);
    } catch {
      // r or s zero: not a signature at all
    }
  }
  throw new CmsError('signature_invalid', `not an ECDSA signature (neither DER nor raw r||s of ${2 * size} bytes)`);
}
