import { createHash, createPublicKey } from 'node:crypto';
import { inspect } from 'node:util';
import type * as Pkcs11Types from 'pkcs11js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { OID, type KeyAlgorithm } from '../crypto/algorithms';
import type { Signer } from '../crypto/signer';
import { rawEcSignatureToDer } from '../crypto/ec-signature-der';
import { describePublicKey } from '../crypto/public-key-info';
import { signatureAlgorithmOidFor } from '../crypto/signing-scheme';
import type { KeyStore, StoredKeyInfo } from './key-store';
import {
  KeyAlreadyExistsError,
  KeyNotFoundError,
  KeyStoreClosedError,
  Pkcs11TokenError,
  UnsupportedKeyAlgorithmError,
} from './key-store-errors';
import { acquirePkcs11Module, ckrName, pkcs11js, releasePkcs11Module, ulongOf } from './pkcs11-module';

const p11 = pkcs11js;
type Handle = Buffer;

export interface Pkcs11KeyStoreOptions {
  /** e.g. /usr/lib/softhsm/libsofthsm2.so */
  readonly libraryPath: string;
  /** Token to use, by label (preferred: SoftHSM reassigns slot ids on init)… */
  readonly tokenLabel?: string;
  /** …or by slot id as shown by `softhsm2-util --show-slots` / `pkcs11-tool -L`. */
  readonly slot?: number | bigint;
  /** User PIN. */
  readonly pin: string;
}

interface EcCurve {
  readonly oid: string;
  readonly params: Buffer;
  readonly crv: 'P-256' | 'P-384';
  readonly size: number;
  readonly hash: 'sha256' | 'sha384';
}

const EC_CURVES: Readonly<Record<'EC-P256' | 'EC-P384', EcCurve>> = {
  'EC-P256': { oid: OID.prime256v1, params: Buffer.from('06082a8648ce3d030107', 'hex'), crv: 'P-256', size: 32, hash: 'sha256' },
  'EC-P384': { oid: OID.secp384r1, params: Buffer.from('06052b81040022', 'hex'), crv: 'P-384', size: 48, hash: 'sha384' },
};
const RSA_BITS: Readonly<Partial<Record<KeyAlgorithm, number>>> = { 'RSA-2048': 2048, 'RSA-3072': 3072, 'RSA-4096': 4096 };

interface TokenKey {
  readonly info: StoredKeyInfo;
  readonly label: string;
  readonly ckaId: Buffer;
}

/**
 * Keys on a PKCS#11 token (SoftHSM2 in development, an HSM in production): EC P-256/P-384 and
 * RSA-2048/3072/4096. Keys are generated on the token as sensitive, non-extractable objects and
 * are found by CKA_LABEL (the key id); a hex id also matches CKA_ID, which ecert sets to the RFC
 * 5280 key identifier (SHA-1 of the public key bits). SM2 is not offered: PKCS#11 has no
 * standard SM2 mechanism (vendor-specific CKM_VENDOR_DEFINED codes differ per HSM).
 *
 * All token calls are synchronous on one session, so sign operations never interleave on it;
 * SoftHSM signs RSA-2048 in ~1 ms, which is what that costs the event loop.
 */
export class Pkcs11KeyStore implements KeyStore {
  readonly kind = 'pkcs11' as const;
  readonly #options: Pkcs11KeyStoreOptions;
  #module: Pkcs11Types.PKCS11 | undefined;
  #session: Handle | undefined;
  #closed = false;

  constructor(options: Pkcs11KeyStoreOptions) {
    if (options.tokenLabel === undefined && options.slot === undefined) {
      throw new RangeError('Pkcs11KeyStore needs tokenLabel or slot');
    }
    this.#options = { ...options };
  }

  supports(algorithm: KeyAlgorithm): boolean {
    return algorithm in EC_CURVES || RSA_BITS[algorithm] !== undefined;
  }

  /** Opens the session and logs in now rather than on first use (fail fast at startup). */
  async connect(): Promise<void> {
    this.#ensureSession();
  }

