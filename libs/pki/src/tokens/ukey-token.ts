import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import type * as Pkcs11Types from 'pkcs11js';
import { OID } from '../crypto/algorithms';
import { rawEcSignatureToDer } from '../crypto/ec-signature-der';
import type { Signer } from '../crypto/signer';
import { derBitString, derOid, derSequence, derTlv } from '../der/der-writer';
import { acquirePkcs11Module, ckrName, pkcs11js as p11, releasePkcs11Module, ulongOf } from '../keys/pkcs11-module';
import { certificateFields } from '../revocation/certificate-fields';
import type { DistinguishedNameInput } from '../x509/distinguished-name';
import { buildCertificationRequest, type BuiltCertificationRequest } from './certification-request-builder';
import { UkeyTokenError } from './ukey-token-error';

type Handle = Buffer;

export interface UkeyTokenOptions {
  /** The vendor's PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  readonly libraryPath: string;
  /** The slot, as `pkcs11-tool -L` or `softhsm2-util --show-slots` shows it… */
  readonly slot?: number | bigint;
  /** …or the token label (ecert labels a UKey with its serial). Neither: the first uninitialised token. */
  readonly label?: string;
}

export interface UkeyTokenInfo {
  readonly slot: bigint;
  readonly label: string;
  readonly manufacturer: string;
  readonly model: string;
  /** The token's own serial number (the module's, not the UKey serial ecert labels it with). */
  readonly serialNumber: string;
  readonly initialised: boolean;
  readonly userPinSet: boolean;
  readonly userPinLocked: boolean;
  readonly soPinLocked: boolean;
  readonly minPinLength: number;
  readonly maxPinLength: number;
}

/** Only P-256 for now: SM2 has no standard PKCS#11 mechanism (see docs/ukeys.md). */
export type UkeyKeyAlgorithm = 'EC-P256';

export interface GenerateKeyPairInput {
  readonly algorithm: UkeyKeyAlgorithm;
  /** CKA_ID as hex: pairs the private key, public key and certificate. */
  readonly id: string;
  readonly label: string;
}

export interface TokenKeyPair {
  readonly id: string;
  readonly label: string;
  readonly algorithm: UkeyKeyAlgorithm;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** The private key's protection as the token reports it (read back, not assumed). */
  readonly privateKey: { sensitive: boolean; extractable: boolean; alwaysSensitive: boolean; neverExtractable: boolean };
}

export interface TokenCertificate {
  /** CKA_ID as hex (the key's id for the holder's certificate). */
  readonly id: string;
  readonly label: string;
  readonly der: Uint8Array;
}

export interface TokenDataObject {
  readonly label: string;
  readonly application: string;
  readonly value: Uint8Array;
}

const P256 = { params: Buffer.from('06082a8648ce3d030107', 'hex'), size: 32 } as const;
const LABEL_BYTES = 32;
const KEY_ID = /^(?:[0-9a-f]{2}){1,64}$/i;

/**
 * A UKey (or SoftHSM2 standing in for one) through its vendor's PKCS#11 module, as a production
 * station and the remote-unlock tool use it: initialise with the SO PIN, generate a
 * non-extractable key pair on it, have it sign (CSR, login challenge), store certificates and
 * data objects (the .esl seal), reset the user PIN as SO.
 *
 * One read/write session per instance; PKCS#11 login state is per token and application, so keep
 * one instance per token in a process. Calls are synchronous (pkcs11js blocks): a UKey signs in
 * tens of milliseconds, which is what a station's event loop waits.
 */
export class UkeyToken {
  readonly #libraryPath: string;
  readonly #module: Pkcs11Types.PKCS11;
  readonly #slot: Handle;
  #session: Handle | undefined;
  #closed = false;

  private constructor(libraryPath: string, module: Pkcs11Types.PKCS11, slot: Handle) {
    this.#libraryPath = libraryPath;
    this.#module = module;
    this.#slot = slot;
  }

