import { createECDH, createHash, createPublicKey, getCurves, randomBytes, verify, type ECDH } from 'node:crypto';
import { inspect } from 'node:util';
import { weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { invert } from '@noble/curves/abstract/modular.js';
import { derBitString, derOctetString, derOid, derSequence, derUnsignedInteger } from '../der/der-writer';
import { SM2_DEFAULT_USER_ID } from './algorithms';
import { InvalidKeyError } from './crypto-errors';
import { bigIntToBytes, bytesToBigInt, decodeEcSignature, encodeEcSignature } from './ec-signature-der';
import { sm3 } from './sm3';

/**
 * SM2 digital signatures (GB/T 32918.2 = GM/T 0003.2) on the recommended curve (GM/T 0003.5).
 *
 * Signing needs one scalar multiplication k·G. OpenSSL does that natively and reaches the SM2
 * curve through `createECDH('SM2')` (setPrivateKey(k) computes k·G); Node's `crypto.sign` cannot be
 * used because it hashes with an empty signer ID instead of 1234567812345678. The rest is a few
 * BigInt operations mod n. Verification needs x(s·G + t·P): OpenSSL computes it as an ECDSA
 * verification on the SM2 curve with a scaled generator (see `verifyByEcdsa`).
 */

export const SM2_CURVE = {
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
} as const;

const { n: N } = SM2_CURVE;

/** @noble/curves point type for the SM2 curve (validation, point addition, fallback arithmetic). */
export const Sm2Point = weierstrass({ ...SM2_CURVE, h: 1n });
export type Sm2PointValue = InstanceType<typeof Sm2Point>;
type Point = Sm2PointValue;

/** True when OpenSSL does k·G; otherwise @noble/curves does (about half the signing rate). */
export const SM2_IS_NATIVE: boolean = getCurves().includes('SM2');
/** One shared instance: all use is synchronous, so calls never interleave. */
const nativeEcdh: ECDH | undefined = SM2_IS_NATIVE ? createECDH('SM2') : undefined;

/** Z's curve part (a || b || xG || yG) never changes. */
const CURVE_BYTES = concat(
  bigIntToBytes(SM2_CURVE.a, 32),
  bigIntToBytes(SM2_CURVE.b, 32),
  bigIntToBytes(SM2_CURVE.Gx, 32),
  bigIntToBytes(SM2_CURVE.Gy, 32),
);
const DEFAULT_USER_ID_BYTES = new TextEncoder().encode(SM2_DEFAULT_USER_ID);

export type Sm2UserId = string | Uint8Array;

export interface Sm2KeyPair {
  /** 32-byte big-endian scalar d, 1 ≤ d ≤ n−2. */
  readonly privateKey: Uint8Array;
  /** 65-byte uncompressed point 04 || x || y. */
  readonly publicKey: Uint8Array;
}

export function generateSm2KeyPair(): Sm2KeyPair {
  // d = n−1 is excluded by the standard: signing divides by 1 + d.
  const d = randomScalar(N - 2n);
  return { privateKey: bigIntToBytes(d, 32), publicKey: baseMultiply(d) };
}

/** The uncompressed public point of a private scalar. */
export function sm2PublicKeyFromPrivate(privateKey: Uint8Array): Uint8Array {
  return baseMultiply(privateKeyScalar(privateKey));
}

/**
 * Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA), the signer-binding prefix of the signed
 * hash. `userId` strings are UTF-8; the default is the GM/T 0009 ID 1234567812345678.
 */
export function sm2ZValue(publicKey: Uint8Array, userId: Sm2UserId = SM2_DEFAULT_USER_ID): Uint8Array {
  return zValue(decodeSm2Point(publicKey), userId);
}

function zValue(point: Point, userId: Sm2UserId): Uint8Array {
  const id = userIdBytes(userId);
  const bits = id.length * 8;
  return sm3(
    Uint8Array.of(bits >> 8, bits & 0xff),
    id,
    CURVE_BYTES,
    bigIntToBytes(point.x, 32),
    bigIntToBytes(point.y, 32),
  );
}

/**
 * An SM2 private key ready for fast repeated signing: the public key, Z for each user ID used
 * and (1 + d)⁻¹ are computed once. Its scalar is held in a private field and shows up neither in
 * JSON nor in `util.inspect`.
 */
export class Sm2PrivateKey {
  readonly #d: bigint;
  /** (1 + d)⁻¹ mod n: s = (1 + d)⁻¹·(k + r) − r needs one multiplication per signature. */
  readonly #inv1d: bigint;
  readonly #z = new Map<string, Uint8Array>();
  /** 65-byte uncompressed public point. */
  readonly publicKey: Uint8Array;

  private constructor(d: bigint, publicKey?: Uint8Array) {
    this.#d = d;
    this.#inv1d = invert(1n + d, N);
    const derived = baseMultiply(d);
    if (publicKey && !equalBytes(decodeSm2Point(publicKey).toBytes(false), derived)) {
      throw new InvalidKeyError('SM2 public key does not belong to the private key');
    }
    this.publicKey = derived;
  }

  /** `publicKey`, when given (e.g. from PKCS#8), is checked against the private scalar. */
  static fromBytes(privateKey: Uint8Array, publicKey?: Uint8Array): Sm2PrivateKey {
    return new Sm2PrivateKey(privateKeyScalar(privateKey), publicKey);
  }

  static generate(): Sm2PrivateKey {
    return new Sm2PrivateKey(randomScalar(N - 2n));
  }

  /** DER SEQUENCE{r, s} over SM3(Z || data); a fresh CSPRNG nonce each call. */
  sign(data: Uint8Array, userId: Sm2UserId = SM2_DEFAULT_USER_ID): Uint8Array {
    const e = this.#digest(data, userId);
    for (;;) {
      const sig = this.#signDigest(e, randomScalar(N - 1n));
      if (sig) return sig;
    }
  }

  /** The 32-byte scalar, for the key stores' encrypted PKCS#8 only. */
  exportPrivateScalar(): Uint8Array {
    return bigIntToBytes(this.#d, 32);
  }

  /** @internal Known-answer tests only: a caller-chosen k is how SM2 keys get leaked. */
  _signWithNonce(data: Uint8Array, k: bigint, userId: Sm2UserId = SM2_DEFAULT_USER_ID): Uint8Array | undefined {
    if (k < 1n || k >= N) throw new RangeError('k out of range');
    return this.#signDigest(this.#digest(data, userId), k);
  }

  toJSON(): { type: 'sm2-private-key'; publicKey: string } {
    return { type: 'sm2-private-key', publicKey: Buffer.from(this.publicKey).toString('hex') };
  }

  toString(): string {
    return `Sm2PrivateKey(public ${Buffer.from(this.publicKey).toString('hex')})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  #digest(data: Uint8Array, userId: Sm2UserId): bigint {
    const id = userIdBytes(userId);
    const cacheKey = Buffer.from(id).toString('latin1');
    let z = this.#z.get(cacheKey);
    if (!z) {
      z = sm2ZValue(this.publicKey, id);
      if (this.#z.size < 16) this.#z.set(cacheKey, z);
    }
    return bytesToBigInt(sm3(z, data));
  }

  /** GB/T 32918.2 §6.1 steps A3–A6; undefined when the nonce must be redrawn. */
  #signDigest(e: bigint, k: bigint): Uint8Array | undefined {
    const x1 = bytesToBigInt(baseMultiply(k).subarray(1, 33));
    const r = (e + x1) % N;
    if (r === 0n || r + k === N) return undefined;
    const s = (((this.#inv1d * (k + r)) % N) - r + N) % N;
    if (s === 0n) return undefined;
    return encodeEcSignature(r, s);
  }
}

/** One-shot signing; prefer `Sm2PrivateKey` when signing repeatedly (saves a scalar multiplication). */
export function sm2Sign(
  privateKey: Uint8Array | Sm2PrivateKey,
  data: Uint8Array,
  userId: Sm2UserId = SM2_DEFAULT_USER_ID,
): Uint8Array {
  const key = privateKey instanceof Sm2PrivateKey ? privateKey : Sm2PrivateKey.fromBytes(privateKey);
  return key.sign(data, userId);
}

/**
 * GB/T 32918.2 §7.1 verification. False for any bad or malformed signature; throws InvalidKeyError
 * only when `publicKey` is not a point of the curve.
 */
export function sm2Verify(
  publicKey: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
  userId: Sm2UserId = SM2_DEFAULT_USER_ID,
): boolean {
  const P = decodeSm2Point(publicKey);
  const sig = decodeEcSignature(signature);
  if (!sig) return false;
  const e = bytesToBigInt(sm3(zValue(P, userId), data));
  if (!nativeEcdh) return verifyPortable(P, e, sig.r, sig.s);
  if (ecdsaRouteWorks()) {
    const byEcdsa = verifyByEcdsa(nativeEcdh, P, e, sig.r, sig.s);
    if (byEcdsa !== undefined) return byEcdsa;
  }
  return verifyNative(nativeEcdh, P, e, sig.r, sig.s);
}

/**
 * SM2 accepts (r, s) when x(s·G + t·P) ≡ r − e (mod n), t = r + s. ECDSA accepts (r′, s′) over a
 * digest e′ when x(u₁·G′ + u₂·Q) ≡ r′ (mod n), u₁ = e′/s′, u₂ = r′/s′. With Q = P, r′ = r − e,
 * s′ = r′/t and the generator G′ = c·G, c = s·r′/(e′·t), both sides are the same point, so one
 * native ECDSA verification (a double-scalar multiplication, ≈ 0.4 ms) does the work of the ECDH
 * route below (three scalar multiplications plus Node's key-pair check in computeSecret, ≈ 1.6 ms).
 * e′ is the fixed SHA-256 of a constant; G′ costs one fixed-base multiplication. The curve goes to
 * OpenSSL as explicit parameters because a key on the named SM2 curve is an SM2 key to OpenSSL (its
 * verification is SM2's, with an empty user ID, and refuses SHA-256); with G′ = G the explicit
 * parameters would be recognised as that curve, so c = 1 is left out and the key is checked to be a
 * plain EC key. OpenSSL does not check that G′ has order n: it need not, G′ is computed here from
 * the fixed curve, never taken from input. Undefined when this route cannot decide (r′ = 0, which
 * SM2 can accept since the curve has points with x = 0; G′ = G; OpenSSL refused the key): the
 * caller then uses the ECDH route. Everything here is public data, so nothing is constant-time.
 * @internal exported for the cross-check tests
 */
export function verifyByEcdsa(ecdh: ECDH, P: Point, e: bigint, r: bigint, s: bigint): boolean | undefined {
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  const t = (r + s) % N;
  if (t === 0n) return false;
  const rPrime = modN(r - e);
  if (rPrime === 0n) return undefined; // ECDSA refuses r′ = 0; SM2 can still accept it
  const tInverse = invert(t, N);
  const sPrime = modN(rPrime * tInverse);
  const c = modN(modN(modN(s * rPrime) * tInverse) * ECDSA_DIGEST_INVERSE);
  if (c === 1n) return undefined; // G′ = G: OpenSSL would recognise the SM2 curve (see above)
  try {
    const key = createPublicKey({ key: explicitCurveSpki(baseMultiplyWith(ecdh, c), P.toBytes(false)), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ec') return undefined;
    return verify('sha256', ECDSA_MESSAGE, { key, dsaEncoding: 'der' }, encodeEcSignature(rPrime, sPrime));
  } catch {
    return undefined;
  }
}

const modN = (v: bigint): bigint => ((v % N) + N) % N;
const ECDSA_MESSAGE = new TextEncoder().encode('ecert: SM2 verification as ECDSA');
/** @internal e′ of `verifyByEcdsa` (SHA-256 of a constant, mod n: n has 256 bits, OpenSSL truncates nothing), exported for its tests. */
export const ECDSA_DIGEST = modN(bytesToBigInt(createHash('sha256').update(ECDSA_MESSAGE).digest()));
const ECDSA_DIGEST_INVERSE = invert(ECDSA_DIGEST, N);
/** SubjectPublicKeyInfo with explicit SM2 curve parameters (RFC 3279 ECParameters, no seed). */
const ECDSA_SPKI_TEMPLATE: Uint8Array = derSequence(
  derSequence(
    derOid('1.2.840.10045.2.1'),
    derSequence(
      derUnsignedInteger(1n),
      derSequence(derOid('1.2.840.10045.1.1'), derUnsignedInteger(SM2_CURVE.p)),
      derSequence(derOctetString(bigIntToBytes(SM2_CURVE.a, 32)), derOctetString(bigIntToBytes(SM2_CURVE.b, 32))),
      derOctetString(new Uint8Array(65)),
      derUnsignedInteger(N),
      derUnsignedInteger(1n),
    ),
  ),
  derBitString(new Uint8Array(65)),
);
/** The point ends the key (after the BIT STRING's unused-bits byte); the generator's OCTET STRING precedes order and cofactor. */
const ECDSA_POINT_OFFSET = ECDSA_SPKI_TEMPLATE.length - 65;
const ECDSA_GENERATOR_OFFSET = ECDSA_POINT_OFFSET - 3 - derUnsignedInteger(1n).length - derUnsignedInteger(N).length - 65;
if (ECDSA_SPKI_TEMPLATE[ECDSA_GENERATOR_OFFSET - 2] !== 0x04 || ECDSA_SPKI_TEMPLATE[ECDSA_GENERATOR_OFFSET - 1] !== 65 || ECDSA_SPKI_TEMPLATE[ECDSA_POINT_OFFSET - 3] !== 0x03) {
  throw new Error('SM2 explicit-curve SPKI template out of shape');
}

/** @internal An SPKI of `point` on the SM2 curve given by explicit parameters with `generator` (both 65-byte uncompressed). */
export function explicitCurveSpki(generator: Uint8Array, point: Uint8Array): Buffer {
  const spki = Buffer.from(ECDSA_SPKI_TEMPLATE);
  spki.set(generator, ECDSA_GENERATOR_OFFSET);
  spki.set(point, ECDSA_POINT_OFFSET);
  return spki;
}

let ecdsaRoute: boolean | undefined;

/**
 * Whether this OpenSSL takes the ECDSA route (a FIPS provider, for one, refuses explicit curve
 * parameters): decided once, on a fixed good and a fixed bad signature, each answered as the ECDH
 * route answers it. @internal exported for the tests
 */
export function ecdsaRouteWorks(): boolean {
  if (ecdsaRoute === undefined) ecdsaRoute = nativeEcdh !== undefined && probeEcdsaRoute(nativeEcdh);
  return ecdsaRoute;
}

function probeEcdsaRoute(ecdh: ECDH): boolean {
  const key = Sm2PrivateKey.fromBytes(bigIntToBytes(0x1234567890abcdefn, 32));
  const P = decodeSm2Point(key.publicKey);
  const data = new TextEncoder().encode('probe');
  const e = bytesToBigInt(sm3(zValue(P, SM2_DEFAULT_USER_ID), data));
  // A fixed nonce: the probe must decide the same way on every start.
  const sig = decodeEcSignature(key._signWithNonce(data, 0xfedcba9876543210n)!)!;
  const badS = (sig.s % (N - 1n)) + 1n;
  return (
    verifyByEcdsa(ecdh, P, e, sig.r, sig.s) === true &&
    verifyNative(ecdh, P, e, sig.r, sig.s) &&
    verifyByEcdsa(ecdh, P, e, sig.r, badS) === false &&
    !verifyNative(ecdh, P, e, sig.r, badS)
  );
}

/**
 * x(s·G + t·P) with OpenSSL doing both scalar multiplications (where `verifyByEcdsa` cannot).
 * OpenSSL's ECDH only returns the x coordinate of a product with an arbitrary point, so rewrite s·G + t·P = t·(u·G + P) with
 * u = s·t⁻¹ mod n: u·G comes back as a full point, one affine addition (noble) gives V = u·G + P,
 * and ECDH with private scalar t yields exactly x(t·V). About 1.5x faster than noble's
 * double-scalar multiplication on these machines (~480 vs ~300 verifications/s).
 * @internal exported for the cross-check tests
 */
export function verifyNative(ecdh: ECDH, P: Point, e: bigint, r: bigint, s: bigint): boolean {
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  const t = (r + s) % N;
  if (t === 0n) return false;
  const u = (s * invert(t, N)) % N; // non-zero: s and t are
  const V = Sm2Point.fromBytes(baseMultiplyWith(ecdh, u)).add(P);
  if (V.is0()) return false; // then s·G + t·P is infinity too
  ecdh.setPrivateKey(bigIntToBytes(t, 32));
  const x = bytesToBigInt(ecdh.computeSecret(V.toBytes(false)));
  return (e + x) % N === r;
}

/** The textbook computation in @noble/curves, used when OpenSSL lacks SM2. @internal */
export function verifyPortable(P: Point, e: bigint, r: bigint, s: bigint): boolean {
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  const t = (r + s) % N;
  if (t === 0n) return false;
  const R = Sm2Point.BASE.mulAddUnsafe(s, P, t);
  if (R.is0()) return false;
  return (e + R.toAffine().x) % N === r;
}

/** Decodes and validates a SEC1 point (65-byte uncompressed or 33-byte compressed). */
export function decodeSm2Point(publicKey: Uint8Array): Point {
  try {
    const P = Sm2Point.fromBytes(publicKey);
    P.assertValidity();
    if (P.is0()) throw new Error('point at infinity');
    return P;
  } catch (err) {
    throw new InvalidKeyError(`not a valid SM2 public key: ${(err as Error).message}`);
  }
}

/** k·G as a 65-byte uncompressed point; k must be in [1, n−1]. */
function baseMultiply(k: bigint): Uint8Array {
  return nativeEcdh ? baseMultiplyWith(nativeEcdh, k) : Sm2Point.BASE.multiply(k).toBytes(false);
}

/** OpenSSL computes the public key on setPrivateKey: that is k·G, in constant time (ladder). */
function baseMultiplyWith(ecdh: ECDH, k: bigint): Uint8Array {
  ecdh.setPrivateKey(bigIntToBytes(k, 32));
  return ecdh.getPublicKey();
}

/** Uniform in [1, max] by rejection: n is so close to 2²⁵⁶ that a redraw happens ~once in 2³². */
function randomScalar(max: bigint): bigint {
  for (;;) {
    const k = bytesToBigInt(randomBytes(32));
    if (k >= 1n && k <= max) return k;
  }
}

function privateKeyScalar(privateKey: Uint8Array): bigint {
  if (privateKey.length !== 32) throw new InvalidKeyError(`SM2 private key must be 32 bytes, got ${privateKey.length}`);
  const d = bytesToBigInt(privateKey);
  if (d < 1n || d > N - 2n) throw new InvalidKeyError('SM2 private key out of range [1, n-2]');
  return d;
}

function userIdBytes(userId: Sm2UserId): Uint8Array {
  const id = typeof userId === 'string' ? (userId === SM2_DEFAULT_USER_ID ? DEFAULT_USER_ID_BYTES : new TextEncoder().encode(userId)) : userId;
  // ENTL is a 16-bit bit count.
  if (id.length > 8191) throw new RangeError('SM2 user ID longer than 8191 bytes');
  return id;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
