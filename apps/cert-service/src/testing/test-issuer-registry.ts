import { buildCertificate, buildName, certificateProfiles, newSerialNumber } from '@ecert/pki';
import { ecdsaTestKey } from '../../../../libs/pki/src/x509/test-signers.spec-helper';
import type { CaRegistry } from '../ca/ca-registry.service';

/**
 * For specs of what the EndEntityIssuer signs: a registry of one self-signed P-256 CA
 * (`ecdsa-issuing`, ten years) answering every role, with its signer in memory.
 */
export async function testIssuerRegistry(): Promise<CaRegistry> {
  const ca = ecdsaTestKey();
  const name = buildName({ C: 'CN', CN: 'Test Issuing CA' });
  const notAfter = new Date(Date.now() + 10 * 365 * 86_400_000);
  const certificate = await buildCertificate({
    issuer: { name, spki: ca.signer.spki },
    signer: ca.signer,
    subjectName: name,
    subjectSpki: ca.signer.spki,
    serialNumber: newSerialNumber(),
    notBefore: new Date(Date.now() - 60_000),
    notAfter,
    extensions: certificateProfiles.rootCa({ subjectSpki: ca.signer.spki }),
  });
  const row = { id: 'ecdsa-issuing', notAfter, certificate: Buffer.from(certificate) };
  return { byRole: () => row, signer: async () => ca.signer } as unknown as CaRegistry;
}
