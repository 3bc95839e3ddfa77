import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { createECDH, createPublicKey, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sm2 as smCrypto } from 'sm-crypto-v2';
import { InvalidKeyError } from './crypto-errors';
import { decodeEcSignature, encodeEcSignature } from './ec-signature-der';
import {
  SM2_CURVE,
  SM2_IS_NATIVE,
  Sm2PrivateKey,
  decodeSm2Point,
  generateSm2KeyPair,
  sm2PublicKeyFromPrivate,
  sm2Sign,
  sm2Verify,
  sm2ZValue,
  ECDSA_DIGEST,
  Sm2Point,
  ecdsaRouteWorks,
  explicitCurveSpki,
  type Sm2PointValue,
  verifyByEcdsa,
  verifyNative,
  verifyPortable,
} from './sm2';
import { sm2PrivateKeyFromPkcs8, sm2PrivateKeyToPkcs8, sm2PublicKeyFromSpki, sm2PublicKeyToSpki } from './sm2-key-encoding';
import { bigIntToBytes, bytesToBigInt } from './ec-signature-der';
import { invert } from '@noble/curves/abstract/modular.js';
import { sm3 } from './sm3';
import { OID } from './algorithms';
import { describePublicKey } from './public-key-info';
import { verifySignature } from './signature-verifier';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const utf8 = (s: string) => new TextEncoder().encode(s);
const pem = (label: string, der: Uint8Array) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
const N = SM2_CURVE.n;

// GM/T 0003.5-2012 signature example on the recommended curve, ID 1234567812345678.
const KAT = {
  d: '3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8',
  pub: '0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13',
  z: 'b2e14c5c79c6df5b85f4fe7ed8db7a262b9da7e07ccb0ea9f4747b8ccda8a4f3',
  k: 0x59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21n,
  r: 0xf5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3n,
  s: 0xb1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aan,
  msg: 'message digest',
};

describe('SM2 known answers (GM/T 0003.5)', () => {
  it('derives the public key and Z value', () => {
    expect(hex(sm2PublicKeyFromPrivate(fromHex(KAT.d)))).toBe(KAT.pub);
    expect(hex(sm2ZValue(fromHex(KAT.pub)))).toBe(KAT.z);
  });

  it('produces the published signature for the published nonce', () => {
    const key = Sm2PrivateKey.fromBytes(fromHex(KAT.d));
    const sig = key._signWithNonce(utf8(KAT.msg), KAT.k)!;
    expect(decodeEcSignature(sig)).toEqual({ r: KAT.r, s: KAT.s });
    expect(sm2Verify(fromHex(KAT.pub), utf8(KAT.msg), encodeEcSignature(KAT.r, KAT.s))).toBe(true);
    expect(sm2Verify(fromHex(KAT.pub), utf8('message digesT'), encodeEcSignature(KAT.r, KAT.s))).toBe(false);
  });
});

