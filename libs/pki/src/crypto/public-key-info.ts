import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { DerReader, DerReadError, contentOf } from '../der/der-reader';
import { isDerNull, namedCurveOid, readSpkiFields, type SpkiFields } from './spki-fields';
import { OID, type AlgorithmFamily, type KeyAlgorithm } from './algorithms';
import { InvalidKeyError, UnacceptableKeyError } from './crypto-errors';
import { bytesToBigInt } from './ec-signature-der';
import { decodeSm2Point } from './sm2';

export interface PublicKeyDescription {
  /** The ecert key algorithm, or undefined for keys that are none of them (RSA-1024, secp256k1, DSA, RSA-8192…). */
  readonly algorithm: KeyAlgorithm | undefined;
  /** Which signature family could use the key; undefined for DSA, EdDSA and unknown keys. */
  readonly family: AlgorithmFamily | undefined;
  /** For people: 'SM2', 'EC-P256', 'RSA-1024', 'EC secp256k1', 'DSA', … */
  readonly label: string;
  /** RSA modulus length, or the curve's field size; 0 when unknown. */
  readonly bits: number;
  /** SubjectPublicKeyInfo algorithm OID. */
  readonly algorithmOid: string;
  /** EC named curve OID (SM2: 1.2.156.10197.1.301). */
  readonly curveOid?: string;
  readonly publicExponent?: bigint;
  /** SEC1 point for SM2 and EC keys (SM2: always the 65-byte uncompressed form). */
  readonly publicPoint?: Uint8Array;
  /** RSASSA-PSS-restricted RSA key (SPKI algorithm id-RSASSA-PSS). */
  readonly rsaPssOnly?: boolean;
}

interface CurveInfo {
  readonly name: string;
  readonly bits: number;
  readonly algorithm?: KeyAlgorithm;
}

