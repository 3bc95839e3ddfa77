import type { Signer } from '../crypto/signer';
import { derBitString, derExplicit, derSequence } from '../der/der-writer';
import { encodeName, type DistinguishedNameInput } from '../x509/distinguished-name';
import { encodePem } from '../x509/pem';
import { signatureAlgorithmIdentifierDer } from '../x509/signature-algorithm';

const VERSION_1 = Uint8Array.of(0x02, 0x01, 0x00);

export interface BuiltCertificationRequest {
  readonly der: Uint8Array;
  readonly pem: string;
}

/**
 * A PKCS#10 request (RFC 2986) signed by `signer`, typically a key that never leaves a UKey. The
 * CertificationRequestInfo is encoded once and those exact bytes are signed and embedded, so the
 * signature covers what the CA will slice out (no re-encoding between signing and sending).
 * Attributes are empty: the RA, not the request, decides extensions.
 */
export async function buildCertificationRequest(subject: DistinguishedNameInput, signer: Signer): Promise<BuiltCertificationRequest> {
  const info = derSequence(VERSION_1, encodeName(subject), signer.spki, derExplicit(0));
  const signature = await signer.sign(info);
  const der = derSequence(info, signatureAlgorithmIdentifierDer(signer.signatureAlgorithmOid), derBitString(signature));
  return { der, pem: encodePem('CERTIFICATE REQUEST', der) };
}
