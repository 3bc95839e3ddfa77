import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { PrivateKeyInfo, PrivateKey } from '@peculiar/asn1-pkcs8';
import { ECParameters, ECPrivateKey } from '@peculiar/asn1-ecc';
import { OID } from './algorithms';
import { InvalidKeyError } from './crypto-errors';
import { Sm2PrivateKey, decodeSm2Point } from './sm2';

/**
 * SM2 keys in the encodings OpenSSL 3, GmSSL and UKey middleware exchange: algorithm
 * id-ecPublicKey with the SM2 curve OID as parameter (GM/T 0010 / GB/T 35276). Older tools that put
 * the SM2 OID in the algorithm field itself are accepted when reading, never written.
 */

const SM2_PARAMS = AsnConvert.serialize(new ECParameters({ namedCurve: OID.sm2PublicKey }));

/** DER SubjectPublicKeyInfo for a (65-byte uncompressed or 33-byte compressed) SM2 point. */
export function sm2PublicKeyToSpki(publicKey: Uint8Array): Uint8Array {
  const point = decodeSm2Point(publicKey).toBytes(false);
  return new Uint8Array(
    AsnConvert.serialize(
      new SubjectPublicKeyInfo({
        algorithm: new AlgorithmIdentifier({ algorithm: OID.ecPublicKey, parameters: SM2_PARAMS }),
        subjectPublicKey: toArrayBuffer(point),
      }),
    ),
  );
}

/** The validated 65-byte uncompressed point of an SM2 SubjectPublicKeyInfo. */
export function sm2PublicKeyFromSpki(spki: Uint8Array): Uint8Array {
  let info: SubjectPublicKeyInfo;
  try {
    info = AsnConvert.parse(spki, SubjectPublicKeyInfo);
  } catch (err) {
    throw new InvalidKeyError(`undecodable SubjectPublicKeyInfo: ${(err as Error).message}`);
  }
  if (!isSm2Algorithm(info.algorithm)) throw new InvalidKeyError('SubjectPublicKeyInfo is not an SM2 key');
  return decodeSm2Point(new Uint8Array(info.subjectPublicKey)).toBytes(false);
}

/**
 * DER PKCS#8 PrivateKeyInfo (unencrypted) holding an RFC 5915 ECPrivateKey with the public key,
 * the layout `openssl genpkey -algorithm SM2` writes. Protect the result: it is the private key.
 */
export function sm2PrivateKeyToPkcs8(key: Sm2PrivateKey): Uint8Array {
  const scalar = key.exportPrivateScalar();
  try {
    const ecPrivateKey = new ECPrivateKey({
      version: 1,
      privateKey: new OctetString(scalar),
      publicKey: toArrayBuffer(key.publicKey),
    });
    return new Uint8Array(
      AsnConvert.serialize(
        new PrivateKeyInfo({
          version: 0,
          privateKeyAlgorithm: new AlgorithmIdentifier({ algorithm: OID.ecPublicKey, parameters: SM2_PARAMS }),
          privateKey: new PrivateKey(AsnConvert.serialize(ecPrivateKey)),
        }),
      ),
    );
  } finally {
    scalar.fill(0);
  }
}

/** Reads a PKCS#8 SM2 key; when it embeds a public key, that is checked against the scalar. */
export function sm2PrivateKeyFromPkcs8(pkcs8: Uint8Array): Sm2PrivateKey {
  let info: PrivateKeyInfo;
  let ec: ECPrivateKey;
  try {
    info = AsnConvert.parse(pkcs8, PrivateKeyInfo);
    ec = AsnConvert.parse(info.privateKey.buffer, ECPrivateKey);
  } catch (err) {
    throw new InvalidKeyError(`undecodable PKCS#8 private key: ${(err as Error).message}`);
  }
  if (!isSm2Algorithm(info.privateKeyAlgorithm)) throw new InvalidKeyError('PKCS#8 key is not an SM2 key');
  if (ec.parameters?.namedCurve !== undefined && ec.parameters.namedCurve !== OID.sm2PublicKey) {
    throw new InvalidKeyError('ECPrivateKey names a curve other than SM2');
  }
  const raw = new Uint8Array(ec.privateKey.buffer);
  // RFC 5915 fixes the length at ceil(log2(n)/8) but some encoders drop leading zeros.
  const scalar = new Uint8Array(32);
  if (raw.length > 32) throw new InvalidKeyError('SM2 private key longer than 32 bytes');
  scalar.set(raw, 32 - raw.length);
  try {
    return Sm2PrivateKey.fromBytes(scalar, ec.publicKey ? new Uint8Array(ec.publicKey) : undefined);
  } finally {
    scalar.fill(0); // `raw` may alias the caller's buffer: leave it alone
  }
}

/** id-ecPublicKey with the SM2 named curve, or the legacy bare SM2 OID. */
export function isSm2Algorithm(alg: AlgorithmIdentifier): boolean {
  if (alg.algorithm === OID.sm2PublicKey) return true;
  if (alg.algorithm !== OID.ecPublicKey || !alg.parameters) return false;
  try {
    return AsnConvert.parse(alg.parameters, ECParameters).namedCurve === OID.sm2PublicKey;
  } catch {
    return false;
  }
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
