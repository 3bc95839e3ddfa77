import { execFileSync } from 'node:child_process';
import { constants, createHash, createPublicKey, verify } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Pkcs11Types from 'pkcs11js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { OID, type KeyAlgorithm } from '../crypto/algorithms';
import { decodeEcSignature } from '../crypto/ec-signature-der';
import { describePublicKey } from '../crypto/public-key-info';
import { verifySignature } from '../crypto/signature-verifier';
import { KeyAlreadyExistsError, KeyNotFoundError, KeyStoreClosedError, Pkcs11TokenError, UnsupportedKeyAlgorithmError } from './key-store-errors';
import { Pkcs11KeyStore } from './pkcs11-key-store';
import { onPath, requireTool } from '../../../../test/support/optional-tool';

const LIBRARY = process.env.ECERT_SOFTHSM2_LIB ?? '/usr/lib/softhsm/libsofthsm2.so';
const HAVE_SOFTHSM = requireTool({
  name: `SoftHSM2 (${LIBRARY} and softhsm2-util)`,
  present: existsSync(LIBRARY) && onPath('softhsm2-util'),
  apt: 'softhsm2',
  tests: 'PKCS#11 key store tests',
});

const TOKEN = 'ecert-test';
const PIN = '123456';
const data = new TextEncoder().encode('TBSCertificate bytes');

