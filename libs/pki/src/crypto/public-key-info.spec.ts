import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { RSAPublicKey } from '@peculiar/asn1-rsa';
import { OID } from './algorithms';
import { InvalidKeyError, UnacceptableKeyError } from './crypto-errors';
import { assertAcceptableSubscriberKey, describePublicKey, nodeKeyOf } from './public-key-info';
import { Sm2PrivateKey } from './sm2';
import { sm2PublicKeyToSpki } from './sm2-key-encoding';

const spkiOf = (k: KeyObject) => new Uint8Array(k.export({ type: 'spki', format: 'der' }));
const ec = (namedCurve: string) => spkiOf(generateKeyPairSync('ec', { namedCurve }).publicKey);
const rsa = (modulusLength: number) => spkiOf(generateKeyPairSync('rsa', { modulusLength }).publicKey);

/** An RSA SPKI with the modulus of a real key but a chosen exponent. */
function rsaWithExponent(e: number): Uint8Array {
  const real = AsnConvert.parse(rsa(2048), SubjectPublicKeyInfo);
  const pub = AsnConvert.parse(real.subjectPublicKey, RSAPublicKey);
  let h = e.toString(16);
  if (h.length % 2) h = '0' + h;
  if (parseInt(h.slice(0, 2), 16) & 0x80) h = '00' + h; // minimal positive INTEGER
  pub.publicExponent = new Uint8Array(Buffer.from(h, 'hex')).buffer;
  real.subjectPublicKey = AsnConvert.serialize(pub);
  return new Uint8Array(AsnConvert.serialize(real));
}

describe('describePublicKey', () => {
  it('describes the ecert algorithms', () => {
    const sm2 = describePublicKey(sm2PublicKeyToSpki(Sm2PrivateKey.generate().publicKey));
    expect(sm2).toMatchObject({ algorithm: 'SM2', family: 'sm2', bits: 256, algorithmOid: OID.ecPublicKey, curveOid: OID.sm2PublicKey });
    expect(sm2.publicPoint?.length).toBe(65);
    expect(describePublicKey(ec('P-256'))).toMatchObject({ algorithm: 'EC-P256', family: 'ecdsa', bits: 256, curveOid: OID.prime256v1 });
    expect(describePublicKey(ec('P-384'))).toMatchObject({ algorithm: 'EC-P384', family: 'ecdsa', bits: 384, curveOid: OID.secp384r1 });
    expect(describePublicKey(rsa(2048))).toMatchObject({ algorithm: 'RSA-2048', family: 'rsa', bits: 2048, publicExponent: 65537n });
    expect(describePublicKey(rsa(3072))).toMatchObject({ algorithm: 'RSA-3072', bits: 3072 });
  });

  it('describes keys ecert does not use', () => {
    expect(describePublicKey(rsa(1024))).toMatchObject({ algorithm: undefined, family: 'rsa', label: 'RSA-1024', bits: 1024 });
    expect(describePublicKey(rsa(2560))).toMatchObject({ algorithm: undefined, family: 'rsa', label: 'RSA-2560' });
    expect(describePublicKey(ec('secp256k1'))).toMatchObject({ algorithm: undefined, family: 'ecdsa', label: 'EC secp256k1' });
    expect(describePublicKey(ec('P-521'))).toMatchObject({ algorithm: undefined, label: 'EC P-521', bits: 521 });
    expect(describePublicKey(spkiOf(generateKeyPairSync('ed25519').publicKey))).toMatchObject({ family: undefined, label: 'Ed25519' });
  });

  it('reads the legacy SM2 algorithm OID', () => {
    const info = AsnConvert.parse(sm2PublicKeyToSpki(Sm2PrivateKey.generate().publicKey), SubjectPublicKeyInfo);
    info.algorithm = new AlgorithmIdentifier({ algorithm: OID.sm2PublicKey });
    const legacy = new Uint8Array(AsnConvert.serialize(info));
    expect(describePublicKey(legacy)).toMatchObject({ algorithm: 'SM2', algorithmOid: OID.sm2PublicKey });
  });

  it('throws InvalidKeyError for broken keys', () => {
    const good = ec('P-256');
    expect(() => describePublicKey(Uint8Array.from([...good, 0]))).toThrow(InvalidKeyError); // trailing byte
    expect(() => describePublicKey(good.subarray(0, 40))).toThrow(InvalidKeyError);
    const offCurve = Uint8Array.from(good);
    offCurve[offCurve.length - 1]! ^= 1;
    expect(() => describePublicKey(offCurve)).toThrow(/invalid EC P-256 public key/);
    const sm2 = Uint8Array.from(sm2PublicKeyToSpki(Sm2PrivateKey.generate().publicKey));
    sm2[sm2.length - 1]! ^= 1;
    expect(() => describePublicKey(sm2)).toThrow(/not a valid SM2 public key/);
  });
});

