import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as asn1js from 'asn1js';
import { OID } from '../crypto/algorithms';
import type { Signer } from '../crypto/signer';
import { buildCertificate, newSerialNumber, normalizeSerialNumber, type BuildCertificateInput } from './certificate-builder';
import { issuerFromCertificate } from './certificate-issuer';
import { certificateProfiles } from './certificate-profiles';
import { encodeName } from './distinguished-name';
import { ecdsaTestKey, rsaTestKey, sm2TestKey, type TestKey } from './test-signers.spec-helper';
import { X509InputError } from './x509-input-error';

const hex = (b: Uint8Array | ArrayBuffer) => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex');

/** Splits a certificate with asn1js (independently of the builder) into the parts tests look at. */
function dissect(der: Uint8Array) {
  const parsed = asn1js.fromBER(der);
  expect(parsed.offset).toBe(der.length);
  const [tbs, sigAlg, sig] = (parsed.result as asn1js.Sequence).valueBlock.value as [asn1js.Sequence, asn1js.Sequence, asn1js.BitString];
  const fields = tbs.valueBlock.value;
  const validity = (fields[4] as asn1js.Sequence).valueBlock.value;
  const extsWrapper = fields.find((f) => f.idBlock.tagClass === 3 && f.idBlock.tagNumber === 3) as asn1js.Constructed | undefined;
  const exts = extsWrapper ? ((extsWrapper.valueBlock.value[0] as asn1js.Sequence).valueBlock.value as asn1js.Sequence[]) : [];
  return {
    tbsSigAlgHex: hex(fields[2]!.toBER()),
    outerSigAlgHex: hex(sigAlg.toBER()),
    serialHex: hex((fields[1] as asn1js.Integer).valueBlock.valueHexView),
    notBefore: validity[0]!,
    notAfter: validity[1]!,
    signature: sig,
    extensionIds: exts.map((e) => (e.valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString()),
    extension: (oid: string) => {
      const e = exts.find((x) => (x.valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString() === oid);
      return e ? (e.valueBlock.value.at(-1) as asn1js.OctetString).valueBlock.valueHexView : undefined;
    },
  };
}

let ca: TestKey;
let leafKey: TestKey;

beforeAll(() => {
  ca = ecdsaTestKey('P-256');
  leafKey = ecdsaTestKey('P-256');
});

function input(overrides: Partial<BuildCertificateInput> = {}): BuildCertificateInput {
  return {
    issuer: { name: encodeName({ C: 'CN', O: '测试CA', CN: '测试签发CA' }), spki: ca.signer.spki },
    signer: ca.signer,
    subjectName: encodeName({ C: 'CN', CN: '张三' }),
    subjectSpki: leafKey.signer.spki,
    serialNumber: newSerialNumber(),
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date('2026-01-01T00:00:00Z'),
    extensions: [],
    ...overrides,
  };
}

describe('serial numbers', () => {
  it('gives 16 positive, minimal, distinct bytes', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const s = newSerialNumber();
      expect(s).toHaveLength(16);
      expect(s[0]! & 0x80).toBe(0);
      expect(s[0]).not.toBe(0);
      seen.add(hex(s));
    }
    expect(seen.size).toBe(2000);
  });

  it('normalizes hex and bytes to a positive minimal INTEGER and refuses zero, junk and > 20 octets', () => {
    expect(hex(normalizeSerialNumber('00ff'))).toBe('00ff');
    expect(hex(normalizeSerialNumber('01:02'))).toBe('0102');
    expect(hex(normalizeSerialNumber('abc'))).toBe('0abc');
    expect(hex(normalizeSerialNumber(Uint8Array.of(0, 0, 0x7f)))).toBe('7f');
    expect(() => normalizeSerialNumber('0000')).toThrow(X509InputError);
    expect(() => normalizeSerialNumber('xyz')).toThrow(X509InputError);
    expect(() => normalizeSerialNumber('7f'.repeat(21))).toThrow(/20 octets/);
    expect(hex(normalizeSerialNumber('7f'.repeat(20)))).toBe('7f'.repeat(20));
  });

  it('puts the serial into the certificate as given', async () => {
    const der = await buildCertificate(input({ serialNumber: '0123456789abcdef0123' }));
    expect(dissect(der).serialHex).toBe('0123456789abcdef0123');
  });
});

describe('validity encoding', () => {
  it('uses UTCTime up to 2049 and GeneralizedTime from 2050, whole seconds, Z', async () => {
    const der = await buildCertificate(
      input({ notBefore: new Date('2049-12-31T23:59:59.987Z'), notAfter: new Date('2050-01-01T00:00:00.500Z') }),
    );
    const { notBefore, notAfter } = dissect(der);
    expect(notBefore).toBeInstanceOf(asn1js.UTCTime);
    expect(Buffer.from((notBefore as asn1js.UTCTime).valueBlock.valueHexView).toString('latin1')).toBe('491231235959Z');
    expect(notAfter).toBeInstanceOf(asn1js.GeneralizedTime);
    expect(Buffer.from((notAfter as asn1js.GeneralizedTime).valueBlock.valueHexView).toString('latin1')).toBe('20500101000000Z');
  });

  it('refuses notAfter not after notBefore, and invalid dates', async () => {
    const d = new Date('2030-01-01T00:00:00Z');
    await expect(buildCertificate(input({ notBefore: d, notAfter: d }))).rejects.toThrow(X509InputError);
    await expect(buildCertificate(input({ notBefore: new Date('x') }))).rejects.toThrow(X509InputError);
  });
});

