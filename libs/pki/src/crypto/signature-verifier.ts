import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { RsaSaPssParams } from '@peculiar/asn1-rsa';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { OID } from './algorithms';
import { KeyAlgorithmMismatchError, UnsupportedAlgorithmError } from './crypto-errors';
import { decodeEcSignature } from './ec-signature-der';
import { describePublicKey, nodeKeyOf, type PublicKeyDescription } from './public-key-info';
import { sm2Verify, type Sm2UserId } from './sm2';

export interface VerifySignatureInput {
  /** DER SubjectPublicKeyInfo of the signer. */
  readonly spki: Uint8Array;
  /** OID from the signature's AlgorithmIdentifier. */
  readonly signatureAlgorithmOid: string;
  /** DER of that AlgorithmIdentifier's parameters; only RSASSA-PSS needs them. */
  readonly signatureAlgorithmParameters?: Uint8Array;
  /** The signed bytes (e.g. TBSCertificate DER), not a digest. */
  readonly data: Uint8Array;
  /** The BIT STRING contents: DER SEQUENCE{r,s} for SM2/ECDSA, raw for RSA. */
  readonly signature: Uint8Array;
  /** SM2 signer ID; default 1234567812345678 (GM/T 0009). */
  readonly sm2UserId?: Sm2UserId;
  /** describePublicKey(spki), when the caller has already made it (CSR intake): not decoded twice. */
  readonly key?: PublicKeyDescription;
}

type Hash = 'sha256' | 'sha384' | 'sha512';
type Scheme = { kind: 'sm2' } | { kind: 'ecdsa'; hash: Hash } | { kind: 'rsa'; hash: Hash } | { kind: 'rsa-pss' };

const SCHEMES: Readonly<Record<string, Scheme>> = {
  [OID.sm2WithSm3]: { kind: 'sm2' },
  [OID.ecdsaWithSha256]: { kind: 'ecdsa', hash: 'sha256' },
  [OID.ecdsaWithSha384]: { kind: 'ecdsa', hash: 'sha384' },
  [OID.ecdsaWithSha512]: { kind: 'ecdsa', hash: 'sha512' },
  [OID.sha256WithRsa]: { kind: 'rsa', hash: 'sha256' },
  [OID.sha384WithRsa]: { kind: 'rsa', hash: 'sha384' },
  [OID.sha512WithRsa]: { kind: 'rsa', hash: 'sha512' },
  [OID.rsassaPss]: { kind: 'rsa-pss' },
};

/** Refused on purpose; named so the error says so instead of "unknown". */
const REFUSED: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10040.4.3': 'dsa-with-sha1',
};

const HASH_OIDS: Readonly<Record<string, Hash>> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/**
 * Verifies one signature: SM2-with-SM3 (SM2 keys as id-ecPublicKey + SM2 curve, or the legacy SM2
 * OID), ECDSA with SHA-256/384/512 on P-256/P-384, RSA PKCS#1 v1.5 with SHA-256/384/512, and
 * RSASSA-PSS with SHA-256/384/512 (MGF1 with the same hash).
 *
 * Returns false for a wrong or malformed signature. Throws UnsupportedAlgorithmError for algorithms
 * (or PSS parameters, or EC curves) it does not implement, KeyAlgorithmMismatchError when the key
 * cannot have made such a signature, and InvalidKeyError for a broken SubjectPublicKeyInfo. Key
 * policy (minimum sizes) is not checked here: see assertAcceptableSubscriberKey.
 */
export function verifySignature(input: VerifySignatureInput): boolean {
  const oid = input.signatureAlgorithmOid;
  const scheme = SCHEMES[oid];
  if (!scheme) {
    const refused = REFUSED[oid];
    throw new UnsupportedAlgorithmError(
      refused ? `${refused} (${oid}) signatures are not accepted` : `unsupported signature algorithm ${oid}`,
    );
  }
  const key = input.key ?? describePublicKey(input.spki);

  switch (scheme.kind) {
    case 'sm2':
      if (key.family !== 'sm2' || !key.publicPoint) throw mismatch(oid, key);
      return sm2Verify(key.publicPoint, input.data, input.signature, input.sm2UserId);
    case 'ecdsa':
      if (key.family !== 'ecdsa') throw mismatch(oid, key);
      if (key.algorithm !== 'EC-P256' && key.algorithm !== 'EC-P384') {
        throw new UnsupportedAlgorithmError(`ECDSA verification on ${key.label} is not supported`);
      }
      // OpenSSL is strict too; checking first keeps "malformed" on the return-false path.
      if (!decodeEcSignature(input.signature)) return false;
      return nodeVerify(scheme.hash, input, key, { dsaEncoding: 'der' });
    case 'rsa':
      if (key.family !== 'rsa' || key.rsaPssOnly) throw mismatch(oid, key);
      return nodeVerify(scheme.hash, input, key, { padding: constants.RSA_PKCS1_PADDING });
    case 'rsa-pss': {
      if (key.family !== 'rsa') throw mismatch(oid, key);
      const { hash, saltLength } = pssParameters(input.signatureAlgorithmParameters);
      return nodeVerify(hash, input, key, { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
    }
  }
}

function nodeVerify(
  hash: Hash,
  input: VerifySignatureInput,
  description: PublicKeyDescription,
  options: { dsaEncoding?: 'der'; padding?: number; saltLength?: number },
): boolean {
  // The key object made while describing these very bytes (CSR intake), else imported now.
  const key: KeyObject = nodeKeyOf(description, input.spki) ?? createPublicKey({ key: Buffer.from(input.spki), format: 'der', type: 'spki' });
  try {
    return verify(hash, input.data, { key, ...options }, input.signature);
  } catch {
    // OpenSSL reports some malformed signatures (wrong length, bad padding) as errors.
    return false;
  }
}

/** RFC 4055 RSASSA-PSS-params; only the combinations Node can verify exactly are allowed. */
function pssParameters(der: Uint8Array | undefined): { hash: Hash; saltLength: number } {
  if (!der) throw new UnsupportedAlgorithmError('RSASSA-PSS without parameters means SHA-1, which is not accepted');
  let params: RsaSaPssParams;
  try {
    params = AsnConvert.parse(der, RsaSaPssParams);
  } catch (err) {
    throw new UnsupportedAlgorithmError(`undecodable RSASSA-PSS parameters: ${(err as Error).message}`);
  }
  const hash = HASH_OIDS[params.hashAlgorithm.algorithm];
  if (!hash) throw new UnsupportedAlgorithmError(`RSASSA-PSS with hash ${params.hashAlgorithm.algorithm} is not supported`);
  const mgf = params.maskGenAlgorithm;
  let mgfHash: string | undefined;
  if (mgf.algorithm === OID.mgf1 && mgf.parameters) {
    try {
      mgfHash = AsnConvert.parse(mgf.parameters, AlgorithmIdentifier).algorithm;
    } catch {
      mgfHash = undefined;
    }
  }
  // Node's verify always uses MGF1 with the signature hash.
  if (mgfHash === undefined || HASH_OIDS[mgfHash] !== hash) {
    throw new UnsupportedAlgorithmError('RSASSA-PSS with a mask generation function other than MGF1 over the same hash is not supported');
  }
  if (params.trailerField !== 1) throw new UnsupportedAlgorithmError(`RSASSA-PSS trailer field ${params.trailerField} is not supported`);
  return { hash, saltLength: params.saltLength };
}

function mismatch(oid: string, key: PublicKeyDescription): KeyAlgorithmMismatchError {
  return new KeyAlgorithmMismatchError(`a ${key.label} key cannot verify a ${oid} signature`);
}
