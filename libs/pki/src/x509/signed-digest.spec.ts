import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentOf, DerReader } from '../der/der-reader';
import { decodeSm2Point, verifyPortable } from '../crypto/sm2';
import { certificateFields } from '../revocation/certificate-fields';
import { buildCertificate, newSerialNumber } from './certificate-builder';
import { certificateProfiles } from './certificate-profiles';
import { buildName } from './distinguished-name';
import { signedDigest } from './signed-digest';
import { ecdsaTestKey, rsaTestKey, sm2TestKey, type TestKey } from './test-signers.spec-helper';

/** A certificate `key` signs: for `subjectSpki` (a leaf), or for itself. */
async function selfSigned(key: TestKey, subjectSpki = key.signer.spki): Promise<Uint8Array> {
  const name = buildName({ C: 'CN', CN: 'digest test' });
  return buildCertificate({
    issuer: { name, spki: key.signer.spki },
    signer: key.signer,
    subjectName: subjectSpki === key.signer.spki ? name : buildName({ C: 'CN', CN: 'digest leaf' }),
    subjectSpki,
    serialNumber: newSerialNumber(),
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    extensions: certificateProfiles.rootCa({ subjectSpki: key.signer.spki }),
  });
}

/** r and s of the certificate's signature (SEQUENCE { INTEGER, INTEGER } inside the BIT STRING). */
function signatureOf(der: Uint8Array): { r: bigint; s: bigint } {
  const cert = DerReader.inside(der, new DerReader(der).read(0x30));
  cert.read(0x30);
  cert.read(0x30);
  const bits = contentOf(der, cert.read(0x03)).subarray(1);
  const seq = DerReader.inside(bits, new DerReader(bits).read(0x30));
  const int = () => BigInt(`0x${Buffer.from(contentOf(bits, seq.read(0x02))).toString('hex')}`);
  return { r: int(), s: int() };
}

describe('signedDigest', () => {
  it('SM2: is the e the key signed — an SM2 signature made elsewhere (sm-crypto) verifies on it, and on no other TBS', async () => {
    const key = sm2TestKey();
    // A leaf: Z must come from the issuer's key, not the subject's.
    const subject = sm2TestKey();
    const der = await selfSigned(key, subject.signer.spki);
    const { tbs } = certificateFields(der);
    const { algorithm, digest } = signedDigest(tbs, key.signer.spki);
    expect(algorithm).toBe('SM3(Z‖TBS)');
    const { r, s } = signatureOf(der);
    const P = decodeSm2Point(new Uint8Array(Buffer.from(key.publicKeyHex, 'hex')));
    expect(verifyPortable(P, BigInt(`0x${Buffer.from(digest).toString('hex')}`), r, s)).toBe(true);
    const other = signedDigest(certificateFields(await selfSigned(key)).tbs, key.signer.spki);
    expect(verifyPortable(P, BigInt(`0x${Buffer.from(other.digest).toString('hex')}`), r, s)).toBe(false);
    // Z binds the issuer: the subject's key (or any other) gives another e, on which the signature fails.
    const withSubjectZ = signedDigest(tbs, subject.signer.spki).digest;
    expect(verifyPortable(P, BigInt(`0x${Buffer.from(withSubjectZ).toString('hex')}`), r, s)).toBe(false);
    expect(() => signedDigest(tbs)).toThrow('issuer public key');
  });

  it('ECDSA and RSA: the hash the TBS names', async () => {
    for (const [key, hash, name] of [
      [ecdsaTestKey('P-256'), 'sha256', 'SHA-256'],
      [ecdsaTestKey('P-384'), 'sha384', 'SHA-384'],
      [rsaTestKey(), 'sha256', 'SHA-256'],
    ] as const) {
      const { tbs } = certificateFields(await selfSigned(key));
      expect(signedDigest(tbs)).toEqual({ algorithm: name, digest: new Uint8Array(createHash(hash).update(tbs).digest()) });
    }
  });

  it('refuses what is not a TBSCertificate', () => {
    expect(() => signedDigest(Uint8Array.of(0x04, 0x00))).toThrow();
  });
});
