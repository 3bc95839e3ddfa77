import { CryptoError, OID, decodeEcSignature, rawEcSignatureToDer, verifySignature } from './pki-bridge';
import type { CheckResult } from './verification-report';

export interface SignatureValueInput {
  /** DER SubjectPublicKeyInfo of the signer. */
  readonly spki: Uint8Array;
  readonly algorithmOid: string;
  readonly algorithmParameters?: Uint8Array;
  /** The exact received bytes that were signed. */
  readonly data: Uint8Array;
  /** BIT STRING contents. */
  readonly signature: Uint8Array;
}

export interface SignatureValueResult {
  readonly result: CheckResult;
  readonly detail: string;
}

/** Raw r||s lengths per EC algorithm (SM2 and P-256: 2×32; P-384: 2×48). */
const RAW_LENGTHS: Readonly<Record<string, number>> = {
  [OID.sm2WithSm3]: 64,
  [OID.ecdsaWithSha256]: 64,
  [OID.ecdsaWithSha384]: 96,
};

/**
 * Verifies one signature value with @ecert/pki (SM2 with the standard ID 1234567812345678).
 * Tolerates a raw r||s value where a DER SEQUENCE{r,s} is specified, as some seal producers
 * (and PKCS#11 middleware) write it. Never throws: unsupported algorithms are indeterminate,
 * keys that cannot have made the signature are failures.
 */
export function verifySignatureValue(input: SignatureValueInput): SignatureValueResult {
  let signature = input.signature;
  let note = '';
  const rawLength = RAW_LENGTHS[input.algorithmOid];
  if (rawLength !== undefined && !decodeEcSignature(signature) && signature.length === rawLength) {
    signature = rawEcSignatureToDer(signature);
    note = ' (raw r||s signature value, accepted)';
  }
  try {
    const ok = verifySignature({
      spki: input.spki,
      signatureAlgorithmOid: input.algorithmOid,
      ...(input.algorithmParameters ? { signatureAlgorithmParameters: input.algorithmParameters } : {}),
      data: input.data,
      signature,
    });
    return ok
      ? { result: 'passed', detail: `signature verifies${note}` }
      : { result: 'failed', detail: `signature does not verify${note}` };
  } catch (err) {
    const code = err instanceof CryptoError ? err.code : undefined;
    const message = err instanceof Error ? err.message : String(err);
    if (code === 'UNSUPPORTED_ALGORITHM') return { result: 'indeterminate', detail: `cannot verify: ${message}` };
    return { result: 'failed', detail: `cannot verify: ${message}` };
  }
}
