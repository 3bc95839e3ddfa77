import * as asn1js from 'asn1js';
import { namedCurveOid, type SpkiFields } from '../crypto/spki-fields';
import { OID, familyOf, type AlgorithmFamily, type KeyAlgorithm } from '../crypto/algorithms';

interface SignatureAlgorithmSpec {
  readonly family: AlgorithmFamily;
  /**
   * RFC 3279/4055 and GM/T 0015: RSA PKCS#1 identifiers carry an explicit NULL, ECDSA and
   * SM2-with-SM3 carry no parameters at all (a NULL there is rejected by strict verifiers).
   */
  readonly nullParameters: boolean;
}

/** The signature schemes ecert signs with and accepts on CSRs; RSA-PSS and SHA-1 are deliberately absent. */
export const SIGNATURE_ALGORITHMS: Readonly<Record<string, SignatureAlgorithmSpec>> = {
  [OID.sm2WithSm3]: { family: 'sm2', nullParameters: false },
  [OID.ecdsaWithSha256]: { family: 'ecdsa', nullParameters: false },
  [OID.ecdsaWithSha384]: { family: 'ecdsa', nullParameters: false },
  [OID.ecdsaWithSha512]: { family: 'ecdsa', nullParameters: false },
  [OID.sha256WithRsa]: { family: 'rsa', nullParameters: true },
  [OID.sha384WithRsa]: { family: 'rsa', nullParameters: true },
  [OID.sha512WithRsa]: { family: 'rsa', nullParameters: true },
};

const DER_NULL = Uint8Array.of(0x05, 0x00);

/** DER AlgorithmIdentifier for a signature OID, with the parameters convention above. */
export function signatureAlgorithmIdentifierDer(oid: string): Uint8Array {
  const spec = SIGNATURE_ALGORITHMS[oid];
  if (!spec) throw new Error(`Unsupported signature algorithm ${oid}`);
  const oidDer = new Uint8Array(new asn1js.ObjectIdentifier({ value: oid }).toBER());
  return derAlgorithmIdentifier(oidDer, spec.nullParameters ? DER_NULL : undefined);
}

function derAlgorithmIdentifier(oidDer: Uint8Array, params?: Uint8Array): Uint8Array {
  const body = params ? new Uint8Array([...oidDer, ...params]) : oidDer;
  return new Uint8Array([0x30, body.length, ...body]); // always < 128 bytes
}

/** Checks a signer's OID belongs to its key algorithm, so a misconfigured key cannot mislabel a signature. */
export function assertSignerAlgorithm(algorithm: KeyAlgorithm, signatureAlgorithmOid: string): void {
  const spec = SIGNATURE_ALGORITHMS[signatureAlgorithmOid];
  if (!spec) throw new Error(`Unsupported signature algorithm ${signatureAlgorithmOid}`);
  if (spec.family !== familyOf(algorithm)) {
    throw new Error(`Signature algorithm ${signatureAlgorithmOid} does not belong to a ${algorithm} key`);
  }
}

/**
 * The family of a public key. OpenSSL 3 and most UKeys write SM2 keys as id-ecPublicKey with the
 * SM2 curve (1.2.156.10197.1.301) as parameter; a few older tools use that OID as the algorithm
 * itself. Both are SM2.
 */
export function keyFamilyOf(spki: Pick<SpkiFields, 'algorithmOid' | 'parameters'>): AlgorithmFamily | undefined {
  const alg = spki.algorithmOid;
  if (alg === OID.rsaEncryption) return 'rsa';
  if (alg === OID.sm2PublicKey) return 'sm2';
  if (alg === OID.ecPublicKey) {
    const params = spki.parameters;
    if (!params || params[0] !== 0x06) return undefined;
    let curve: string;
    try {
      curve = namedCurveOid(params);
    } catch {
      return undefined;
    }
    if (curve === OID.sm2PublicKey) return 'sm2';
    return 'ecdsa';
  }
  return undefined;
}
