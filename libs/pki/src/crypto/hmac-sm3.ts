import { sm3 } from './sm3';

const BLOCK = 64; // SM3 block size in bytes (GB/T 32905)

/**
 * HMAC-SM3 (RFC 2104 / GB/T 15852.2 with SM3), 32 bytes. Built on sm3() rather than Node's
 * createHmac so it also works where OpenSSL lacks SM3 (the pure-JS fallback).
 */
export function hmacSm3(key: Uint8Array, message: Uint8Array): Uint8Array {
  let k = key.length > BLOCK ? sm3(key) : key;
  const padded = new Uint8Array(BLOCK);
  padded.set(k);
  k = padded;
  const ipad = k.map((b) => b ^ 0x36);
  const opad = k.map((b) => b ^ 0x5c);
  return sm3(opad, sm3(ipad, message));
}
