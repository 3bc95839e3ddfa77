import { describe, expect, it } from 'vitest';
import { buildCertificate, newSerialNumber } from './certificate-builder';
import { encodeName } from './distinguished-name';
import { PROFILE_OID, certificateProfiles } from './certificate-profiles';
import { extendedKeyUsageOf, purposeAllowed } from './extended-key-usage';
import { ecdsaTestKey } from './test-signers.spec-helper';
import { X509InputError } from './x509-input-error';
import { decodeOid } from '../der/der-reader';

const key = ecdsaTestKey();
const links = { crlUrl: 'http://a.example/c.crl', ocspUrl: 'http://a.example/ocsp', caIssuersUrl: 'http://a.example/ca.cer' };
const name = encodeName({ C: 'CN', CN: 'test' });

const certWith = (extensions: ReturnType<typeof certificateProfiles.unit>) =>
  buildCertificate({
    issuer: { name, spki: key.signer.spki },
    signer: key.signer,
    subjectName: name,
    subjectSpki: key.signer.spki,
    serialNumber: newSerialNumber(),
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date('2026-01-01T00:00:00Z'),
    extensions,
  });

describe('extendedKeyUsageOf', () => {
  it('reads the purposes of each profile, the UUID-arc seal-making purpose included', async () => {
    const unit = await certWith(certificateProfiles.unit({ subjectSpki: key.signer.spki, uscc: '91440101MA5C00001N', ...links }));
    expect(extendedKeyUsageOf(unit)).toEqual([PROFILE_OID.kpClientAuth, PROFILE_OID.kpDocumentSigning]);
    const maker = await certWith(certificateProfiles.sealMaker({ subjectSpki: key.signer.spki, ...links }));
    expect(extendedKeyUsageOf(maker)).toEqual([PROFILE_OID.kpEcertSealMaking]);
    const ocsp = await certWith(certificateProfiles.ocspSigner({ subjectSpki: key.signer.spki }));
    expect(extendedKeyUsageOf(ocsp)).toEqual([PROFILE_OID.kpOcspSigning]);
    const root = await certWith(certificateProfiles.rootCa({ subjectSpki: key.signer.spki }));
    expect(extendedKeyUsageOf(root)).toBeUndefined();
  });

  it('refuses a malformed certificate instead of reading "no restriction"', () => {
    expect(() => extendedKeyUsageOf(Uint8Array.of(0x30, 0x03, 0x02, 0x01))).toThrow(X509InputError);
  });

  it('purposeAllowed: absent EKU allows everything, anyExtendedKeyUsage too, else the purpose must be listed', () => {
    expect(purposeAllowed(undefined, PROFILE_OID.kpClientAuth)).toBe(true);
    expect(purposeAllowed([PROFILE_OID.kpAny], PROFILE_OID.kpClientAuth)).toBe(true);
    expect(purposeAllowed([PROFILE_OID.kpDocumentSigning], PROFILE_OID.kpClientAuth)).toBe(false);
    expect(purposeAllowed([PROFILE_OID.kpClientAuth, PROFILE_OID.kpDocumentSigning], PROFILE_OID.kpClientAuth)).toBe(true);
  });

  it('decodeOid handles arcs beyond 2^53 (UUID arcs) and ordinary OIDs alike', () => {
    expect(decodeOid(Uint8Array.from(Buffer.from('6981b1baedb8e597a2aedda6f681dad1b8a8ed210101', 'hex')))).toBe(PROFILE_OID.kpEcertSealMaking);
    expect(decodeOid(Uint8Array.from(Buffer.from('2b06010505070302', 'hex')))).toBe('1.3.6.1.5.5.7.3.2');
    expect(() => decodeOid(Uint8Array.of(0x2b, 0x80, 0x01))).toThrow(/non-minimal/);
    expect(() => decodeOid(Uint8Array.of(0x2b, 0x86))).toThrow(/truncated/);
  });
});