  async generate(id: string, algorithm: KeyAlgorithm): Promise<StoredKeyInfo> {
    if (!this.supports(algorithm)) throw new UnsupportedKeyAlgorithmError(`Pkcs11KeyStore cannot generate ${String(algorithm)} keys`);
    if (!id) throw new RangeError('key id must not be empty');
    const { module, session } = this.#ensureSession();
    if (this.#findObjects({ label: id }).length > 0) throw new KeyAlreadyExistsError(id);

    const label = Buffer.from(id, 'utf8');
    const common = [
      { type: p11().CKA_TOKEN, value: true },
      { type: p11().CKA_LABEL, value: label },
    ];
    const publicTemplate: Pkcs11Types.Template = [
      ...common,
      { type: p11().CKA_CLASS, value: p11().CKO_PUBLIC_KEY },
      { type: p11().CKA_VERIFY, value: true },
      { type: p11().CKA_PRIVATE, value: false },
    ];
    const privateTemplate: Pkcs11Types.Template = [
      ...common,
      { type: p11().CKA_CLASS, value: p11().CKO_PRIVATE_KEY },
      { type: p11().CKA_SIGN, value: true },
      { type: p11().CKA_PRIVATE, value: true },
      { type: p11().CKA_SENSITIVE, value: true },
      { type: p11().CKA_EXTRACTABLE, value: false },
    ];
    let mechanism: number;
    const curve = EC_CURVES[algorithm as keyof typeof EC_CURVES];
    if (curve) {
      mechanism = p11().CKM_EC_KEY_PAIR_GEN;
      publicTemplate.push({ type: p11().CKA_KEY_TYPE, value: p11().CKK_EC }, { type: p11().CKA_EC_PARAMS, value: curve.params });
      privateTemplate.push({ type: p11().CKA_KEY_TYPE, value: p11().CKK_EC });
    } else {
      mechanism = p11().CKM_RSA_PKCS_KEY_PAIR_GEN;
      publicTemplate.push(
        { type: p11().CKA_KEY_TYPE, value: p11().CKK_RSA },
        { type: p11().CKA_MODULUS_BITS, value: RSA_BITS[algorithm]! },
        { type: p11().CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
      );
      privateTemplate.push({ type: p11().CKA_KEY_TYPE, value: p11().CKK_RSA });
    }
    const pair = call('C_GenerateKeyPair', () => module.C_GenerateKeyPair(session, { mechanism }, publicTemplate, privateTemplate));

    const spki = this.#readSpki(pair.publicKey);
    // CKA_ID = RFC 5280 method-1 key identifier, so certificates stored on the token later pair up.
    const ckaId = keyIdentifier(spki);
    for (const handle of [pair.publicKey, pair.privateKey]) {
      call('C_SetAttributeValue', () => module.C_SetAttributeValue(session, handle, [{ type: p11().CKA_ID, value: ckaId }]));
    }
    return { id, algorithm, spki };
  }

  async find(id: string): Promise<StoredKeyInfo | undefined> {
    return this.#findKey(id)?.info;
  }

  async signer(id: string): Promise<Signer> {
    const key = this.#findKey(id);
    if (!key) throw new KeyNotFoundError(id);
    // Private and public objects pair up by CKA_ID (and label, when both carry one).
    let privates = this.#findObjects({ class: p11().CKO_PRIVATE_KEY, label: key.label, ...(key.ckaId.length ? { id: key.ckaId } : {}) });
    if (privates.length === 0 && key.ckaId.length) privates = this.#findObjects({ class: p11().CKO_PRIVATE_KEY, id: key.ckaId });
    if (privates.length !== 1) {
      throw new Pkcs11TokenError(`expected one private key for "${id}" on the token, found ${privates.length}`);
    }
    return new Pkcs11Signer(this, key.info, privates[0]!);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const { module, session } = { module: this.#module, session: this.#session };
    this.#module = undefined;
    this.#session = undefined;
    if (!module) return;
    try {
      // Closing the application's last session on the token logs out; an explicit C_Logout
      // would also log out other stores sharing the token in this process.
      if (session) module.C_CloseSession(session);
    } finally {
      releasePkcs11Module(this.#options.libraryPath);
    }
  }

  toJSON(): Record<string, unknown> {
    return { kind: this.kind, libraryPath: this.#options.libraryPath, tokenLabel: this.#options.tokenLabel, slot: this.#options.slot?.toString() };
  }

  [inspect.custom](): string {
    return `Pkcs11KeyStore ${JSON.stringify(this.toJSON())}`;
  }

  /** @internal Signers call back here so they stop working when the store closes. */
  _sign(privateKey: Handle, algorithm: KeyAlgorithm, data: Uint8Array): Uint8Array {
    const { module, session } = this.#ensureSession();
    const curve = EC_CURVES[algorithm as keyof typeof EC_CURVES];
    if (curve) {
      // Plain CKM_ECDSA signs a digest we compute: CKM_ECDSA_SHA384 is missing on some HSMs.
      const digest = createHash(curve.hash).update(data).digest();
      call('C_SignInit', () => module.C_SignInit(session, { mechanism: p11().CKM_ECDSA }, privateKey));
      const raw = call('C_Sign', () => module.C_Sign(session, digest, Buffer.alloc(2 * curve.size)));
      return rawEcSignatureToDer(raw); // tokens return r || s; X.509 wants DER
    }
    call('C_SignInit', () => module.C_SignInit(session, { mechanism: p11().CKM_SHA256_RSA_PKCS }, privateKey));
    const out = call('C_Sign', () => module.C_Sign(session, Buffer.from(data), Buffer.alloc(RSA_BITS[algorithm]! / 8)));
    return new Uint8Array(out);
  }

  #ensureSession(): { module: Pkcs11Types.PKCS11; session: Handle } {
    if (this.#closed) throw new KeyStoreClosedError();
    if (this.#module && this.#session) return { module: this.#module, session: this.#session };
    const module = acquirePkcs11Module(this.#options.libraryPath, tokenError);
    let session: Handle | undefined;
    try {
      const slot = this.#selectSlot(module);
      session = call('C_OpenSession', () => module.C_OpenSession(slot, p11().CKF_SERIAL_SESSION | p11().CKF_RW_SESSION));
      try {
        module.C_Login(session, p11().CKU_USER, this.#options.pin);
      } catch (err) {
        if (ckrName(err) !== 'CKR_USER_ALREADY_LOGGED_IN') throw tokenError('C_Login', err);
      }
    } catch (err) {
      if (session) module.C_CloseSession(session);
      releasePkcs11Module(this.#options.libraryPath);
      throw err;
    }
    this.#module = module;
    this.#session = session;
    return { module, session };
  }

  #selectSlot(module: Pkcs11Types.PKCS11): Handle {
    const slots = call('C_GetSlotList', () => module.C_GetSlotList(true));
    const { tokenLabel, slot } = this.#options;
    const match = slots.filter((s) => {
      if (slot !== undefined && ulongOf(s) !== BigInt(slot)) return false;
      if (tokenLabel !== undefined && call('C_GetTokenInfo', () => module.C_GetTokenInfo(s)).label.trimEnd() !== tokenLabel) return false;
      return true;
    });
    if (match.length !== 1) {
      const what = [tokenLabel !== undefined && `label "${tokenLabel}"`, slot !== undefined && `slot ${slot}`].filter(Boolean).join(' and ');
      throw new Pkcs11TokenError(match.length === 0 ? `no token with ${what}` : `${match.length} tokens with ${what}`);
    }
    return match[0]!;
  }

  #findKey(id: string): TokenKey | undefined {
    let found = this.#findObjects({ class: p11().CKO_PUBLIC_KEY, label: id });
    if (found.length === 0 && /^([0-9a-f]{2})+$/i.test(id)) {
      found = this.#findObjects({ class: p11().CKO_PUBLIC_KEY, id: Buffer.from(id, 'hex') });
    }
    if (found.length === 0) return undefined;
    if (found.length > 1) throw new Pkcs11TokenError(`${found.length} public keys on the token match "${id}"`);
    const handle = found[0]!;
    const [label, ckaId] = this.#attributes(handle, [p11().CKA_LABEL, p11().CKA_ID]);
    const spki = this.#readSpki(handle);
    const algorithm = describePublicKey(spki).algorithm;
    if (!algorithm || !this.supports(algorithm)) {
      throw new UnsupportedKeyAlgorithmError(`token key "${id}" is ${describePublicKey(spki).label}, which ecert does not sign with`);
    }
    return { info: { id, algorithm, spki }, label: label!.toString('utf8'), ckaId: ckaId! };
  }

  #findObjects(query: { class?: number; label?: string; id?: Buffer }): Handle[] {
    const { module, session } = this.#ensureSession();
    const template: Pkcs11Types.Template = [];
    if (query.class !== undefined) template.push({ type: p11().CKA_CLASS, value: query.class });
    if (query.label !== undefined) template.push({ type: p11().CKA_LABEL, value: Buffer.from(query.label, 'utf8') });
    if (query.id !== undefined) template.push({ type: p11().CKA_ID, value: query.id });
    call('C_FindObjectsInit', () => module.C_FindObjectsInit(session, template));
    try {
      const all: Handle[] = [];
      for (;;) {
        const batch = call('C_FindObjects', () => module.C_FindObjects(session, 32));
        all.push(...batch);
        if (batch.length < 32) return all;
      }
    } finally {
      module.C_FindObjectsFinal(session);
    }
  }

  #attributes(handle: Handle, types: number[]): Buffer[] {
    const { module, session } = this.#ensureSession();
    const values = call('C_GetAttributeValue', () => module.C_GetAttributeValue(session, handle, types.map((type) => ({ type }))));
    return types.map((t) => values.find((v) => v.type === t)?.value ?? Buffer.alloc(0));
  }

  /** SubjectPublicKeyInfo from the public object's attributes (Node does the DER encoding). */
  #readSpki(publicKey: Handle): Uint8Array {
    const [keyType] = this.#attributes(publicKey, [p11().CKA_KEY_TYPE]);
    const type = Number(ulongOf(keyType!));
    let jwk: Record<string, string>;
    if (type === p11().CKK_EC) {
      const [params, pointAttr] = this.#attributes(publicKey, [p11().CKA_EC_PARAMS, p11().CKA_EC_POINT]);
      const curve = Object.values(EC_CURVES).find((c) => c.params.equals(params!));
      if (!curve) throw new UnsupportedKeyAlgorithmError(`EC key on curve parameters ${params!.toString('hex')} is not supported`);
      const point = ecPoint(pointAttr!, curve.size);
      jwk = { kty: 'EC', crv: curve.crv, x: b64url(point.subarray(1, 1 + curve.size)), y: b64url(point.subarray(1 + curve.size)) };
    } else if (type === p11().CKK_RSA) {
      const [n, e] = this.#attributes(publicKey, [p11().CKA_MODULUS, p11().CKA_PUBLIC_EXPONENT]);
      jwk = { kty: 'RSA', n: b64url(stripZeros(n!)), e: b64url(stripZeros(e!)) };
    } else {
      throw new UnsupportedKeyAlgorithmError(`PKCS#11 key type ${type} is not supported`);
    }
    return new Uint8Array(createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' }));
  }
}

class Pkcs11Signer implements Signer {
  readonly algorithm: KeyAlgorithm;
  readonly signatureAlgorithmOid: string;
  readonly spki: Uint8Array;
  readonly keyId: string;
  readonly #store: Pkcs11KeyStore;
  readonly #privateKey: Handle;

  constructor(store: Pkcs11KeyStore, info: StoredKeyInfo, privateKey: Handle) {
    this.keyId = info.id;
    this.algorithm = info.algorithm;
    this.spki = info.spki;
    this.signatureAlgorithmOid = signatureAlgorithmOidFor(info.algorithm);
    this.#store = store;
    this.#privateKey = privateKey;
  }

  async sign(data: Uint8Array): Promise<Uint8Array> {
    return this.#store._sign(this.#privateKey, this.algorithm, data);
  }

  toJSON(): Record<string, string> {
    return { keyId: this.keyId, algorithm: this.algorithm, signatureAlgorithmOid: this.signatureAlgorithmOid };
  }
}

/** CKA_EC_POINT is DER OCTET STRING per PKCS#11 2.x; a few modules return the bare point. */
function ecPoint(attr: Buffer, size: number): Buffer {
  const bare = 1 + 2 * size;
  if (attr.length === bare && attr[0] === 0x04) return attr;
  if (attr[0] === 0x04) {
    const [len, start] = attr[1]! < 0x80 ? [attr[1]!, 2] : attr[1] === 0x81 ? [attr[2]!, 3] : [-1, 0];
    const point = attr.subarray(start, start + len);
    if (len === bare && point.length === bare && point[0] === 0x04) return point;
  }
  throw new Pkcs11TokenError('unexpected CKA_EC_POINT encoding (expected an uncompressed point)');
}

function keyIdentifier(spki: Uint8Array): Buffer {
  const info = AsnConvert.parse(spki, SubjectPublicKeyInfo);
  return createHash('sha1').update(new Uint8Array(info.subjectPublicKey)).digest();
}

function stripZeros(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

function b64url(b: Uint8Array): string {
  return Buffer.from(b).toString('base64url');
}

function tokenError(fn: string, err: unknown): Pkcs11TokenError {
  const ckr = ckrName(err);
  return new Pkcs11TokenError(`PKCS#11 ${fn} failed: ${ckr ?? (err instanceof Error ? err.message : String(err))}`, ckr);
}

function call<T>(fn: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof Pkcs11TokenError) throw err;
    throw tokenError(fn, err);
  }
}