describe('signature AlgorithmIdentifier', () => {
  it('ECDSA: no parameters; the same identifier inside and outside the TBS', async () => {
    const d = dissect(await buildCertificate(input()));
    expect(d.tbsSigAlgHex).toBe('300a06082a8648ce3d040302');
    expect(d.outerSigAlgHex).toBe(d.tbsSigAlgHex);
  });

  it('RSA: sha256WithRSAEncryption with NULL', async () => {
    const rsa = rsaTestKey();
    const d = dissect(await buildCertificate(input({ signer: rsa.signer, issuer: { name: encodeName({ CN: 'r' }), spki: rsa.signer.spki } })));
    expect(d.tbsSigAlgHex).toBe('300d06092a864886f70d01010b0500');
    expect(d.outerSigAlgHex).toBe(d.tbsSigAlgHex);
  });

  it('SM2: 1.2.156.10197.1.501 without parameters', async () => {
    const sm2 = sm2TestKey();
    const d = dissect(await buildCertificate(input({ signer: sm2.signer, issuer: { name: encodeName({ CN: 's' }), spki: sm2.signer.spki } })));
    expect(d.tbsSigAlgHex).toBe('300a06082a811ccf55018375');
    expect(d.outerSigAlgHex).toBe(d.tbsSigAlgHex);
    expect(d.signature.valueBlock.unusedBits).toBe(0);
  });
});

describe('authority key identifier', () => {
  const akiOf = (der: Uint8Array) => {
    const v = dissect(der).extension('2.5.29.35');
    return v && hex(v);
  };

  it('is SHA-1 of the issuer key (RFC 5280 method 1) for issued certificates', async () => {
    // P-256 SPKI ends with BIT STRING 03 42 00 || 04 x y: the key identifier hashes those 65 bytes.
    expect(hex(ca.signer.spki.subarray(-68, -65))).toBe('034200');
    const expected = createHash('sha1').update(ca.signer.spki.subarray(-65)).digest('hex');
    expect(akiOf(await buildCertificate(input()))).toBe(`30168014${expected}`);
  });

  it('repeats an imported issuer SKI verbatim, and is absent on a self-signed root', async () => {
    expect(akiOf(await buildCertificate(input({ issuer: { name: encodeName({ CN: 'x' }), spki: ca.signer.spki, keyIdentifier: Uint8Array.of(1, 2, 3) } })))).toBe('3005800301 0203'.replace(' ', ''));
    const name = encodeName({ C: 'CN', CN: 'Root' });
    const root = await buildCertificate(
      input({ issuer: { name, spki: ca.signer.spki }, subjectName: name, subjectSpki: ca.signer.spki, extensions: certificateProfiles.rootCa({ subjectSpki: ca.signer.spki }) }),
    );
    expect(dissect(root).extensionIds).toEqual(['2.5.29.19', '2.5.29.15', '2.5.29.14']);
    const issuer = issuerFromCertificate(root);
    expect(issuer.name).toEqual(name);
    expect(issuer.spki).toEqual(ca.signer.spki);
    // The SKI the root carries is what children's AKI will repeat.
    const child = await buildCertificate(input({ issuer }));
    expect(akiOf(child)).toBe(`30168014${hex(issuer.keyIdentifier!)}`);
  });
});

describe('issuerFromCertificate', () => {
  it('refuses a leaf as issuer, and children that would outlive the issuer', async () => {
    const leaf = await buildCertificate(input({ extensions: certificateProfiles.ocspSigner({ subjectSpki: leafKey.signer.spki }) }));
    expect(() => issuerFromCertificate(leaf)).toThrow(/not a CA certificate/);
    const name = encodeName({ CN: 'Root' });
    const root = await buildCertificate(
      input({ issuer: { name, spki: ca.signer.spki }, subjectName: name, subjectSpki: ca.signer.spki, extensions: certificateProfiles.rootCa({ subjectSpki: ca.signer.spki }) }),
    );
    const issuer = issuerFromCertificate(root);
    expect(issuer.notAfter).toEqual(new Date('2026-01-01T00:00:00Z'));
    await expect(buildCertificate(input({ issuer, notAfter: new Date('2026-01-01T00:00:01Z') }))).rejects.toThrow(/beyond the issuer/);
    expect(() => issuerFromCertificate(new Uint8Array([...root, 0]))).toThrow(X509InputError);
  });
});

describe('guards', () => {
  it('refuses a signer whose key is not the issuer key', async () => {
    await expect(buildCertificate(input({ signer: leafKey.signer }))).rejects.toThrow(/signer key is not the issuer key/);
  });

  it('refuses duplicate extensions', async () => {
    const ext = certificateProfiles.ocspSigner({ subjectSpki: leafKey.signer.spki });
    await expect(buildCertificate(input({ extensions: [...ext, ext[0]!] }))).rejects.toThrow(/duplicate 2.5.29.15/);
  });

  it('refuses an ECDSA signer that returns raw r||s instead of DER', async () => {
    const raw: Signer = { ...ca.signer, sign: async () => new Uint8Array(64).fill(1) };
    await expect(buildCertificate(input({ signer: raw }))).rejects.toThrow(/DER SEQUENCE/);
  });

  it('refuses a signer whose OID does not fit its key, and malformed SPKI', async () => {
    const wrong: Signer = { ...ca.signer, signatureAlgorithmOid: OID.sha256WithRsa };
    await expect(buildCertificate(input({ signer: wrong }))).rejects.toThrow(/does not belong/);
    await expect(buildCertificate(input({ subjectSpki: leafKey.signer.spki.subarray(0, 20) }))).rejects.toThrow(X509InputError);
  });
});
