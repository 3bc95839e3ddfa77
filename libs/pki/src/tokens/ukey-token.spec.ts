import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEcSignature } from '../crypto/ec-signature-der';
import { acquirePkcs11Module, pkcs11js, releasePkcs11Module } from '../keys/pkcs11-module';
import { buildCertificate, newSerialNumber } from '../x509/certificate-builder';
import { acceptCsr } from '../x509/csr';
import { encodeName } from '../x509/distinguished-name';
import { ecdsaTestKey } from '../x509/test-signers.spec-helper';
import { UkeyToken } from './ukey-token';
import { UkeyTokenError } from './ukey-token-error';
import { onPath, requireTool } from '../../../../test/support/optional-tool';

const LIBRARY = process.env.ECERT_SOFTHSM2_LIB ?? '/usr/lib/softhsm/libsofthsm2.so';
const HAVE_SOFTHSM = requireTool({
  name: `SoftHSM2 (${LIBRARY} and softhsm2-util)`,
  present: existsSync(LIBRARY) && onPath('softhsm2-util'),
  apt: 'softhsm2',
  tests: 'UKey token tests',
});

const SERIAL = 'GX-UK-000123';
const SO_PIN = '87654321';
const USER_PIN = '123456';
const KEY_ID = '01';
const UNIT = '南宁市某科技有限公司';

async function refusal(f: () => unknown): Promise<UkeyTokenError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(UkeyTokenError);
    return e as UkeyTokenError;
  }
  throw new Error('expected the token to refuse');
}

