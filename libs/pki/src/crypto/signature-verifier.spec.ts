import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { RsaSaPssParams, mgf1SHA1, sha256, sha384 } from '@peculiar/asn1-rsa';
import { OID } from './algorithms';
import { InvalidKeyError, KeyAlgorithmMismatchError, UnsupportedAlgorithmError } from './crypto-errors';
import { verifySignature } from './signature-verifier';
import { Sm2PrivateKey } from './sm2';
import { sm2PublicKeyToSpki } from './sm2-key-encoding';

const spkiOf = (k: KeyObject) => new Uint8Array(k.export({ type: 'spki', format: 'der' }));
const data = new TextEncoder().encode('TBSCertificate stand-in');
const flip = (b: Uint8Array, i = b.length - 1) => {
  const c = Uint8Array.from(b);
  c[i]! ^= 1;
  return c;
};

const sm2Key = Sm2PrivateKey.generate();
const sm2Spki = sm2PublicKeyToSpki(sm2Key.publicKey);
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('verifySignature', () => {
  it('SM2-with-SM3 (id-ecPublicKey + SM2 curve and the legacy SM2 OID)', () => {
    const sig = sm2Key.sign(data);
    const input = { spki: sm2Spki, signatureAlgorithmOid: OID.sm2WithSm3, data, signature: sig };
    expect(verifySignature(input)).toBe(true);
    expect(verifySignature({ ...input, data: flip(data) })).toBe(false);
    expect(verifySignature({ ...input, signature: flip(sig, 10) })).toBe(false);
    expect(verifySignature({ ...input, signature: new Uint8Array(3) })).toBe(false);
    expect(verifySignature({ ...input, sm2UserId: 'someone else' })).toBe(false);
    const other = Sm2PrivateKey.generate().sign(data, 'someone else');
    expect(verifySignature({ ...input, signature: other })).toBe(false);

    const legacy = AsnConvert.parse(sm2Spki, SubjectPublicKeyInfo);
    legacy.algorithm = new AlgorithmIdentifier({ algorithm: OID.sm2PublicKey });
    expect(verifySignature({ ...input, spki: new Uint8Array(AsnConvert.serialize(legacy)) })).toBe(true);
  });

  it('ECDSA P-256/P-384 with SHA-256/384/512', () => {
    for (const [pair, hash, oid] of [
      [p256, 'sha256', OID.ecdsaWithSha256],
      [p384, 'sha384', OID.ecdsaWithSha384],
      [p256, 'sha384', OID.ecdsaWithSha384],
      [p384, 'sha512', OID.ecdsaWithSha512],
    ] as const) {
      const sig = new Uint8Array(sign(hash, data, { key: pair.privateKey, dsaEncoding: 'der' }));
      const input = { spki: spkiOf(pair.publicKey), signatureAlgorithmOid: oid, data, signature: sig };
      expect(verifySignature(input)).toBe(true);
      expect(verifySignature({ ...input, data: flip(data) })).toBe(false);
      expect(verifySignature({ ...input, signature: flip(sig) })).toBe(false);
      expect(verifySignature({ ...input, signature: sig.subarray(0, 20) })).toBe(false);
      // same signature claimed under another hash
      const wrongHash = oid === OID.ecdsaWithSha256 ? OID.ecdsaWithSha384 : OID.ecdsaWithSha256;
      expect(verifySignature({ ...input, signatureAlgorithmOid: wrongHash })).toBe(false);
    }
    // IEEE P1363 (raw r||s) is not what X.509 carries
    const raw = new Uint8Array(sign('sha256', data, { key: p256.privateKey, dsaEncoding: 'ieee-p1363' }));
    expect(verifySignature({ spki: spkiOf(p256.publicKey), signatureAlgorithmOid: OID.ecdsaWithSha256, data, signature: raw })).toBe(false);
  });

  it('RSA PKCS#1 v1.5 with SHA-256/384/512', () => {
    const spki = spkiOf(rsa.publicKey);
    for (const [hash, oid] of [
      ['sha256', OID.sha256WithRsa],
      ['sha384', OID.sha384WithRsa],
      ['sha512', OID.sha512WithRsa],
    ] as const) {
      const sig = new Uint8Array(sign(hash, data, rsa.privateKey));
      expect(verifySignature({ spki, signatureAlgorithmOid: oid, data, signature: sig })).toBe(true);
      expect(verifySignature({ spki, signatureAlgorithmOid: oid, data: flip(data), signature: sig })).toBe(false);
      expect(verifySignature({ spki, signatureAlgorithmOid: oid, data, signature: flip(sig, 0) })).toBe(false);
      expect(verifySignature({ spki, signatureAlgorithmOid: oid, data, signature: sig.subarray(1) })).toBe(false);
    }
  });

  it('RSASSA-PSS with explicit parameters', () => {
    const spki = spkiOf(rsa.publicKey);
    const sig = new Uint8Array(sign('sha256', data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }));
    const params = (hash: AlgorithmIdentifier, mgfHash: AlgorithmIdentifier, saltLength: number) =>
      new Uint8Array(
        AsnConvert.serialize(
          new RsaSaPssParams({
            hashAlgorithm: hash,
            maskGenAlgorithm: new AlgorithmIdentifier({ algorithm: OID.mgf1, parameters: AsnConvert.serialize(mgfHash) }),
            saltLength,
          }),
        ),
      );
    const input = { spki, signatureAlgorithmOid: OID.rsassaPss, data, signature: sig, signatureAlgorithmParameters: params(sha256, sha256, 32) };
    expect(verifySignature(input)).toBe(true);
    expect(verifySignature({ ...input, data: flip(data) })).toBe(false);
    expect(verifySignature({ ...input, signatureAlgorithmParameters: params(sha256, sha256, 20) })).toBe(false);
    expect(verifySignature({ ...input, signatureAlgorithmParameters: params(sha384, sha384, 32) })).toBe(false);
    expect(() => verifySignature({ ...input, signatureAlgorithmParameters: params(sha256, sha384, 32) })).toThrow(UnsupportedAlgorithmError);
    expect(() => verifySignature({ ...input, signatureAlgorithmParameters: new Uint8Array(AsnConvert.serialize(new RsaSaPssParams())) })).toThrow(
      UnsupportedAlgorithmError,
    );
    expect(() => verifySignature({ ...input, signatureAlgorithmParameters: undefined })).toThrow(/SHA-1/);
    expect(mgf1SHA1.algorithm).toBe(OID.mgf1); // sanity: the OID table matches the library's
  });

  it('throws typed errors for unsupported algorithms, mismatched keys and broken keys', () => {
    const sig = sm2Key.sign(data);
    const p256Spki = spkiOf(p256.publicKey);
    const rsaSpki = spkiOf(rsa.publicKey);
    expect(() => verifySignature({ spki: sm2Spki, signatureAlgorithmOid: '1.2.3.4', data, signature: sig })).toThrow(UnsupportedAlgorithmError);
    expect(() => verifySignature({ spki: rsaSpki, signatureAlgorithmOid: '1.2.840.113549.1.1.5', data, signature: sig })).toThrow(
      /sha1WithRSAEncryption .* not accepted/,
    );
    expect(() => verifySignature({ spki: rsaSpki, signatureAlgorithmOid: OID.sm2WithSm3, data, signature: sig })).toThrow(KeyAlgorithmMismatchError);
    expect(() => verifySignature({ spki: p256Spki, signatureAlgorithmOid: OID.sm2WithSm3, data, signature: sig })).toThrow(KeyAlgorithmMismatchError);
    expect(() => verifySignature({ spki: sm2Spki, signatureAlgorithmOid: OID.ecdsaWithSha256, data, signature: sig })).toThrow(KeyAlgorithmMismatchError);
    expect(() => verifySignature({ spki: p256Spki, signatureAlgorithmOid: OID.sha256WithRsa, data, signature: sig })).toThrow(KeyAlgorithmMismatchError);
    expect(() => verifySignature({ spki: rsaSpki, signatureAlgorithmOid: OID.ecdsaWithSha256, data, signature: sig })).toThrow(KeyAlgorithmMismatchError);
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const k1sig = new Uint8Array(sign('sha256', data, k1.privateKey));
    expect(() => verifySignature({ spki: spkiOf(k1.publicKey), signatureAlgorithmOid: OID.ecdsaWithSha256, data, signature: k1sig })).toThrow(
      UnsupportedAlgorithmError,
    );
    expect(() => verifySignature({ spki: flip(p256Spki), signatureAlgorithmOid: OID.ecdsaWithSha256, data, signature: sig })).toThrow(InvalidKeyError);
  });
});