  /** Loads the module (shared with any key store on the same library) and picks the slot. */
  static open(options: UkeyTokenOptions): UkeyToken {
    const module = acquirePkcs11Module(options.libraryPath, (fn, err) => UkeyTokenError.from(`opening ${options.libraryPath}`, fn, err));
    try {
      return new UkeyToken(options.libraryPath, module, selectSlot(module, options));
    } catch (err) {
      releasePkcs11Module(options.libraryPath);
      throw err;
    }
  }

  info(): UkeyTokenInfo {
    const i = this.#call('reading the token information', 'C_GetTokenInfo', () => this.#module.C_GetTokenInfo(this.#slot));
    const f = i.flags;
    return {
      slot: ulongOf(this.#slot),
      label: trimPadding(i.label),
      manufacturer: trimPadding(i.manufacturerID),
      model: trimPadding(i.model),
      serialNumber: trimPadding(i.serialNumber),
      initialised: (f & p11().CKF_TOKEN_INITIALIZED) !== 0,
      userPinSet: (f & p11().CKF_USER_PIN_INITIALIZED) !== 0,
      userPinLocked: (f & p11().CKF_USER_PIN_LOCKED) !== 0,
      soPinLocked: (f & p11().CKF_SO_PIN_LOCKED) !== 0,
      minPinLength: i.minPinLen,
      maxPinLength: i.maxPinLen,
    };
  }

  /**
   * C_InitToken (wipes the token) with the SO PIN and the label, then as SO sets the user PIN.
   * Needs no session open on the token, so this instance's own is closed first.
   */
  initialise(input: { soPin: string; label: string; userPin: string }): void {
    this.#assertOpen();
    const label = paddedLabel(input.label);
    this.#checkPinLength('SO PIN', input.soPin);
    this.#checkPinLength('user PIN', input.userPin);
    this.#closeSession();
    // pkcs11js hands the string's pointer to C_InitToken, which reads exactly 32 bytes: the label
    // must be blank-padded to 32 bytes (the spec's padding), or the module reads past it.
    this.#call('initialising the token', 'C_InitToken', () => this.#module.C_InitToken(this.#slot, input.soPin, label));
    this.#asSo('setting the user PIN', input.soPin, (session) => {
      this.#call('setting the user PIN', 'C_InitPIN', () => this.#module.C_InitPIN(session, input.userPin));
    });
  }

  /** Logs in as the user; re-logs in if already logged in, so the PIN is always really checked. */
  loginUser(pin: string): void {
    const session = this.#ensureSession();
    try {
      this.#module.C_Login(session, p11().CKU_USER, pin);
    } catch (err) {
      if (ckrName(err) !== 'CKR_USER_ALREADY_LOGGED_IN') throw UkeyTokenError.from('user login', 'C_Login', err);
      this.logout();
      this.#call('user login', 'C_Login', () => this.#module.C_Login(session, p11().CKU_USER, pin));
    }
  }

  logout(): void {
    if (!this.#session) return;
    try {
      this.#module.C_Logout(this.#session);
    } catch (err) {
      if (ckrName(err) !== 'CKR_USER_NOT_LOGGED_IN') throw UkeyTokenError.from('logging out', 'C_Logout', err);
    }
  }

  /**
   * Generates the key pair on the token (needs the user logged in). The private key is created
   * sensitive and non-extractable, and that is read back: a module that ignored the template
   * would otherwise leave an exportable key on a UKey ecert certifies.
   */
  generateKeyPair(input: GenerateKeyPairInput): TokenKeyPair {
    if (input.algorithm !== 'EC-P256') throw new UkeyTokenError('mechanism_unsupported', `key algorithm ${String(input.algorithm)} is not supported on UKeys here (EC-P256 only)`);
    const ckaId = keyIdBytes(input.id);
    const session = this.#ensureSession();
    if (this.#find({ class: p11().CKO_PRIVATE_KEY, id: ckaId }).length || this.#find({ class: p11().CKO_PUBLIC_KEY, id: ckaId }).length) {
      throw new UkeyTokenError('object_exists', `a key with id ${input.id} is already on the token`);
    }
    const common = [
      { type: p11().CKA_TOKEN, value: true },
      { type: p11().CKA_ID, value: ckaId },
      { type: p11().CKA_LABEL, value: Buffer.from(input.label, 'utf8') },
      { type: p11().CKA_KEY_TYPE, value: p11().CKK_EC },
    ];
    const publicTemplate: Pkcs11Types.Template = [
      ...common,
      { type: p11().CKA_CLASS, value: p11().CKO_PUBLIC_KEY },
      { type: p11().CKA_PRIVATE, value: false },
      { type: p11().CKA_VERIFY, value: true },
      { type: p11().CKA_EC_PARAMS, value: P256.params },
    ];
    const privateTemplate: Pkcs11Types.Template = [
      ...common,
      { type: p11().CKA_CLASS, value: p11().CKO_PRIVATE_KEY },
      { type: p11().CKA_PRIVATE, value: true },
      { type: p11().CKA_SENSITIVE, value: true },
      { type: p11().CKA_EXTRACTABLE, value: false },
      { type: p11().CKA_SIGN, value: true },
      { type: p11().CKA_DERIVE, value: false },
    ];
    const pair = this.#call('generating the key pair', 'C_GenerateKeyPair', () =>
      this.#module.C_GenerateKeyPair(session, { mechanism: p11().CKM_EC_KEY_PAIR_GEN }, publicTemplate, privateTemplate),
    );
    const [sensitive, extractable, alwaysSensitive, neverExtractable] = this.#attributes(pair.privateKey, [
      p11().CKA_SENSITIVE,
      p11().CKA_EXTRACTABLE,
      p11().CKA_ALWAYS_SENSITIVE,
      p11().CKA_NEVER_EXTRACTABLE,
    ]).map(isTrue);
    const privateKey = { sensitive: sensitive!, extractable: extractable!, alwaysSensitive: alwaysSensitive!, neverExtractable: neverExtractable! };
    if (!privateKey.sensitive || privateKey.extractable) {
      for (const h of [pair.privateKey, pair.publicKey]) this.#module.C_DestroyObject(session, h);
      throw new UkeyTokenError('key_extractable', `the token made the private key ${privateKey.extractable ? 'extractable' : 'not sensitive'} despite the template: key destroyed, token unfit`);
    }
    return { id: input.id.toLowerCase(), label: input.label, algorithm: 'EC-P256', spki: this.#readSpki(pair.publicKey), privateKey };
  }

  /** DER SPKI of the public key with that CKA_ID. */
  publicKey(id: string): Uint8Array {
    return this.#readSpki(this.#one(p11().CKO_PUBLIC_KEY, id, 'public key'));
  }

  /**
   * ECDSA P-256 with SHA-256 over `data`: hashed here and signed with plain CKM_ECDSA (UKey modules
   * often lack CKM_ECDSA_SHA256), the token's r || s DER-encoded as X.509 and the login check want.
   */
  sign(id: string, data: Uint8Array): Uint8Array {
    const session = this.#ensureSession();
    const key = this.#one(p11().CKO_PRIVATE_KEY, id, 'private key');
    const digest = createHash('sha256').update(data).digest();
    this.#call('signing', 'C_SignInit', () => this.#module.C_SignInit(session, { mechanism: p11().CKM_ECDSA }, key));
    const raw = this.#call('signing', 'C_Sign', () => this.#module.C_Sign(session, digest, Buffer.alloc(2 * P256.size)));
    return rawEcSignatureToDer(raw);
  }

  /** The key as a Signer (for builders that take one); signing still needs the user logged in. */
  signer(id: string): Signer {
    const spki = this.publicKey(id);
    return { algorithm: 'EC-P256', signatureAlgorithmOid: OID.ecdsaWithSha256, spki, sign: async (data) => this.sign(id, data) };
  }

  /** A PKCS#10 request for `subject` whose signature the token makes (proof of possession). */
  buildCsr(subject: DistinguishedNameInput, keyId: string): Promise<BuiltCertificationRequest> {
    return buildCertificationRequest(subject, this.signer(keyId));
  }

  /**
   * Stores an X.509 certificate as a public CKO_CERTIFICATE; `id` = the key's CKA_ID for the holder's
   * own certificate, so middleware pairs them. Subject, issuer and serial are set too: browsers'
   * and UKey vendors' middleware search by them. Storing the same certificate again does nothing.
   */
  writeCertificate(der: Uint8Array, id: string, label: string): void {
    const session = this.#ensureSession();
    const value = Buffer.from(der);
    const fields = certificateFields(der);
    if (this.readCertificates().some((c) => value.equals(c.der))) return;
    this.#call('writing a certificate', 'C_CreateObject', () =>
      this.#module.C_CreateObject(session, [
        { type: p11().CKA_CLASS, value: p11().CKO_CERTIFICATE },
        { type: p11().CKA_CERTIFICATE_TYPE, value: p11().CKC_X_509 },
        { type: p11().CKA_TOKEN, value: true },
        { type: p11().CKA_PRIVATE, value: false },
        { type: p11().CKA_ID, value: keyIdBytes(id) },
        { type: p11().CKA_LABEL, value: Buffer.from(label, 'utf8') },
        { type: p11().CKA_SUBJECT, value: Buffer.from(fields.subject) },
        { type: p11().CKA_ISSUER, value: Buffer.from(fields.issuer) },
        { type: p11().CKA_SERIAL_NUMBER, value: Buffer.from(derTlv(0x02, fields.serialNumber)) },
        { type: p11().CKA_VALUE, value },
      ]),
    );
  }

  /** Every X.509 certificate on the token (public objects: no login needed). */
  readCertificates(): TokenCertificate[] {
    return this.#find({ class: p11().CKO_CERTIFICATE }).flatMap((h) => {
      const [type, id, label, value] = this.#attributes(h, [p11().CKA_CERTIFICATE_TYPE, p11().CKA_ID, p11().CKA_LABEL, p11().CKA_VALUE]);
      if (Number(ulongOf(type!)) !== p11().CKC_X_509) return [];
      return [{ id: id!.toString('hex'), label: label!.toString('utf8'), der: new Uint8Array(value!) }];
    });
  }

  /** Stores a public CKO_DATA object; one per label and application (a second write replaces it). */
  writeData(label: string, application: string, value: Uint8Array): void {
    const session = this.#ensureSession();
    for (const h of this.#find({ class: p11().CKO_DATA, label, application })) {
      this.#call('replacing a data object', 'C_DestroyObject', () => this.#module.C_DestroyObject(session, h));
    }
    this.#call('writing a data object', 'C_CreateObject', () =>
      this.#module.C_CreateObject(session, [
        { type: p11().CKA_CLASS, value: p11().CKO_DATA },
        { type: p11().CKA_TOKEN, value: true },
        { type: p11().CKA_PRIVATE, value: false },
        { type: p11().CKA_LABEL, value: Buffer.from(label, 'utf8') },
        { type: p11().CKA_APPLICATION, value: Buffer.from(application, 'utf8') },
        { type: p11().CKA_VALUE, value: Buffer.from(value) },
      ]),
    );
  }

  /** The value of the data object with that label, or undefined. */
  readData(label: string): Uint8Array | undefined {
    const found = this.#find({ class: p11().CKO_DATA, label });
    if (found.length > 1) throw new UkeyTokenError('object_exists', `${found.length} data objects are labelled "${label}"`);
    return found[0] ? new Uint8Array(this.#attributes(found[0], [p11().CKA_VALUE])[0]!) : undefined;
  }

  /** All public data objects with their labels and applications. */
  listData(): TokenDataObject[] {
    return this.#find({ class: p11().CKO_DATA }).map((h) => {
      const [label, application, value] = this.#attributes(h, [p11().CKA_LABEL, p11().CKA_APPLICATION, p11().CKA_VALUE]);
      return { label: label!.toString('utf8'), application: application!.toString('utf8'), value: new Uint8Array(value!) };
    });
  }

  /**
   * Remote unlock: as SO, C_InitPIN a new user PIN (which also clears the user PIN's lock), then
   * rotate the SO PIN to `nextSoPin` when given, so the released SO PIN is spent. The user PIN is
   * set first: a crash in between leaves the old SO PIN valid and the whole reset repeatable.
   */
  resetUserPin(input: { soPin: string; newUserPin: string; nextSoPin?: string }): void {
    this.#checkPinLength('user PIN', input.newUserPin);
    if (input.nextSoPin !== undefined) this.#checkPinLength('next SO PIN', input.nextSoPin);
    this.logout(); // an SO login is refused while the user is logged in
    this.#asSo('resetting the user PIN', input.soPin, (session) => {
      this.#call('resetting the user PIN', 'C_InitPIN', () => this.#module.C_InitPIN(session, input.newUserPin));
      if (input.nextSoPin !== undefined) {
        const next = input.nextSoPin;
        this.#call('rotating the SO PIN', 'C_SetPIN', () => this.#module.C_SetPIN(session, input.soPin, next));
      }
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#closeSession(); // closing the last session also logs out
    } catch {
      // A removed UKey has no session left to close; the module is released all the same.
    } finally {
      releasePkcs11Module(this.#libraryPath);
    }
  }

  toJSON(): Record<string, string> {
    return { libraryPath: this.#libraryPath, slot: ulongOf(this.#slot).toString() };
  }

  [inspect.custom](): string {
    return `UkeyToken ${JSON.stringify(this.toJSON())}`;
  }

  #asSo(doing: string, soPin: string, f: (session: Handle) => void): void {
    const session = this.#ensureSession();
    this.#call(`${doing}: SO login`, 'C_Login', () => this.#module.C_Login(session, p11().CKU_SO, soPin));
    try {
      f(session);
    } finally {
      this.logout();
    }
  }

  #checkPinLength(what: string, pin: string): void {
    const { minPinLength, maxPinLength } = this.info();
    const n = Buffer.byteLength(pin, 'utf8');
    // Some modules report 0 / CK_UNAVAILABLE_INFORMATION: then the token alone decides.
    const max = maxPinLength > 0 && maxPinLength < 0xffffffff ? maxPinLength : Infinity;
    if (n < minPinLength || n > max) {
      throw new UkeyTokenError('pin_length', `${what} must be ${minPinLength}–${max === Infinity ? 'any' : max} characters on this token, not ${n}`, 'CKR_PIN_LEN_RANGE');
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new UkeyTokenError('token_error', 'the token was closed');
  }

  #ensureSession(): Handle {
    this.#assertOpen();
    this.#session ??= this.#call('opening a session', 'C_OpenSession', () =>
      this.#module.C_OpenSession(this.#slot, p11().CKF_SERIAL_SESSION | p11().CKF_RW_SESSION),
    );
    return this.#session;
  }

  #closeSession(): void {
    const session = this.#session;
    this.#session = undefined;
    if (session) this.#call('closing the session', 'C_CloseSession', () => this.#module.C_CloseSession(session));
  }

  #one(cls: number, id: string, what: string): Handle {
    const found = this.#find({ class: cls, id: keyIdBytes(id) });
    if (found.length === 0) throw new UkeyTokenError('object_not_found', `no ${what} with id ${id} on the token${cls === p11().CKO_PRIVATE_KEY ? ' (or not logged in)' : ''}`);
    if (found.length > 1) throw new UkeyTokenError('object_exists', `${found.length} ${what}s with id ${id} on the token`);
    return found[0]!;
  }

  #find(query: { class: number; id?: Buffer; label?: string; application?: string }): Handle[] {
    const session = this.#ensureSession();
    const template: Pkcs11Types.Template = [{ type: p11().CKA_CLASS, value: query.class }];
    if (query.id) template.push({ type: p11().CKA_ID, value: query.id });
    if (query.label !== undefined) template.push({ type: p11().CKA_LABEL, value: Buffer.from(query.label, 'utf8') });
    if (query.application !== undefined) template.push({ type: p11().CKA_APPLICATION, value: Buffer.from(query.application, 'utf8') });
    this.#call('searching the token', 'C_FindObjectsInit', () => this.#module.C_FindObjectsInit(session, template));
    try {
      const all: Handle[] = [];
      for (;;) {
        const batch = this.#call('searching the token', 'C_FindObjects', () => this.#module.C_FindObjects(session, 32));
        all.push(...batch);
        if (batch.length < 32) return all;
      }
    } finally {
      this.#module.C_FindObjectsFinal(session);
    }
  }

  #attributes(handle: Handle, types: number[]): Buffer[] {
    const session = this.#ensureSession();
    const values = this.#call('reading attributes', 'C_GetAttributeValue', () =>
      this.#module.C_GetAttributeValue(session, handle, types.map((type) => ({ type }))),
    );
    return types.map((t) => (values.find((v) => v.type === t)?.value as Buffer | undefined) ?? Buffer.alloc(0));
  }

  #readSpki(publicKey: Handle): Uint8Array {
    const [params, point] = this.#attributes(publicKey, [p11().CKA_EC_PARAMS, p11().CKA_EC_POINT]);
    if (!params!.equals(P256.params)) throw new UkeyTokenError('mechanism_unsupported', `public key on curve ${params!.toString('hex')} is not P-256`);
    return derSequence(derSequence(derOid(OID.ecPublicKey), P256.params), derBitString(ecPoint(point!)));
  }

  #call<T>(doing: string, fn: string, f: () => T): T {
    try {
      return f();
    } catch (err) {
      throw UkeyTokenError.from(doing, fn, err);
    }
  }
}

