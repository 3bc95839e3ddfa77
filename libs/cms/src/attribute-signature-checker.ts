import { CryptoError, decodeEcSignature, rawEcSignatureToDer, verifySignature } from '@ecert/pki';
import { CmsError } from './cms-error';
import type { PreparedSignedAttributes } from './cms-types';
import { assertAttributesNameCertificate } from './prepared-certificate-guard';
import { signatureAlgorithmFor } from './signature-algorithm-selector';
import { readSignerCertificate } from './signer-certificate-reader';

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
  assertAttributesNameCertificate(prepared.der, cert);
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