describe('SM2 sign and verify', () => {
  const key = Sm2PrivateKey.generate();
  const data = randomBytes(300);

  it('uses OpenSSL for k·G on this platform', () => {
    expect(SM2_IS_NATIVE).toBe(true);
  });

  it('round-trips and randomises the nonce', () => {
    const a = key.sign(data);
    const b = key.sign(data);
    expect(hex(a)).not.toBe(hex(b));
    expect(sm2Verify(key.publicKey, data, a)).toBe(true);
    expect(sm2Verify(key.publicKey, data, b)).toBe(true);
  });

  it('accepts raw private key bytes and compressed public keys', () => {
    const pair = generateSm2KeyPair();
    expect(pair.privateKey.length).toBe(32);
    expect(pair.publicKey.length).toBe(65);
    const sig = sm2Sign(pair.privateKey, data);
    const compressed = decodeSm2Point(pair.publicKey).toBytes(true);
    expect(sm2Verify(compressed, data, sig)).toBe(true);
  });

  it('rejects tampered data, signature, user ID and the wrong key', () => {
    const sig = key.sign(data);
    const data2 = Uint8Array.from(data);
    data2[7]! ^= 1;
    expect(sm2Verify(key.publicKey, data2, sig)).toBe(false);
    const { r, s } = decodeEcSignature(sig)!;
    expect(sm2Verify(key.publicKey, data, encodeEcSignature(r, (s + 1n) % N))).toBe(false);
    expect(sm2Verify(key.publicKey, data, encodeEcSignature((r + 1n) % N, s))).toBe(false);
    expect(sm2Verify(key.publicKey, data, sig, 'ALICE123@YAHOO.COM')).toBe(false);
    expect(sm2Verify(Sm2PrivateKey.generate().publicKey, data, sig)).toBe(false);
  });

  it('signs under a non-default user ID', () => {
    const sig = key.sign(data, 'ALICE123@YAHOO.COM');
    expect(sm2Verify(key.publicKey, data, sig, 'ALICE123@YAHOO.COM')).toBe(true);
    expect(sm2Verify(key.publicKey, data, sig, utf8('ALICE123@YAHOO.COM'))).toBe(true);
    expect(sm2Verify(key.publicKey, data, sig)).toBe(false);
  });

  it('returns false for malformed or out-of-range signatures', () => {
    const sig = key.sign(data);
    const { r, s } = decodeEcSignature(sig)!;
    const bad: Uint8Array[] = [
      new Uint8Array(0),
      sig.subarray(0, sig.length - 1),
      Uint8Array.from([...sig, 0]), // trailing byte
      encodeEcSignature(r, N), // s = n
      encodeEcSignature(r + N, s), // r ≥ n
      encodeEcSignature(N - s, s), // r + s = n → t = 0
      Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01), // r = 0
      Uint8Array.of(0x30, 0x81, ...sig.subarray(1)), // non-minimal length
      randomBytes(72),
    ];
    for (const b of bad) expect(sm2Verify(key.publicKey, data, b)).toBe(false);
  });

  it('native and portable verification agree on valid and invalid signatures', () => {
    const ecdh = createECDH('SM2');
    const P = decodeSm2Point(key.publicKey);
    for (let i = 0; i < 40; i++) {
      const msg = randomBytes(i);
      const e = bytesToBigInt(sm3(sm2ZValue(key.publicKey), msg));
      const { r, s } = decodeEcSignature(key.sign(msg))!;
      expect(verifyNative(ecdh, P, e, r, s)).toBe(true);
      expect(verifyPortable(P, e, r, s)).toBe(true);
      const s2 = i % 2 ? s : bytesToBigInt(randomBytes(32)) % N;
      const r2 = i % 2 ? bytesToBigInt(randomBytes(32)) % N : r;
      expect(verifyNative(ecdh, P, e, r2, s2)).toBe(false);
      expect(verifyPortable(P, e, r2, s2)).toBe(false);
    }
  });

  it.skipIf(!SM2_IS_NATIVE)('the ECDSA route agrees with the textbook computation on valid and invalid signatures', () => {
    const ecdh = createECDH('SM2');
    for (let i = 0; i < 60; i++) {
      const signer = i % 3 ? key : Sm2PrivateKey.generate();
      const P = decodeSm2Point(signer.publicKey);
      const msg = randomBytes(i);
      const e = bytesToBigInt(sm3(sm2ZValue(signer.publicKey), msg));
      const { r, s } = decodeEcSignature(signer.sign(msg))!;
      expect(verifyByEcdsa(ecdh, P, e, r, s)).toBe(true);
      const cases: [bigint, bigint, bigint][] = [
        [(e + 1n) % N, r, s], // another message
        [e, r, (s + 1n) % N],
        [e, (r + 1n) % N, s],
        [e, bytesToBigInt(randomBytes(32)) % N, bytesToBigInt(randomBytes(32)) % N],
        [e, N - r, s], // r replaced by n − r
      ];
      for (const [e2, r2, s2] of cases) {
        expect(verifyByEcdsa(ecdh, P, e2, r2, s2)).toBe(verifyPortable(P, e2, r2, s2));
      }
      expect(verifyByEcdsa(ecdh, decodeSm2Point(Sm2PrivateKey.generate().publicKey), e, r, s)).toBe(false);
    }
  });

  it.skipIf(!SM2_IS_NATIVE)('leaves to the ECDH route what ECDSA cannot express, and still rejects those signatures', () => {
    const ecdh = createECDH('SM2');
    const P = decodeSm2Point(key.publicKey);
    const e = bytesToBigInt(sm3(sm2ZValue(key.publicKey), data));
    const s = bytesToBigInt(randomBytes(31)) + 1n;
    // r′ = r − e = 0: ECDSA has no r′ = 0.
    expect(verifyByEcdsa(ecdh, P, e, e, s)).toBeUndefined();
    expect(sm2Verify(key.publicKey, data, encodeEcSignature(e, s))).toBe(false);
    // G′ = G (c = 1): OpenSSL would take the key as an SM2 key and hash with an empty user ID.
    const rPrime = bytesToBigInt(randomBytes(31)) + 1n;
    const r = (e + rPrime) % N;
    const sForOne = (((ECDSA_DIGEST * r) % N) * invert((rPrime - ECDSA_DIGEST + N) % N, N)) % N;
    expect(verifyByEcdsa(ecdh, P, e, r, sForOne)).toBeUndefined();
    expect(sm2Verify(key.publicKey, data, encodeEcSignature(r, sForOne))).toBe(false);
    // Out of range and t = 0 are refused before either route.
    expect(verifyByEcdsa(ecdh, P, e, N, s)).toBe(false);
    expect(verifyByEcdsa(ecdh, P, e, r, 0n)).toBe(false);
    expect(verifyByEcdsa(ecdh, P, e, r, N - r)).toBe(false);
  });

  describe('the ECDSA route on constructed keys', () => {
    // forge(): for a target point R, a digest e and s, the key P and r with s·G + t·P = R, so SM2
    // accepts (r, s) for (P, e) exactly because x(R) ≡ r − e. No private key is needed.
    const G = Sm2Point.BASE;
    const mod = (a: bigint) => ((a % N) + N) % N;
    const scalar = () => mod(bytesToBigInt(randomBytes(40))) || 1n;
    const forge = (R: Sm2PointValue, e: bigint, s: bigint, r = mod(e + R.toAffine().x)) => ({ P: R.subtract(G.multiply(s)).multiply(invert(mod(r + s), N)), r });
    const pointWithX = (x: bigint): Sm2PointValue | undefined => {
      for (const prefix of [2, 3]) {
        try {
          const p = Sm2Point.fromBytes(Uint8Array.of(prefix, ...bigIntToBytes(x, 32)));
          p.assertValidity();
          return p;
        } catch {
          // no point with this x and parity
        }
      }
      return undefined;
    };

    it.skipIf(!SM2_IS_NATIVE)('is the route sm2Verify takes on this OpenSSL', () => {
      expect(ecdsaRouteWorks()).toBe(true);
    });

    it.skipIf(!SM2_IS_NATIVE)('with G′ = G OpenSSL takes the curve for SM2 and the key is no plain EC key (why c = 1 is left out)', () => {
      expect(createPublicKey({ key: explicitCurveSpki(G.toBytes(false), key.publicKey), format: 'der', type: 'spki' }).asymmetricKeyType).not.toBe('ec');
      expect(createPublicKey({ key: explicitCurveSpki(G.multiply(2n).toBytes(false), key.publicKey), format: 'der', type: 'spki' }).asymmetricKeyType).toBe('ec');
    });

    it.skipIf(!SM2_IS_NATIVE)('decides x(R) ≥ n, e ≥ n and R = infinity as the textbook does', () => {
      const ecdh = createECDH('SM2');
      let R: Sm2PointValue | undefined;
      while (!R) R = pointWithX(N + 1n + (bytesToBigInt(randomBytes(16)) % (SM2_CURVE.p - N - 1n)));
      for (const e of [bytesToBigInt(randomBytes(32)), N, (1n << 256n) - 1n]) {
        const s = scalar();
        const { P, r } = forge(R, e, s);
        expect([verifyByEcdsa(ecdh, P, e, r, s), verifyPortable(P, e, r, s)]).toEqual([true, true]);
        expect(verifyByEcdsa(ecdh, P, e - 1n, r, s)).toBe(false);
      }
      const [r, s] = [scalar(), scalar()];
      const P = G.multiply(mod(-s * invert(mod(r + s), N))); // s·G + t·P = O
      expect([verifyByEcdsa(ecdh, P, 1n, r, s), verifyPortable(P, 1n, r, s)]).toEqual([false, false]);
    });

    it.skipIf(!SM2_IS_NATIVE)('leaves valid signatures it cannot express to the ECDH route, which accepts them', () => {
      const ecdh = createECDH('SM2');
      // r′ = 0: the SM2 curve has points with x = 0.
      const R0 = pointWithX(0n)!;
      for (const R of [R0, R0.negate()]) {
        const e = bytesToBigInt(randomBytes(32));
        const s = scalar();
        const { P, r } = forge(R, e, s);
        expect(verifyByEcdsa(ecdh, P, e, r, s)).toBeUndefined();
        expect(verifyNative(ecdh, P, e, r, s)).toBe(true);
        expect(verifyPortable(P, e, r, s)).toBe(true);
      }
      // c = 1.
      const R = G.multiply(scalar());
      const rPrime = mod(R.toAffine().x);
      const e = bytesToBigInt(randomBytes(32));
      const r = mod(e + rPrime);
      const s = mod(ECDSA_DIGEST * r * invert(mod(rPrime - ECDSA_DIGEST), N));
      const { P } = forge(R, e, s, r);
      expect(verifyByEcdsa(ecdh, P, e, r, s)).toBeUndefined();
      expect(verifyNative(ecdh, P, e, r, s)).toBe(true);
    });
  });

  it('rejects invalid keys', () => {
    const n = (v: bigint) => fromHex(v.toString(16).padStart(64, '0'));
    expect(() => Sm2PrivateKey.fromBytes(n(0n))).toThrow(InvalidKeyError);
    expect(() => Sm2PrivateKey.fromBytes(n(N - 1n))).toThrow(InvalidKeyError);
    expect(() => Sm2PrivateKey.fromBytes(n(N))).toThrow(InvalidKeyError);
    expect(() => Sm2PrivateKey.fromBytes(randomBytes(31))).toThrow(InvalidKeyError);
    expect(() => Sm2PrivateKey.fromBytes(fromHex(KAT.d), Sm2PrivateKey.generate().publicKey)).toThrow(/does not belong/);
    const offCurve = Uint8Array.from(key.publicKey);
    offCurve[64]! ^= 1;
    expect(() => sm2Verify(offCurve, data, key.sign(data))).toThrow(InvalidKeyError);
  });

  it('never shows the private scalar', () => {
    const d = fromHex(KAT.d);
    const k = Sm2PrivateKey.fromBytes(d);
    for (const text of [JSON.stringify(k), inspect(k, { showHidden: true, depth: 5 }), String(k), JSON.stringify({ k })]) {
      expect(text).not.toContain(KAT.d);
      expect(text).toContain(KAT.pub.slice(2, 20));
    }
  });
});

