import { createCipheriv, createDecipheriv, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { KeyAlgorithm } from '../crypto/algorithms';
import { CorruptKeyBlobError, WrongPassphraseError } from './key-store-errors';

/**
 * SoftKeyStore's at-rest format: the PKCS#8 private key encrypted with AES-256-GCM under a key
 * that scrypt derives from the store passphrase and a per-key random salt; fresh 96-bit IV per
 * blob. The clear header (id, algorithm, SPKI, KDF and cipher parameters) is the GCM additional
 * data, so moving a blob to another id or editing its public key is detected on opening.
 *
 * scrypt yields 64 bytes: the first 32 are the AES key, the rest key an HMAC "check" value stored
 * in the header. It lets a wrong passphrase be told apart from a tampered blob (it tells an
 * attacker nothing the GCM tag would not, at the same scrypt cost per guess).
 *
 * The blob is UTF-8 JSON, so it fits a bytea or a jsonb column and can be inspected by hand.
 */

export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** ~100 ms and 32 MiB per derivation on the project machines; once per key per process. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

export interface KeyBlobHeader {
  readonly id: string;
  readonly algorithm: KeyAlgorithm;
  readonly spki: Uint8Array;
}

interface BlobJson {
  format: typeof FORMAT;
  version: 1;
  id: string;
  algorithm: KeyAlgorithm;
  spki: string;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: { name: 'aes-256-gcm'; iv: string; tag: string };
  check: string;
  ciphertext: string;
}

const FORMAT = 'ecert-soft-key';
const ALGORITHMS: readonly KeyAlgorithm[] = ['SM2', 'EC-P256', 'EC-P384', 'RSA-2048', 'RSA-3072', 'RSA-4096'];
const CHECK_LABEL = 'ecert-soft-key v1 passphrase check';

export function assertScryptParams(s: ScryptParams): void {
  // Bounds also stop a tampered blob from making us allocate gigabytes.
  const okN = Number.isInteger(Math.log2(s.N)) && s.N >= 2 ** 10 && s.N <= 2 ** 20;
  if (!okN || !Number.isInteger(s.r) || s.r < 1 || s.r > 32 || !Number.isInteger(s.p) || s.p < 1 || s.p > 16) {
    throw new RangeError(`unacceptable scrypt parameters N=${s.N} r=${s.r} p=${s.p}`);
  }
}

export async function sealKeyBlob(
  header: KeyBlobHeader,
  pkcs8: Uint8Array,
  passphrase: Uint8Array,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<Uint8Array> {
  assertScryptParams(params);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const derived = await deriveKey(passphrase, salt, params);
  try {
    const json: BlobJson = {
      format: FORMAT,
      version: 1,
      id: header.id,
      algorithm: header.algorithm,
      spki: b64(header.spki),
      kdf: { name: 'scrypt', N: params.N, r: params.r, p: params.p, salt: b64(salt) },
      cipher: { name: 'aes-256-gcm', iv: b64(iv), tag: '' },
      check: b64(checkValue(derived)),
      ciphertext: '',
    };
    const cipher = createCipheriv('aes-256-gcm', derived.subarray(0, 32), iv);
    cipher.setAAD(additionalData(json));
    json.ciphertext = b64(Buffer.concat([cipher.update(pkcs8), cipher.final()]));
    json.cipher.tag = b64(cipher.getAuthTag());
    return new TextEncoder().encode(JSON.stringify(json));
  } finally {
    derived.fill(0);
  }
}

/** The clear header, without the passphrase. */
export function readKeyBlobHeader(blob: Uint8Array, expectedId: string): KeyBlobHeader {
  const json = parse(blob, expectedId);
  return { id: json.id, algorithm: json.algorithm, spki: new Uint8Array(unb64(json.spki)) };
}

/** Decrypts; the caller must wipe the returned PKCS#8 after use. */
export async function openKeyBlob(
  blob: Uint8Array,
  passphrase: Uint8Array,
  expectedId: string,
): Promise<{ header: KeyBlobHeader; pkcs8: Uint8Array }> {
  const json = parse(blob, expectedId);
  const { N, r, p } = json.kdf;
  const derived = await deriveKey(passphrase, unb64(json.kdf.salt), { N, r, p });
  try {
    const check = unb64(json.check);
    const expected = checkValue(derived);
    if (check.length !== expected.length || !timingSafeEqual(check, expected)) throw new WrongPassphraseError(expectedId);
    const decipher = createDecipheriv('aes-256-gcm', derived.subarray(0, 32), unb64(json.cipher.iv));
    decipher.setAAD(additionalData(json));
    decipher.setAuthTag(unb64(json.cipher.tag));
    let pkcs8: Buffer;
    try {
      pkcs8 = Buffer.concat([decipher.update(unb64(json.ciphertext)), decipher.final()]);
    } catch {
      throw new CorruptKeyBlobError(`key blob "${expectedId}" failed authentication: it was altered`);
    }
    return { header: { id: json.id, algorithm: json.algorithm, spki: new Uint8Array(unb64(json.spki)) }, pkcs8: new Uint8Array(pkcs8) };
  } finally {
    derived.fill(0);
  }
}

function parse(blob: Uint8Array, expectedId: string): BlobJson {
  let json: BlobJson;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(blob)) as BlobJson;
  } catch {
    throw new CorruptKeyBlobError(`key blob "${expectedId}" is not valid JSON`);
  }
  const bad = (what: string) => new CorruptKeyBlobError(`key blob "${expectedId}": ${what}`);
  if (json?.format !== FORMAT || json.version !== 1) throw bad('unknown format or version');
  if (json.id !== expectedId) throw bad(`it belongs to key "${String(json.id)}"`);
  if (!ALGORITHMS.includes(json.algorithm)) throw bad(`unknown algorithm ${String(json.algorithm)}`);
  const strings = [json.spki, json.kdf?.salt, json.cipher?.iv, json.cipher?.tag, json.check, json.ciphertext];
  if (!strings.every((s) => typeof s === 'string')) throw bad('missing fields');
  if (json.kdf.name !== 'scrypt' || json.cipher.name !== 'aes-256-gcm') throw bad('unsupported KDF or cipher');
  try {
    assertScryptParams(json.kdf);
  } catch (err) {
    throw bad((err as Error).message);
  }
  if (unb64(json.cipher.iv).length !== 12 || unb64(json.cipher.tag).length !== 16) throw bad('bad IV or tag length');
  return json;
}

/** Everything but the IV-dependent outputs, in a fixed order. */
function additionalData(j: BlobJson): Buffer {
  return Buffer.from(
    JSON.stringify([j.format, j.version, j.id, j.algorithm, j.spki, j.kdf.name, j.kdf.N, j.kdf.r, j.kdf.p, j.kdf.salt, j.cipher.name, j.cipher.iv, j.check]),
  );
}

function deriveKey(passphrase: Uint8Array, salt: Uint8Array, s: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    // scrypt runs on the libuv pool, so deriving does not stall the event loop.
    scrypt(passphrase, salt, 64, { N: s.N, r: s.r, p: s.p, maxmem: 256 * s.N * s.r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

function checkValue(derived: Buffer): Buffer {
  return createHmac('sha256', derived.subarray(32)).update(CHECK_LABEL).digest().subarray(0, 16);
}

function b64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

function unb64(s: string): Buffer {
  return Buffer.from(s, 'base64');
}