describe('one key, one encoding (the fingerprint of the compromised-key check hashes what was sent)', () => {
  const der = (tag: number, content: Uint8Array, longLength = false) =>
    Uint8Array.from([tag, ...(longLength ? [0x83, content.length >> 16, (content.length >> 8) & 0xff, content.length & 0xff] : content.length < 128 ? [content.length] : content.length < 256 ? [0x81, content.length] : [0x82, content.length >> 8, content.length & 0xff]), ...content]);
  const seq = (...parts: Uint8Array[]) => der(0x30, Uint8Array.from(parts.flatMap((p) => [...p])));
  const rsaParts = () => {
    const pub = AsnConvert.parse(AsnConvert.parse(rsa(2048), SubjectPublicKeyInfo).subjectPublicKey, RSAPublicKey);
    return { n: new Uint8Array(pub.modulus), e: new Uint8Array(pub.publicExponent) };
  };
  const rsaSpki = (keyBits: Uint8Array, params: Uint8Array | undefined = Uint8Array.of(5, 0)) =>
    seq(seq(der(0x06, Uint8Array.from(Buffer.from('2a864886f70d010101', 'hex'))), ...(params ? [params] : [])), der(0x03, Uint8Array.from([0, ...keyBits])));

  it('an RSA key whose RSAPublicKey is not strict DER is refused (OpenSSL would take it under another fingerprint)', () => {
    const { n, e } = rsaParts();
    const minimal = rsaSpki(seq(der(0x02, n), der(0x02, e)));
    expect(describePublicKey(minimal)).toMatchObject({ algorithm: 'RSA-2048' });
    expect(() => describePublicKey(rsaSpki(seq(der(0x02, n, true), der(0x02, e))))).toThrow(InvalidKeyError); // non-minimal length
    expect(() => describePublicKey(rsaSpki(der(0x30, Uint8Array.from([...der(0x02, n), ...der(0x02, e)]), true)))).toThrow(InvalidKeyError);
    expect(() => describePublicKey(rsaSpki(seq(der(0x02, Uint8Array.from([0, ...n])), der(0x02, e))))).toThrow(/not a minimal DER INTEGER/); // n is 00-prefixed already
    expect(() => describePublicKey(rsaSpki(seq(der(0x02, n), der(0x02, e), der(0x05, new Uint8Array()))))).toThrow(InvalidKeyError); // trailing field
  });

  it('rsaEncryption takes NULL or no parameters; the legacy SM2 OID no parameters, NULL or its curve; implicitCurve only as NULL', () => {
    const { n, e } = rsaParts();
    const bits = seq(der(0x02, n), der(0x02, e));
    expect(describePublicKey(rsaSpki(bits, undefined))).toMatchObject({ algorithm: 'RSA-2048' });
    expect(() => describePublicKey(rsaSpki(bits, Uint8Array.of(4, 1, 0)))).toThrow(/rsaEncryption parameters must be NULL/);
    const sm2 = AsnConvert.parse(sm2PublicKeyToSpki(Sm2PrivateKey.generate().publicKey), SubjectPublicKeyInfo);
    const legacy = (parameters?: Uint8Array) => {
      sm2.algorithm = new AlgorithmIdentifier({ algorithm: OID.sm2PublicKey, ...(parameters ? { parameters: parameters.slice().buffer } : {}) });
      return new Uint8Array(AsnConvert.serialize(sm2));
    };
    expect(describePublicKey(legacy(Uint8Array.of(5, 0)))).toMatchObject({ algorithm: 'SM2' });
    expect(describePublicKey(legacy(Uint8Array.from(Buffer.from('06082a811ccf5501822d', 'hex'))))).toMatchObject({ algorithm: 'SM2' });
    expect(() => describePublicKey(legacy(Uint8Array.of(4, 1, 0)))).toThrow(/unexpected algorithm parameters/);
    expect(() => describePublicKey(legacy(Uint8Array.from(Buffer.from('06082a8648ce3d030107', 'hex'))))).toThrow(/unexpected algorithm parameters/); // P-256's OID
    const p256 = ec('P-256');
    const implicit = Uint8Array.from([...p256]);
    // 30 59 30 13 06 07 <ecPublicKey> 06 08 <prime256v1> 03 42 ...: swap the curve OID for NULL with content.
    const head = Buffer.from(p256).indexOf(Buffer.from('06082a8648ce3d030107', 'hex'));
    const withNull = (nullElement: number[]) => {
      const algorithm = [...implicit.subarray(4, head), ...nullElement];
      const key = [...implicit.subarray(head + 10)];
      return seq(der(0x30, Uint8Array.from(algorithm)), Uint8Array.from(key));
    };
    expect(describePublicKey(withNull([5, 0]))).toMatchObject({ label: 'EC (explicit curve parameters)' });
    expect(() => describePublicKey(withNull([5, 2, 0, 0]))).toThrow(/undecodable EC parameters/);
  });
});