describe.skipIf(!HAVE_SOFTHSM)('UkeyToken on SoftHSM2', () => {
  let dir: string;
  let token: UkeyToken;
  const previousConf = process.env.SOFTHSM2_CONF;

  beforeAll(() => {
    // A private token directory: SoftHSM reads SOFTHSM2_CONF at C_Initialize, and always offers one
    // free (uninitialised) slot, which is the fresh UKey here.
    dir = mkdtempSync(join(tmpdir(), 'ecert-ukey-'));
    mkdirSync(join(dir, 'tokens'));
    writeFileSync(join(dir, 'softhsm2.conf'), `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    process.env.SOFTHSM2_CONF = join(dir, 'softhsm2.conf');
    token = UkeyToken.open({ libraryPath: LIBRARY });
  });

  afterAll(() => {
    token?.close();
    if (previousConf === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = previousConf;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens the first uninitialised token and initialises it with the UKey serial as label', async () => {
    expect(token.info()).toMatchObject({ initialised: false, userPinSet: false });
    expect(await refusal(() => token.initialise({ soPin: SO_PIN, label: 'x'.repeat(33), userPin: USER_PIN }))).toMatchObject({ reason: 'template_refused' });
    expect(await refusal(() => token.initialise({ soPin: SO_PIN, label: SERIAL, userPin: '12' }))).toMatchObject({ reason: 'pin_length' });

    token.initialise({ soPin: SO_PIN, label: SERIAL, userPin: USER_PIN });
    expect(token.info()).toMatchObject({ initialised: true, userPinSet: true, label: SERIAL });
    // Found again by its label, from a second handle on the same (shared) module.
    const again = UkeyToken.open({ libraryPath: LIBRARY, label: SERIAL });
    expect(again.info().slot).toBe(token.info().slot);
    again.close();
  });

  it('names what it could not find', async () => {
    const e = await refusal(() => UkeyToken.open({ libraryPath: LIBRARY, label: 'NO-SUCH-UKEY' }));
    expect(e.reason).toBe('token_not_found');
    expect(e.message).toContain(SERIAL);
    const m = await refusal(() => UkeyToken.open({ libraryPath: '/nonexistent/libvendor-pkcs11.so' }));
    expect(m.reason).toBe('module_unavailable');
  });

  it('says "wrong PIN" for a wrong user PIN', async () => {
    const e = await refusal(() => token.loginUser('000000'));
    expect(e).toMatchObject({ reason: 'wrong_pin', ckr: 'CKR_PIN_INCORRECT' });
    expect(e.message).toMatch(/^user login: wrong PIN \(C_Login CKR_PIN_INCORRECT\)$/);
  });

  it('generates the key pair on the token: private key sensitive and non-extractable', async () => {
    token.loginUser(USER_PIN);
    const pair = token.generateKeyPair({ algorithm: 'EC-P256', id: KEY_ID, label: 'ecert-sign' });
    expect(pair.privateKey).toEqual({ sensitive: true, extractable: false, alwaysSensitive: true, neverExtractable: true });
    expect(createPublicKey({ key: Buffer.from(pair.spki), format: 'der', type: 'spki' }).asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
    expect(token.publicKey(KEY_ID)).toEqual(pair.spki);

    // Read the private key object directly: CKA_EXTRACTABLE false, and its value cannot be read.
    const p = pkcs11js();
    const module = acquirePkcs11Module(LIBRARY, (_fn, err) => err as Error);
    try {
      const session = module.C_OpenSession(module.C_GetSlotList(true).find((s) => module.C_GetTokenInfo(s).label.trim() === SERIAL)!, p.CKF_SERIAL_SESSION);
      module.C_FindObjectsInit(session, [{ type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY }, { type: p.CKA_ID, value: Buffer.from(KEY_ID, 'hex') }]);
      const [handle] = module.C_FindObjects(session, 2);
      module.C_FindObjectsFinal(session);
      const [extractable] = module.C_GetAttributeValue(session, handle!, [{ type: p.CKA_EXTRACTABLE }]);
      expect((extractable!.value as Buffer)[0]).toBe(0);
      expect(() => module.C_GetAttributeValue(session, handle!, [{ type: p.CKA_VALUE }])).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
      module.C_CloseSession(session);
    } finally {
      releasePkcs11Module(LIBRARY);
    }

    expect(await refusal(() => token.generateKeyPair({ algorithm: 'EC-P256', id: KEY_ID, label: 'again' }))).toMatchObject({ reason: 'object_exists' });
    expect(await refusal(() => token.generateKeyPair({ algorithm: 'SM2' as 'EC-P256', id: '02', label: 'sm2' }))).toMatchObject({ reason: 'mechanism_unsupported' });
  });

  it('signs with ECDSA P-256 / SHA-256, DER-encoded, verifiable with node:crypto', () => {
    const data = new TextEncoder().encode('login challenge 9f2c');
    const sig = token.sign(KEY_ID, data);
    expect(decodeEcSignature(sig)).toBeDefined();
    const key = createPublicKey({ key: Buffer.from(token.publicKey(KEY_ID)), format: 'der', type: 'spki' });
    expect(verify('sha256', data, { key, dsaEncoding: 'der' }, sig)).toBe(true);
    expect(verify('sha256', new TextEncoder().encode('other'), { key, dsaEncoding: 'der' }, sig)).toBe(false);
  });

  it('builds a CSR signed by the token that acceptCsr takes as proof of possession', async () => {
    const csr = await token.buildCsr({ C: 'CN', O: UNIT, CN: UNIT }, KEY_ID);
    expect(csr.pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
    const parsed = acceptCsr(csr.pem);
    expect(parsed.subject).toContain(`CN=${UNIT}`);
    expect(parsed.subjectSpki).toEqual(token.publicKey(KEY_ID));
    expect(parsed.keyFamily).toBe('ecdsa');
    // Tampering with the signed part breaks it (the signature really covers these bytes).
    const tampered = Buffer.from(csr.der);
    tampered[tampered.indexOf(Buffer.from(UNIT, 'utf8')) + 1]! ^= 1;
    expect(() => acceptCsr(tampered)).toThrow(/签名|signature|malformed|格式/);
  });

  it('writes the certificate with the key id and the chain, and reads them back without logging in', async () => {
    const ca = ecdsaTestKey();
    const caName = encodeName({ C: 'CN', O: 'ecert test', CN: 'ecert test issuing CA' });
    const now = Date.now();
    const caDer = await buildCertificate({ issuer: { name: caName, spki: ca.signer.spki }, signer: ca.signer, subjectName: caName, subjectSpki: ca.signer.spki, serialNumber: newSerialNumber(), notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000), extensions: [] });
    const leafDer = await buildCertificate({ issuer: { name: caName, spki: ca.signer.spki }, signer: ca.signer, subjectName: encodeName({ C: 'CN', CN: UNIT }), subjectSpki: token.publicKey(KEY_ID), serialNumber: newSerialNumber(), notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000), extensions: [] });

    token.writeCertificate(leafDer, KEY_ID, 'ecert-sign');
    token.writeCertificate(caDer, 'ca01', 'ca:ecert test issuing CA');
    token.writeCertificate(leafDer, KEY_ID, 'ecert-sign'); // the same certificate again: no duplicate
    token.logout();

    const certs = token.readCertificates();
    expect(certs.map((c) => [c.id, c.label]).sort()).toEqual([['01', 'ecert-sign'], ['ca01', 'ca:ecert test issuing CA']]);
    const leaf = new X509Certificate(Buffer.from(certs.find((c) => c.id === KEY_ID)!.der));
    expect(leaf.verify(new X509Certificate(Buffer.from(caDer)).publicKey)).toBe(true);
    expect(leaf.subject).toContain(UNIT);
  });

  it('writes data objects (the .esl seal), replaces one by label, reads them back', () => {
    token.loginUser(USER_PIN);
    const esl = Uint8Array.from([0x30, 0x82, 0x01, 0x00, ...Array.from({ length: 256 }, (_, i) => i & 0xff)]);
    token.writeData('seal:1111', 'ecert.seal', Uint8Array.of(1, 2, 3));
    token.writeData('seal:1111', 'ecert.seal', esl);
    token.writeData('seal:2222', 'ecert.seal', Uint8Array.of(9));
    token.logout();
    expect(token.readData('seal:1111')).toEqual(esl);
    expect(token.readData('seal:nope')).toBeUndefined();
    expect(token.listData().map((d) => `${d.application} ${d.label}`).sort()).toEqual(['ecert.seal seal:1111', 'ecert.seal seal:2222']);
  });

  it('resets the user PIN as SO and rotates the SO PIN: old PINs refused, new ones accepted', async () => {
    const NEW_PIN = '246810';
    const NEXT_SO = '13572468';
    token.loginUser(USER_PIN); // a logged-in user does not stop the reset
    expect(await refusal(() => token.resetUserPin({ soPin: '00000000', newUserPin: NEW_PIN }))).toMatchObject({ reason: 'wrong_pin', message: expect.stringContaining('SO login: wrong PIN') });
    token.resetUserPin({ soPin: SO_PIN, newUserPin: NEW_PIN, nextSoPin: NEXT_SO });

    expect(await refusal(() => token.loginUser(USER_PIN))).toMatchObject({ reason: 'wrong_pin' });
    token.loginUser(NEW_PIN);
    expect(decodeEcSignature(token.sign(KEY_ID, Uint8Array.of(1)))).toBeDefined(); // the key survived
    token.logout();

    // The released SO PIN is spent; the next one works (what a retrying unlock tool relies on).
    expect(await refusal(() => token.resetUserPin({ soPin: SO_PIN, newUserPin: USER_PIN }))).toMatchObject({ reason: 'wrong_pin' });
    token.resetUserPin({ soPin: NEXT_SO, newUserPin: USER_PIN });
    token.loginUser(USER_PIN);
    token.logout();
    // Objects are untouched by a PIN reset.
    expect(token.readCertificates()).toHaveLength(2);
    expect(token.readData('seal:2222')).toEqual(Uint8Array.of(9));
  });

  it('refuses to re-initialise with a wrong SO PIN, and stops working once closed', async () => {
    const other = UkeyToken.open({ libraryPath: LIBRARY, label: SERIAL });
    token.close();
    try {
      expect(await refusal(() => other.initialise({ soPin: SO_PIN, label: SERIAL, userPin: USER_PIN }))).toMatchObject({ reason: 'wrong_pin' });
    } finally {
      other.close();
    }
    expect(await refusal(() => token.loginUser(USER_PIN))).toMatchObject({ reason: 'token_error' });
  });
});