describe.skipIf(!HAVE_SOFTHSM)('Pkcs11KeyStore on SoftHSM2', () => {
  let dir: string;
  let slotId: bigint;
  let store: Pkcs11KeyStore;
  const previousConf = process.env.SOFTHSM2_CONF;

  beforeAll(() => {
    // A throwaway token directory; SoftHSM reads SOFTHSM2_CONF at C_Initialize.
    dir = mkdtempSync(join(tmpdir(), 'ecert-softhsm-'));
    mkdirSync(join(dir, 'tokens'));
    writeFileSync(join(dir, 'softhsm2.conf'), `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    process.env.SOFTHSM2_CONF = join(dir, 'softhsm2.conf');
    const out = execFileSync('softhsm2-util', ['--init-token', '--free', '--label', TOKEN, '--pin', PIN, '--so-pin', '654321'], {
      env: process.env,
      encoding: 'utf8',
    });
    slotId = BigInt(/reassigned to slot (\d+)/.exec(out)![1]!);
    // SoftHSM only sees tokens that exist when the module initialises: create all of them now.
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'pin-test', '--pin', PIN, '--so-pin', '654321'], { env: process.env });
    store = new Pkcs11KeyStore({ libraryPath: LIBRARY, tokenLabel: TOKEN, pin: PIN });
  });

  afterAll(async () => {
    await store?.close();
    if (previousConf === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = previousConf;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('supports EC and RSA but not SM2', () => {
    expect(store.supports('EC-P256')).toBe(true);
    expect(store.supports('EC-P384')).toBe(true);
    expect(store.supports('RSA-2048')).toBe(true);
    expect(store.supports('RSA-4096')).toBe(true);
    expect(store.supports('SM2')).toBe(false);
  });

  it.each(['EC-P256', 'EC-P384', 'RSA-2048', 'RSA-3072'] as KeyAlgorithm[])('generates on the token and signs with %s', async (alg) => {
    const id = `ca-${alg}`;
    const info = await store.generate(id, alg);
    expect(info).toMatchObject({ id, algorithm: alg });
    expect(describePublicKey(info.spki).algorithm).toBe(alg);
    expect(await store.find(id)).toEqual(info);

    const signer = await store.signer(id);
    expect(signer.algorithm).toBe(alg);
    const sig = await signer.sign(data);
    const key = createPublicKey({ key: Buffer.from(info.spki), format: 'der', type: 'spki' });
    if (alg.startsWith('EC-')) {
      expect(decodeEcSignature(sig)).toBeDefined();
      const hash = alg === 'EC-P256' ? 'sha256' : 'sha384';
      expect(signer.signatureAlgorithmOid).toBe(alg === 'EC-P256' ? OID.ecdsaWithSha256 : OID.ecdsaWithSha384);
      expect(verify(hash, data, { key, dsaEncoding: 'der' }, sig)).toBe(true);
      expect(verify(hash, Buffer.from('other'), { key, dsaEncoding: 'der' }, sig)).toBe(false);
    } else {
      expect(signer.signatureAlgorithmOid).toBe(OID.sha256WithRsa);
      expect(verify('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, sig)).toBe(true);
      expect(verify('sha256', Buffer.from('other'), { key, padding: constants.RSA_PKCS1_PADDING }, sig)).toBe(false);
    }
    const input = { spki: info.spki, signatureAlgorithmOid: signer.signatureAlgorithmOid, data, signature: sig };
    expect(verifySignature(input)).toBe(true);
    const tampered = Uint8Array.from(sig);
    tampered[tampered.length - 2]! ^= 1;
    expect(verifySignature({ ...input, signature: tampered })).toBe(false);
  });

  it('keeps private keys sensitive and non-extractable, with CKA_ID = key identifier', async () => {
    const info = await store.generate('attr-check', 'EC-P256');
    const skid = createHash('sha1').update(new Uint8Array(AsnConvert.parse(info.spki, SubjectPublicKeyInfo).subjectPublicKey)).digest();
    // Inspect the objects through a separate raw session.
    const p = createRequire(import.meta.url)('pkcs11js') as typeof Pkcs11Types;
    const mod = new p.PKCS11();
    mod.load(LIBRARY);
    try {
      mod.C_Initialize();
    } catch (err) {
      if (!/CKR_CRYPTOKI_ALREADY_INITIALIZED/.test(String(err))) throw err;
    }
    const slot = mod.C_GetSlotList(true).find((s) => mod.C_GetTokenInfo(s).label.trimEnd() === TOKEN)!;
    const session = mod.C_OpenSession(slot, p.CKF_SERIAL_SESSION);
    try {
      mod.C_FindObjectsInit(session, [
        { type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY },
        { type: p.CKA_LABEL, value: 'attr-check' },
      ]);
      const [priv] = mod.C_FindObjects(session, 2);
      mod.C_FindObjectsFinal(session);
      const attrs = mod.C_GetAttributeValue(session, priv!, [
        { type: p.CKA_SENSITIVE },
        { type: p.CKA_EXTRACTABLE },
        { type: p.CKA_TOKEN },
        { type: p.CKA_ID },
      ]);
      expect(attrs.map((a) => a.value.toString('hex'))).toEqual(['01', '00', '01', skid.toString('hex')]);
    } finally {
      mod.C_CloseSession(session);
    }
    // …and the store finds the key by that hex CKA_ID too
    const byId = await store.find(skid.toString('hex'));
    expect(Buffer.from(byId!.spki).equals(Buffer.from(info.spki))).toBe(true);
    const signer = await store.signer(skid.toString('hex'));
    expect(verifySignature({ spki: info.spki, signatureAlgorithmOid: OID.ecdsaWithSha256, data, signature: await signer.sign(data) })).toBe(true);
  });

  it('refuses duplicates, unknown ids and SM2', async () => {
    await store.generate('dup', 'EC-P256');
    await expect(store.generate('dup', 'RSA-2048')).rejects.toThrow(KeyAlreadyExistsError);
    expect(await store.find('nope')).toBeUndefined();
    await expect(store.signer('nope')).rejects.toThrow(KeyNotFoundError);
    await expect(store.generate('sm2', 'SM2')).rejects.toThrow(UnsupportedKeyAlgorithmError);
  });

  it('a second store (by slot id) sees persisted keys; bad PIN and unknown token fail clearly', async () => {
    const again = new Pkcs11KeyStore({ libraryPath: LIBRARY, slot: slotId, pin: PIN });
    try {
      const info = await again.find('ca-EC-P384');
      expect(info?.algorithm).toBe('EC-P384');
      const sig = await (await again.signer('ca-EC-P384')).sign(data);
      expect(verifySignature({ spki: info!.spki, signatureAlgorithmOid: OID.ecdsaWithSha384, data, signature: sig })).toBe(true);
    } finally {
      await again.close();
    }
    // closing one store leaves the other (same module, same token) working
    expect(await store.find('ca-EC-P256')).toBeDefined();

    const unknown = new Pkcs11KeyStore({ libraryPath: LIBRARY, tokenLabel: 'no-such-token', pin: PIN });
    await expect(unknown.connect()).rejects.toThrow(/no token with label "no-such-token"/);
    await unknown.close();
  });

  it('rejects a wrong PIN with the CKR code', async () => {
    // A separate token, so the wrong-PIN attempt cannot interact with the logged-in session above.
    const bad = new Pkcs11KeyStore({ libraryPath: LIBRARY, tokenLabel: 'pin-test', pin: '000000' });
    const err = await bad.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Pkcs11TokenError);
    expect((err as Pkcs11TokenError).ckr).toBe('CKR_PIN_INCORRECT');
    await bad.close();
  });

  it('signers stop working once the store is closed', async () => {
    const s = new Pkcs11KeyStore({ libraryPath: LIBRARY, tokenLabel: TOKEN, pin: PIN });
    const signer = await s.signer('ca-EC-P256');
    await s.close();
    await expect(signer.sign(data)).rejects.toThrow(KeyStoreClosedError);
  });
});