describe('SM2 against sm-crypto-v2 (independent implementation)', () => {
  it('sm-crypto-v2 verifies our signatures', () => {
    for (let i = 0; i < 10; i++) {
      const key = Sm2PrivateKey.generate();
      const msg = randomBytes(1 + i * 13);
      const userId = i % 2 ? 'ALICE123@YAHOO.COM' : '1234567812345678';
      const sig = key.sign(msg, userId);
      expect(smCrypto.doVerifySignature(msg, hex(sig), hex(key.publicKey), { der: true, hash: true, userId })).toBe(true);
      expect(smCrypto.doVerifySignature(randomBytes(8), hex(sig), hex(key.publicKey), { der: true, hash: true, userId })).toBe(false);
    }
  });

  it('we verify sm-crypto-v2 signatures and derive the same keys', () => {
    for (let i = 0; i < 10; i++) {
      const pair = smCrypto.generateKeyPairHex();
      expect(hex(sm2PublicKeyFromPrivate(fromHex(pair.privateKey.padStart(64, '0'))))).toBe(pair.publicKey);
      const msg = randomBytes(1 + i * 17);
      const userId = i % 2 ? 'ALICE123@YAHOO.COM' : '1234567812345678';
      const sig = fromHex(smCrypto.doSignature(msg, pair.privateKey, { der: true, hash: true, userId, publicKey: pair.publicKey }));
      expect(sm2Verify(fromHex(pair.publicKey), msg, sig, userId)).toBe(true);
      msg[0]! ^= 0x80;
      expect(sm2Verify(fromHex(pair.publicKey), msg, sig, userId)).toBe(false);
    }
  });
});