function selectSlot(module: Pkcs11Types.PKCS11, options: UkeyTokenOptions): Handle {
  const call = <T>(fn: string, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      throw UkeyTokenError.from('finding the token', fn, err);
    }
  };
  const slots = call('C_GetSlotList', () => module.C_GetSlotList(true));
  const described = slots.map((s) => ({ s, info: call('C_GetTokenInfo', () => module.C_GetTokenInfo(s)) }));
  const { slot, label } = options;
  const match = described.filter(({ s, info }) => {
    if (slot !== undefined && ulongOf(s) !== BigInt(slot)) return false;
    if (label !== undefined && trimPadding(info.label) !== label) return false;
    if (slot === undefined && label === undefined) return (info.flags & p11().CKF_TOKEN_INITIALIZED) === 0;
    return true;
  });
  if (match.length === 1) return match[0]!.s;
  const what = slot === undefined && label === undefined ? 'an uninitialised token' : [label !== undefined && `label "${label}"`, slot !== undefined && `slot ${slot}`].filter(Boolean).join(' and ');
  if (match.length === 0) {
    const present = described.map(({ s, info }) => `slot ${ulongOf(s)} "${trimPadding(info.label)}"`).join(', ') || 'none';
    throw new UkeyTokenError('token_not_found', `no token with ${what} (tokens present: ${present})`);
  }
  // Several fresh tokens: take the first, as a station with a stack of blank UKeys would.
  if (slot === undefined && label === undefined) return match[0]!.s;
  throw new UkeyTokenError('token_not_found', `${match.length} tokens with ${what}: name the slot`);
}