describe('assertAcceptableSubscriberKey', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecert-pki-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts SM2, P-256, P-384 and RSA ≥ 2048', () => {
    expect(assertAcceptableSubscriberKey(sm2PublicKeyToSpki(Sm2PrivateKey.generate().publicKey)).algorithm).toBe('SM2');
    expect(assertAcceptableSubscriberKey(ec('P-256')).algorithm).toBe('EC-P256');
    expect(assertAcceptableSubscriberKey(ec('P-384')).algorithm).toBe('EC-P384');
    expect(assertAcceptableSubscriberKey(rsa(2048)).algorithm).toBe('RSA-2048');
    expect(assertAcceptableSubscriberKey(rsa(2560)).label).toBe('RSA-2560');
    expect(assertAcceptableSubscriberKey(rsaWithExponent(3)).publicExponent).toBe(3n);
  });

  it('refuses with a reason', () => {
    const refuse = (spki: Uint8Array, msg: RegExp) => {
      expect(() => assertAcceptableSubscriberKey(spki)).toThrow(UnacceptableKeyError);
      expect(() => assertAcceptableSubscriberKey(spki)).toThrow(msg);
    };
    refuse(rsa(1024), /^RSA-1024 is below the 2048-bit minimum$/);
    refuse(ec('secp256k1'), /EC secp256k1 is not an accepted curve/);
    refuse(ec('P-521'), /EC P-521 is not an accepted curve/);
    refuse(spkiOf(generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 }).publicKey), /^DSA keys are not accepted/);
    refuse(spkiOf(generateKeyPairSync('ed25519').publicKey), /^Ed25519 keys are not accepted/);
    refuse(
      spkiOf(generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256' }).publicKey),
      /RSASSA-PSS-restricted/,
    );
    refuse(rsaWithExponent(65536), /exponent 65536 is not an odd number/);
    refuse(rsaWithExponent(1), /exponent 1 is not an odd number/);

    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-pkeyopt', 'ec_param_enc:explicit', '-out', join(dir, 'x.pem')]);
    execFileSync('openssl', ['pkey', '-in', join(dir, 'x.pem'), '-pubout', '-outform', 'DER', '-out', join(dir, 'x.der')]);
    refuse(readFileSync(join(dir, 'x.der')), /explicit curve parameters/);
  });
});

describe('the OpenSSL key kept from describing a key (built from its numbers)', () => {
  const derAccepts = (spki: Uint8Array) => {
    try {
      createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      return true;
    } catch {
      return false;
    }
  };
  const describes = (spki: Uint8Array) => {
    try {
      describePublicKey(spki);
      return true;
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidKeyError);
      return false;
    }
  };

  it.each(['P-256', 'P-384', 'P-521', 'secp256k1'])('accepts exactly the %s points the DER import accepts', (curve) => {
    for (let i = 0; i < 30; i++) {
      const spki = ec(curve);
      const pointStart = spki.length - (curve === 'P-521' ? 133 : curve === 'P-384' ? 97 : 65);
      const mutated = Uint8Array.from(spki);
      // One flipped byte of x or y (almost always off the curve), or a coordinate of all ones (≥ p).
      if (i % 3 === 2) mutated.fill(0xff, pointStart + 1, pointStart + 1 + (mutated.length - pointStart - 1) / 2);
      else mutated[pointStart + 1 + ((i * 7) % (mutated.length - pointStart - 1))]! ^= 1 << i % 8;
      for (const candidate of [spki, mutated]) expect(describes(candidate)).toBe(derAccepts(candidate));
    }
  });

  it('verifies signatures with the key it kept, EC and RSA alike', () => {
    const data = randomBytes(100);
    const pairs = [
      generateKeyPairSync('ec', { namedCurve: 'P-256' }),
      generateKeyPairSync('ec', { namedCurve: 'P-384' }),
      generateKeyPairSync('ec', { namedCurve: 'P-521' }),
      generateKeyPairSync('ec', { namedCurve: 'secp256k1' }),
      generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ];
    for (const pair of pairs) {
      const spki = spkiOf(pair.publicKey);
      const key = nodeKeyOf(describePublicKey(spki), spki)!;
      expect(key.export({ type: 'spki', format: 'der' }).equals(Buffer.from(spki))).toBe(true);
      expect(verify('sha256', data, key, sign('sha256', data, pair.privateKey))).toBe(true);
      expect(verify('sha256', randomBytes(100), key, sign('sha256', data, pair.privateKey))).toBe(false);
    }
  });

  it('keeps an RSASSA-PSS key restricted (from its SPKI, not from n and e)', () => {
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256' });
    const spki = spkiOf(pss.publicKey);
    const key = nodeKeyOf(describePublicKey(spki), spki)!;
    expect(key.asymmetricKeyType).toBe('rsa-pss');
    expect(key.asymmetricKeyDetails).toMatchObject({ hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256' });
  });
});