const CURVES: Readonly<Record<string, CurveInfo>> = {
  [OID.sm2PublicKey]: { name: 'SM2', bits: 256, algorithm: 'SM2' },
  [OID.prime256v1]: { name: 'P-256', bits: 256, algorithm: 'EC-P256' },
  [OID.secp384r1]: { name: 'P-384', bits: 384, algorithm: 'EC-P384' },
  [OID.secp521r1]: { name: 'P-521', bits: 521 },
  '1.3.132.0.33': { name: 'P-224', bits: 224 },
  '1.2.840.10045.3.1.1': { name: 'P-192', bits: 192 },
  '1.3.132.0.10': { name: 'secp256k1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.7': { name: 'brainpoolP256r1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.11': { name: 'brainpoolP384r1', bits: 384 },
};

/** Key types we can name but never accept. */
const OTHER_KEYS: Readonly<Record<string, string>> = {
  '1.2.840.10040.4.1': 'DSA',
  '1.2.840.10046.2.1': 'DH',
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

const RSA_ALGORITHMS: Readonly<Record<number, KeyAlgorithm>> = { 2048: 'RSA-2048', 3072: 'RSA-3072', 4096: 'RSA-4096' };

/**
 * Decodes a DER SubjectPublicKeyInfo and says what key it is. Throws InvalidKeyError when the
 * encoding is not strict DER or the key itself is broken (EC point off its curve, RSA modulus
 * unusable); merely unwelcome keys (RSA-1024, DSA) are described, for the policy to refuse.
 */
export function describePublicKey(spki: Uint8Array): PublicKeyDescription {
  const info = parseSpki(spki);
  const algorithmOid = info.algorithmOid;
  const keyBits = info.subjectPublicKey.slice();

  if (algorithmOid === OID.rsaEncryption || algorithmOid === OID.rsassaPss) {
    // rsaEncryption's parameters are NULL (RFC 3279; absent tolerated); RSASSA-PSS's are its own.
    if (algorithmOid === OID.rsaEncryption && info.parameters && !isDerNull(info.parameters)) throw new InvalidKeyError('rsaEncryption parameters must be NULL');
    return describeRsa(spki, keyBits, algorithmOid);
  }
  if (algorithmOid === OID.sm2PublicKey) {
    // The legacy SM2 algorithm OID: no parameters, NULL, or the SM2 curve itself; nothing else is copied into a certificate.
    const p = info.parameters;
    if (p && !isDerNull(p) && !(p[0] === 0x06 && decodeNamedCurve(p) === OID.sm2PublicKey)) throw new InvalidKeyError('SM2 key with unexpected algorithm parameters');
    return describeEc(spki, keyBits, algorithmOid, OID.sm2PublicKey);
  }
  if (algorithmOid === OID.ecPublicKey) {
    const params = info.parameters;
    if (!params) throw new InvalidKeyError('id-ecPublicKey without curve parameters');
    // ECParameters ::= CHOICE { namedCurve OBJECT IDENTIFIER, implicitCurve NULL, specifiedCurve SEQUENCE }
    const namedCurve = params[0] === 0x06 ? decodeNamedCurve(params) : undefined;
    if (!namedCurve) {
      if (!isDerNull(params) && params[0] !== 0x30) throw new InvalidKeyError(`undecodable EC parameters (tag 0x${params[0]!.toString(16)})`);
      return { algorithm: undefined, family: 'ecdsa', label: 'EC (explicit curve parameters)', bits: 0, algorithmOid };
    }
    return describeEc(spki, keyBits, algorithmOid, namedCurve);
  }
  const other = OTHER_KEYS[algorithmOid];
  return {
    algorithm: undefined,
    family: undefined,
    label: other ?? `unknown key algorithm ${algorithmOid}`,
    bits: other ? nodeKeyBits(spki) : 0,
    algorithmOid,
  };
}

/**
 * ecert's subscriber key policy: SM2, EC P-256, EC P-384, or RSA of 2048 to 16384 bits with an odd
 * exponent ≥ 3 (the upper bound keeps CSR checks cheap and matches OpenSSL's own limit). Returns
 * the description; throws UnacceptableKeyError saying why, or InvalidKeyError for broken keys.
 */
export function assertAcceptableSubscriberKey(spki: Uint8Array): PublicKeyDescription {
  const d = describePublicKey(spki);
  const accepted = 'accepted: SM2, EC P-256, EC P-384, RSA ≥ 2048 bits';
  if (d.family === 'rsa') {
    if (d.rsaPssOnly) throw new UnacceptableKeyError(`RSASSA-PSS-restricted RSA keys are not accepted; submit an rsaEncryption key (${accepted})`);
    if (d.bits < 2048) throw new UnacceptableKeyError(`${d.label} is below the 2048-bit minimum`);
    if (d.bits > 16384) throw new UnacceptableKeyError(`${d.label} is above the 16384-bit maximum`);
    const e = d.publicExponent ?? 0n;
    if (e < 3n || e % 2n === 0n) throw new UnacceptableKeyError(`RSA public exponent ${e} is not an odd number ≥ 3`);
    return d;
  }
  if (d.algorithm === 'SM2' || d.algorithm === 'EC-P256' || d.algorithm === 'EC-P384') return d;
  if (d.family === 'ecdsa') throw new UnacceptableKeyError(`${d.label} is not an accepted curve (${accepted})`);
  throw new UnacceptableKeyError(`${d.label} keys are not accepted (${accepted})`);
}

function parseSpki(spki: Uint8Array): SpkiFields {
  try {
    // Strict DER throughout: rejects BER, trailing data and unused bits that a lenient parser would
    // silently drop (and that would change the key's fingerprint).
    return readSpkiFields(spki);
  } catch (err) {
    if (err instanceof DerReadError) throw new InvalidKeyError(`SubjectPublicKeyInfo is not strict DER: ${err.message}`);
    throw err;
  }
}

/** The curve OID of a namedCurve parameters element (already framed by readSpkiFields). */
function decodeNamedCurve(params: Uint8Array): string {
  try {
    return namedCurveOid(params);
  } catch (err) {
    throw new InvalidKeyError(`undecodable EC parameters: ${(err as Error).message}`);
  }
}

function describeRsa(spki: Uint8Array, keyBits: Uint8Array, algorithmOid: string): PublicKeyDescription {
  // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }, strict DER: the key's
  // fingerprint (the compromised-key check) hashes these bytes as received, so one key must have
  // one encoding (OpenSSL would accept, say, a non-minimal length here).
  let modulusContent: Uint8Array;
  let exponentContent: Uint8Array;
  try {
    const top = new DerReader(keyBits);
    const key = DerReader.inside(keyBits, top.read(0x30, 'RSAPublicKey'));
    top.expectEnd('RSAPublicKey');
    modulusContent = contentOf(keyBits, key.read(0x02, 'modulus'));
    exponentContent = contentOf(keyBits, key.read(0x02, 'publicExponent'));
    key.expectEnd('RSAPublicKey');
  } catch (err) {
    throw new InvalidKeyError(`undecodable RSA public key: ${(err as Error).message}`);
  }
  for (const [what, c] of [['modulus', modulusContent], ['public exponent', exponentContent]] as const) {
    if (c.length === 0 || c[0]! & 0x80) throw new InvalidKeyError(`RSA ${what} is not a positive INTEGER`);
    if (c.length > 1 && c[0] === 0 && !(c[1]! & 0x80)) throw new InvalidKeyError(`RSA ${what} is not a minimal DER INTEGER`);
  }
  const modulus = bytesToBigInt(modulusContent);
  const publicExponent = bytesToBigInt(exponentContent);
  if (modulus <= 0n || modulus % 2n === 0n) throw new InvalidKeyError('RSA modulus is not a positive odd number');
  const bits = modulus.toString(2).length;
  const rsaPssOnly = algorithmOid === OID.rsassaPss;
  const nodeKey = assertNodeAccepts(spki, 'RSA', rsaPssOnly ? undefined : { kty: 'RSA', n: base64url(modulusContent), e: base64url(exponentContent) });
  const description: PublicKeyDescription = {
    algorithm: rsaPssOnly ? undefined : RSA_ALGORITHMS[bits],
    family: 'rsa',
    label: `${rsaPssOnly ? 'RSASSA-PSS' : 'RSA'}-${bits}`,
    bits,
    algorithmOid,
    publicExponent,
    ...(rsaPssOnly ? { rsaPssOnly } : {}),
  };
  nodeKeys.set(description, { spki: spki.slice(), key: nodeKey });
  return description;
}

function describeEc(spki: Uint8Array, keyBits: Uint8Array, algorithmOid: string, curveOid: string): PublicKeyDescription {
  const curve = CURVES[curveOid];
  if (!curve) {
    return { algorithm: undefined, family: 'ecdsa', label: `EC curve ${curveOid}`, bits: 0, algorithmOid, curveOid };
  }
  let publicPoint = keyBits;
  let nodeKey: KeyObject | undefined;
  if (curve.algorithm === 'SM2') {
    publicPoint = decodeSm2Point(keyBits).toBytes(false);
  } else {
    nodeKey = assertNodeAccepts(spki, `EC ${curve.name}`, ecJwk(curve, keyBits)); // OpenSSL checks the point is on the curve
  }
  const description: PublicKeyDescription = {
    algorithm: curve.algorithm,
    family: curve.algorithm === 'SM2' ? 'sm2' : 'ecdsa',
    label: curve.algorithm ?? `EC ${curve.name}`,
    bits: curve.bits,
    algorithmOid,
    curveOid,
    publicPoint,
  };
  if (nodeKey) nodeKeys.set(description, { spki: spki.slice(), key: nodeKey });
  return description;
}

/**
 * OpenSSL's key object for `spki`, from `jwk` when given: the same key by its numbers, which Node
 * builds without OpenSSL 3's decoder framework (import and one verification, measured: P-256 260 →
 * 225 µs, RSA-2048 212 → 56 µs). The JWK path accepts no key the DER path refuses: the point is
 * checked on its curve (and its coordinates below p) either way, and the SPKI around the numbers
 * was read as strict DER (public-key-info.spec.ts compares the two on mutated points).
 */
function assertNodeAccepts(spki: Uint8Array, what: string, jwk?: JsonWebKey): KeyObject {
  try {
    return jwk ? createPublicKey({ key: jwk, format: 'jwk' }) : createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (err) {
    throw new InvalidKeyError(`invalid ${what} public key: ${(err as Error).message}`);
  }
}

/** Node's JWK names of the curves it imports by coordinates. */
const JWK_CURVES: Readonly<Record<string, string>> = { 'P-256': 'P-256', 'P-384': 'P-384', 'P-521': 'P-521', secp256k1: 'secp256k1' };

/** The JWK of an uncompressed point on a curve Node imports that way; undefined otherwise (the DER path decides). */
function ecJwk(curve: CurveInfo, point: Uint8Array): JsonWebKey | undefined {
  const crv = JWK_CURVES[curve.name];
  const size = Math.ceil(curve.bits / 8);
  if (!crv || point.length !== 1 + 2 * size || point[0] !== 0x04) return undefined;
  return { kty: 'EC', crv, x: base64url(point.subarray(1, 1 + size)), y: base64url(point.subarray(1 + size)) };
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64url');
}

/**
 * The OpenSSL key object made while describing a key (its point or modulus check), kept for the
 * signature check that follows (CSR intake): importing an SPKI into OpenSSL was a third of the
 * intake's CPU, and was done twice. Keyed by the description object, so it lives as long as it.
 */
const nodeKeys = new WeakMap<PublicKeyDescription, { spki: Uint8Array; key: KeyObject }>();

/**
 * The key object describePublicKey made for `key` (EC and RSA keys) from exactly these `spki`
 * bytes, if it made one: a description passed along with other bytes gets nothing.
 */
export function nodeKeyOf(key: PublicKeyDescription, spki: Uint8Array): KeyObject | undefined {
  const known = nodeKeys.get(key);
  return known && Buffer.compare(known.spki, spki) === 0 ? known.key : undefined;
}

function nodeKeyBits(spki: Uint8Array): number {
  try {
    const details = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).asymmetricKeyDetails;
    return details?.modulusLength ?? 0;
  } catch {
    return 0; // only used for the label of a key we refuse anyway
  }
}
