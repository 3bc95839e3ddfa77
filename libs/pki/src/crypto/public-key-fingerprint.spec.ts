import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { OID } from './algorithms';
import { canonicalSpki, publicKeyFingerprint } from './public-key-fingerprint';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function spkiOf(pem: string): Uint8Array {
  return new Uint8Array(createPublicKey(pem).export({ type: 'spki', format: 'der' }));
}

/** The same SPKI with another algorithm identifier (or another key BIT STRING). */
function variant(spki: Uint8Array, algorithm: AlgorithmIdentifier, key?: Uint8Array): Uint8Array {
  const info = AsnConvert.parse(spki, SubjectPublicKeyInfo);
  const bits = key ?? new Uint8Array(info.subjectPublicKey);
  return new Uint8Array(AsnConvert.serialize(new SubjectPublicKeyInfo({ algorithm, subjectPublicKey: bits.slice().buffer })));
}

describe('public key fingerprint', () => {
  it('is SHA-256 of the SPKI DER for the usual uncompressed encodings', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
    expect(publicKeyFingerprint(spki)).toBe(sha256(spki));
    const rsa = new Uint8Array(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }));
    expect(publicKeyFingerprint(rsa)).toBe(sha256(rsa));
  });

  it('names an EC key the same with a compressed point', () => {
    const pem = execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384']).toString();
    const plain = new Uint8Array(execFileSync('openssl', ['pkey', '-pubout', '-outform', 'DER'], { input: pem }));
    const compressed = new Uint8Array(execFileSync('openssl', ['pkey', '-pubout', '-outform', 'DER', '-ec_conv_form', 'compressed'], { input: pem }));
    expect(Buffer.from(compressed).equals(Buffer.from(plain))).toBe(false);
    expect(publicKeyFingerprint(compressed)).toBe(publicKeyFingerprint(plain));
    expect(Buffer.from(canonicalSpki(compressed)).equals(Buffer.from(plain))).toBe(true);
  });

  it('names an SM2 key the same under SM2 own algorithm OID', () => {
    const pem = execFileSync('openssl', ['genpkey', '-algorithm', 'SM2']).toString();
    const spki = spkiOf(createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString());
    const sm2Oid = variant(spki, new AlgorithmIdentifier({ algorithm: OID.sm2PublicKey }));
    expect(publicKeyFingerprint(sm2Oid)).toBe(publicKeyFingerprint(spki));
    expect(publicKeyFingerprint(spki)).toBe(sha256(spki));
  });

  it('names an RSA key the same without the NULL parameters', () => {
    const spki = new Uint8Array(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }));
    const noNull = variant(spki, new AlgorithmIdentifier({ algorithm: OID.rsaEncryption }));
    expect(Buffer.from(noNull).equals(Buffer.from(spki))).toBe(false);
    expect(publicKeyFingerprint(noNull)).toBe(publicKeyFingerprint(spki));
  });

  it('tells different keys apart', () => {
    const a = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }));
    const b = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }));
    expect(publicKeyFingerprint(a)).not.toBe(publicKeyFingerprint(b));
    expect(publicKeyFingerprint(new Uint8Array([1, 2, 3]))).toBe(sha256(new Uint8Array([1, 2, 3])));
  });
});
