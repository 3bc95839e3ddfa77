import { createHash, getHashes } from 'node:crypto';
import { sm3 as sm3Js } from 'sm-crypto-v2';

/**
 * True when Node's OpenSSL provides SM3 (the default OpenSSL 3 build does); the pure-JS fallback
 * from sm-crypto-v2 is ~20x slower, so startup logs may want to report it.
 */
export const SM3_IS_NATIVE: boolean = getHashes().includes('sm3');

/** SM3 (GB/T 32905) of the concatenation of `parts`; 32 bytes. */
export function sm3(...parts: Uint8Array[]): Uint8Array {
  if (SM3_IS_NATIVE) {
    const h = createHash('sm3');
    for (const p of parts) h.update(p);
    return new Uint8Array(h.digest());
  }
  return sm3Fallback(parts);
}

function sm3Fallback(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const buf = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    buf.set(p, off);
    off += p.length;
  }
  return hexToBytes(sm3Js(buf));
}

function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