/** Labels are 32 bytes blank-padded (PKCS#11 CK_TOKEN_INFO); some modules pad with NULs instead. */
function trimPadding(s: string): string {
  return s.replace(/[\s\0]+$/, '');
}

function paddedLabel(label: string): string {
  const bytes = Buffer.byteLength(label, 'utf8');
  if (!label || label !== label.trim() || bytes > LABEL_BYTES) {
    throw new UkeyTokenError('template_refused', `token label "${label}" must be 1–${LABEL_BYTES} bytes without surrounding blanks`);
  }
  return label + ' '.repeat(LABEL_BYTES - bytes);
}

function keyIdBytes(id: string): Buffer {
  if (!KEY_ID.test(id)) throw new UkeyTokenError('template_refused', `key id "${id}" must be hex (1–64 bytes)`);
  return Buffer.from(id, 'hex');
}

function isTrue(b: Buffer): boolean {
  return b.length > 0 && b[0] !== 0;
}

/** CKA_EC_POINT is a DER OCTET STRING per PKCS#11 2.x; a few modules return the bare point. */
function ecPoint(attr: Buffer): Buffer {
  const bare = 1 + 2 * P256.size;
  if (attr.length === bare && attr[0] === 0x04) return attr;
  if (attr[0] === 0x04 && attr[1] === bare && attr.length === bare + 2 && attr[2] === 0x04) return attr.subarray(2);
  throw new UkeyTokenError('token_error', 'unexpected CKA_EC_POINT encoding (expected an uncompressed P-256 point)');
}