describe('SM2 against OpenSSL 3', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecert-sm2-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (name: string) => join(dir, name);
  const opensslVerify = (pub: string, sig: string, data: string, id = '1234567812345678') =>
    spawnSync('openssl', ['dgst', '-sm3', '-sigopt', `distid:${id}`, '-verify', pub, '-signature', sig, data], { encoding: 'utf8' });

  it('OpenSSL reads our PKCS#8 and SPKI and verifies our signatures', () => {
    const key = Sm2PrivateKey.generate();
    writeFileSync(file('key.pem'), pem('PRIVATE KEY', sm2PrivateKeyToPkcs8(key)));
    writeFileSync(file('pub.pem'), pem('PUBLIC KEY', sm2PublicKeyToSpki(key.publicKey)));
    const text = execFileSync('openssl', ['pkey', '-in', file('key.pem'), '-text', '-noout'], { encoding: 'utf8' });
    expect(text).toMatch(/ASN1 OID: SM2/);
    expect(text.replace(/[\s:]/g, '')).toContain(hex(key.publicKey));
    // OpenSSL derives the same public key from our private key
    const derivedPub = execFileSync('openssl', ['pkey', '-in', file('key.pem'), '-pubout', '-outform', 'DER']);
    expect(hex(derivedPub)).toBe(hex(sm2PublicKeyToSpki(key.publicKey)));

    const data = randomBytes(1000);
    writeFileSync(file('data.bin'), data);
    writeFileSync(file('sig.der'), key.sign(data));
    const ok = opensslVerify(file('pub.pem'), file('sig.der'), file('data.bin'));
    expect(ok.stdout).toContain('Verified OK');
    expect(ok.status).toBe(0);

    writeFileSync(file('sig-alice.der'), key.sign(data, 'ALICE123@YAHOO.COM'));
    expect(opensslVerify(file('pub.pem'), file('sig-alice.der'), file('data.bin'), 'ALICE123@YAHOO.COM').status).toBe(0);
    expect(opensslVerify(file('pub.pem'), file('sig-alice.der'), file('data.bin')).status).not.toBe(0);

    data[0]! ^= 1;
    writeFileSync(file('data.bin'), data);
    const bad = opensslVerify(file('pub.pem'), file('sig.der'), file('data.bin'));
    expect(bad.stdout).toContain('Verification failure');
    expect(bad.status).not.toBe(0);
  });

  it('we read OpenSSL keys and verify OpenSSL signatures', () => {
    execFileSync('openssl', ['genpkey', '-algorithm', 'SM2', '-out', file('ossl-key.pem')]);
    execFileSync('openssl', ['pkey', '-in', file('ossl-key.pem'), '-pubout', '-outform', 'DER', '-out', file('ossl-pub.der')]);
    const data = randomBytes(513);
    writeFileSync(file('odata.bin'), data);
    execFileSync('openssl', ['dgst', '-sm3', '-sign', file('ossl-key.pem'), '-sigopt', 'distid:1234567812345678', '-out', file('osig.der'), file('odata.bin')]);

    const spki = readFileSync(file('ossl-pub.der'));
    const pub = sm2PublicKeyFromSpki(spki);
    const sig = readFileSync(file('osig.der'));
    expect(sm2Verify(pub, data, sig)).toBe(true);
    expect(describePublicKey(spki).algorithm).toBe('SM2');
    expect(verifySignature({ spki, signatureAlgorithmOid: OID.sm2WithSm3, data, signature: sig })).toBe(true);
    data[100]! ^= 4;
    expect(sm2Verify(pub, data, sig)).toBe(false);

    // genpkey writes PKCS#8 PEM (`pkey -outform DER` would write SEC1 instead)
    const pkcs8 = Buffer.from(readFileSync(file('ossl-key.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const priv = sm2PrivateKeyFromPkcs8(pkcs8);
    expect(hex(priv.publicKey)).toBe(hex(pub));
    // …and our re-encoding of OpenSSL's key is byte-identical to OpenSSL's own
    expect(hex(sm2PrivateKeyToPkcs8(priv))).toBe(hex(pkcs8));
  });

  it('OpenSSL signatures made without the standard ID do not verify (the Node crypto.sign pitfall)', () => {
    execFileSync('openssl', ['genpkey', '-algorithm', 'SM2', '-out', file('k2.pem')]);
    execFileSync('openssl', ['pkey', '-in', file('k2.pem'), '-pubout', '-outform', 'DER', '-out', file('k2.der')]);
    writeFileSync(file('d2.bin'), 'hello');
    execFileSync('openssl', ['dgst', '-sm3', '-sign', file('k2.pem'), '-out', file('s2.der'), file('d2.bin')]);
    const pub = sm2PublicKeyFromSpki(readFileSync(file('k2.der')));
    expect(sm2Verify(pub, utf8('hello'), readFileSync(file('s2.der')))).toBe(false);
    expect(sm2Verify(pub, utf8('hello'), readFileSync(file('s2.der')), new Uint8Array(0))).toBe(true);
  });
});

describe('SM2 key encodings', () => {
  it('round-trips SPKI and PKCS#8 and rejects mismatches', () => {
    const key = Sm2PrivateKey.generate();
    const spki = sm2PublicKeyToSpki(key.publicKey);
    expect(hex(sm2PublicKeyFromSpki(spki))).toBe(hex(key.publicKey));
    expect(hex(sm2PublicKeyToSpki(decodeSm2Point(key.publicKey).toBytes(true)))).toBe(hex(spki));
    const back = sm2PrivateKeyFromPkcs8(sm2PrivateKeyToPkcs8(key));
    expect(hex(back.publicKey)).toBe(hex(key.publicKey));
    expect(sm2Verify(key.publicKey, utf8('x'), back.sign(utf8('x')))).toBe(true);

    // A PKCS#8 whose embedded public key belongs to another key is refused.
    const other = Sm2PrivateKey.generate();
    const tampered = Buffer.from(sm2PrivateKeyToPkcs8(key));
    const at = tampered.indexOf(Buffer.from(key.publicKey));
    Buffer.from(other.publicKey).copy(tampered, at);
    expect(() => sm2PrivateKeyFromPkcs8(tampered)).toThrow(InvalidKeyError);
    expect(() => sm2PublicKeyFromSpki(randomBytes(91))).toThrow(InvalidKeyError);
  });
});
