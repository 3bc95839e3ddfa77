import { derTlv } from '@ecert/pki';

/**
 * DER `SET OF`: X.690 §11.6 orders the elements by their encodings (as octet strings, a shorter one
 * padded with zeros). The signed attributes are hashed as DER, so every verifier re-deriving them
 * from a re-encoding must get the same bytes.
 */
export function derSetOf(elements: readonly Uint8Array[], tag = 0x31): Uint8Array {
  const sorted = [...elements].sort(compareEncodings);
  return derTlv(tag, ...sorted);
}

function compareEncodings(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
