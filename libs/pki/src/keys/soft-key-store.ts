import { createPrivateKey, createPublicKey, generateKeyPair, sign as nodeSign, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import type { KeyAlgorithm } from '../crypto/algorithms';
import type { Signer } from '../crypto/signer';
import { Sm2PrivateKey } from '../crypto/sm2';
import { sm2PrivateKeyFromPkcs8, sm2PrivateKeyToPkcs8, sm2PublicKeyToSpki } from '../crypto/sm2-key-encoding';
import { signatureAlgorithmOidFor } from '../crypto/signing-scheme';
import type { KeyBlobRepository } from './key-blob-repository';
import { DEFAULT_SCRYPT, assertScryptParams, openKeyBlob, readKeyBlobHeader, sealKeyBlob, type ScryptParams } from './key-blob-codec';
import type { KeyStore, StoredKeyInfo } from './key-store';
import {
  CorruptKeyBlobError,
  InvalidKeyIdError,
  KeyAlreadyExistsError,
  KeyNotFoundError,
  KeyStoreClosedError,
  UnsupportedKeyAlgorithmError,
} from './key-store-errors';

export interface SoftKeyStoreOptions {
  readonly repository: KeyBlobRepository;
  /** Protects every key of the store; keep it out of config files (env var, secret manager). */
  readonly passphrase: string | Uint8Array;
  /** scrypt cost for keys this store writes (reading honours each blob's own parameters). */
  readonly scrypt?: ScryptParams;
}

const ALGORITHMS: readonly KeyAlgorithm[] = ['SM2', 'EC-P256', 'EC-P384', 'RSA-2048', 'RSA-3072', 'RSA-4096'];
const NODE_HASH: Record<KeyAlgorithm, 'sha256' | 'sha384'> = {
  SM2: 'sha256', // unused: SM2 signs with SM3 via Sm2PrivateKey
  'EC-P256': 'sha256',
  'EC-P384': 'sha384',
  'RSA-2048': 'sha256',
  'RSA-3072': 'sha256',
  'RSA-4096': 'sha256',
};

/**
 * Private keys encrypted at rest (see key-blob-codec: scrypt + AES-256-GCM over PKCS#8) in any
 * KeyBlobRepository. Keys are decrypted once per process on first `signer()` and then live only
 * inside Signer objects that never expose them.
 */
export class SoftKeyStore implements KeyStore {
  readonly kind = 'soft' as const;
  readonly #repository: KeyBlobRepository;
  #passphrase: Uint8Array | undefined;
  readonly #scrypt: ScryptParams;
  readonly #signers = new Map<string, Promise<Signer>>();

  constructor(options: SoftKeyStoreOptions) {
    // NFC so a passphrase typed with a different input method (e.g. Chinese IMEs) still matches.
    const pass =
      typeof options.passphrase === 'string' ? new TextEncoder().encode(options.passphrase.normalize('NFC')) : Uint8Array.from(options.passphrase);
    if (pass.length === 0) throw new RangeError('SoftKeyStore needs a non-empty passphrase');
    this.#repository = options.repository;
    this.#passphrase = pass;
    this.#scrypt = options.scrypt ?? DEFAULT_SCRYPT;
    assertScryptParams(this.#scrypt);
  }

  supports(algorithm: KeyAlgorithm): boolean {
    return ALGORITHMS.includes(algorithm);
  }

  async generate(id: string, algorithm: KeyAlgorithm): Promise<StoredKeyInfo> {
    const passphrase = this.#open();
    assertKeyId(id);
    if (!this.supports(algorithm)) throw new UnsupportedKeyAlgorithmError(`SoftKeyStore cannot generate ${String(algorithm)} keys`);
    if (await this.#repository.get(id)) throw new KeyAlreadyExistsError(id);

    const { spki, pkcs8 } = await generateKey(algorithm);
    try {
      const blob = await sealKeyBlob({ id, algorithm, spki }, pkcs8, passphrase, this.#scrypt);
      await this.#repository.put(id, blob);
    } finally {
      pkcs8.fill(0);
    }
    return { id, algorithm, spki };
  }

  async find(id: string): Promise<StoredKeyInfo | undefined> {
    this.#open();
    const blob = await this.#repository.get(id);
    if (!blob) return undefined;
    const { algorithm, spki } = readKeyBlobHeader(blob, id);
    return { id, algorithm, spki };
  }

  signer(id: string): Promise<Signer> {
    this.#open();
    let signer = this.#signers.get(id);
    if (!signer) {
      signer = this.#loadSigner(id);
      this.#signers.set(id, signer);
      // A failure (wrong passphrase, missing key) must not stick: a later call retries.
      signer.catch(() => this.#signers.delete(id));
    }
    return signer;
  }

  /** Forgets decrypted keys and the passphrase; Signers already handed out keep working. */
  async close(): Promise<void> {
    this.#passphrase?.fill(0);
    this.#passphrase = undefined;
    this.#signers.clear();
  }

  toJSON(): { kind: 'soft' } {
    return { kind: this.kind };
  }

  [inspect.custom](): string {
    return 'SoftKeyStore {}';
  }

  async #loadSigner(id: string): Promise<Signer> {
    const blob = await this.#repository.get(id);
    if (!blob) throw new KeyNotFoundError(id);
    const { header, pkcs8 } = await openKeyBlob(blob, this.#open(), id);
    try {
      return createSoftSigner(header.id, header.algorithm, header.spki, pkcs8);
    } finally {
      pkcs8.fill(0);
    }
  }

  #open(): Uint8Array {
    if (!this.#passphrase) throw new KeyStoreClosedError();
    return this.#passphrase;
  }
}

/**
 * Where an EC or RSA signature is made: on the libuv pool (the caller's thread goes on meanwhile;
 * best when the process has a spare core), or on the calling thread (no hand-off to and back from
 * a pool thread; best when every core already runs a process of its own). SM2 always signs on the
 * calling thread.
 */
export type SignOn = 'pool' | 'caller';

/**
 * A key that exists only in this process's memory, never stored anywhere: for short-lived
 * delegated signers (the gateway's OCSP responder key) that are replaced at every start.
 */
export async function generateEphemeralSigner(algorithm: KeyAlgorithm, opts: { signOn?: SignOn } = {}): Promise<Signer> {
  if (!ALGORITHMS.includes(algorithm)) throw new UnsupportedKeyAlgorithmError(`cannot generate ${String(algorithm)} keys`);
  const { spki, pkcs8 } = await generateKey(algorithm);
  try {
    return createSoftSigner('ephemeral', algorithm, spki, pkcs8, opts.signOn ?? 'pool');
  } finally {
    pkcs8.fill(0);
  }
}

function assertKeyId(id: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > 255 || /[\u0000-\u001f]/.test(id)) {
    throw new InvalidKeyIdError('key ids must be 1–255 characters without control characters');
  }
}

async function generateKey(algorithm: KeyAlgorithm): Promise<{ spki: Uint8Array; pkcs8: Uint8Array }> {
  if (algorithm === 'SM2') {
    const key = Sm2PrivateKey.generate();
    return { spki: sm2PublicKeyToSpki(key.publicKey), pkcs8: sm2PrivateKeyToPkcs8(key) };
  }
  const { publicKey, privateKey } = await new Promise<{ publicKey: KeyObject; privateKey: KeyObject }>((resolve, reject) => {
    const done = (err: Error | null, publicKey: KeyObject, privateKey: KeyObject) => (err ? reject(err) : resolve({ publicKey, privateKey }));
    if (algorithm === 'EC-P256' || algorithm === 'EC-P384') {
      generateKeyPair('ec', { namedCurve: algorithm === 'EC-P256' ? 'P-256' : 'P-384' }, done);
    } else {
      // RSA key generation runs on the libuv pool: RSA-4096 takes seconds.
      generateKeyPair('rsa', { modulusLength: Number(algorithm.slice(4)), publicExponent: 0x10001 }, done);
    }
  });
  return {
    spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    pkcs8: new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })),
  };
}

/** Decodes the PKCS#8 and checks it matches the recorded public key before trusting it to sign. */
function createSoftSigner(id: string, algorithm: KeyAlgorithm, spki: Uint8Array, pkcs8: Uint8Array, signOn: SignOn = 'pool'): Signer {
  if (algorithm === 'SM2') {
    const key = sm2PrivateKeyFromPkcs8(pkcs8);
    if (!sameBytes(sm2PublicKeyToSpki(key.publicKey), spki)) throw mismatch(id);
    return new SoftSigner(id, algorithm, spki, async (data) => key.sign(data));
  }
  const key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  if (!sameBytes(createPublicKey(key).export({ type: 'spki', format: 'der' }), spki)) throw mismatch(id);
  const hash = NODE_HASH[algorithm];
  const options = algorithm.startsWith('EC-') ? { key, dsaEncoding: 'der' as const } : { key };
  if (signOn === 'caller') return new SoftSigner(id, algorithm, spki, async (data) => new Uint8Array(nodeSign(hash, data, options)));
  return new SoftSigner(
    id,
    algorithm,
    spki,
    (data) =>
      new Promise((resolve, reject) =>
        // The callback form signs on the libuv pool (RSA-4096 is ~10 ms).
        nodeSign(hash, data, options, (err, sig) => (err ? reject(err) : resolve(new Uint8Array(sig)))),
      ),
  );
}

/** The key lives only in the closure passed as `sign`: nothing reaches it by property access, JSON or inspect. */
class SoftSigner implements Signer {
  readonly signatureAlgorithmOid: string;
  readonly #sign: (data: Uint8Array) => Promise<Uint8Array>;

  constructor(
    readonly keyId: string,
    readonly algorithm: KeyAlgorithm,
    readonly spki: Uint8Array,
    sign: (data: Uint8Array) => Promise<Uint8Array>,
  ) {
    this.signatureAlgorithmOid = signatureAlgorithmOidFor(algorithm);
    this.#sign = sign;
  }

  sign(data: Uint8Array): Promise<Uint8Array> {
    return this.#sign(data);
  }

  toJSON(): Record<string, string> {
    return { keyId: this.keyId, algorithm: this.algorithm, signatureAlgorithmOid: this.signatureAlgorithmOid };
  }

  toString(): string {
    return `SoftSigner(${this.keyId}, ${this.algorithm})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

function mismatch(id: string): CorruptKeyBlobError {
  return new CorruptKeyBlobError(`key blob "${id}": private key does not match its recorded public key`);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
