import { constants, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { OID, type KeyAlgorithm } from '../crypto/algorithms';
import { decodeEcSignature } from '../crypto/ec-signature-der';
import { describePublicKey } from '../crypto/public-key-info';
import { verifySignature } from '../crypto/signature-verifier';
import { sm2PrivateKeyFromPkcs8 } from '../crypto/sm2-key-encoding';
import { DirectoryKeyBlobRepository } from './directory-key-blob-repository';
import { InMemoryKeyBlobRepository } from './in-memory-key-blob-repository';
import { openKeyBlob } from './key-blob-codec';
import {
  CorruptKeyBlobError,
  InvalidKeyIdError,
  KeyAlreadyExistsError,
  KeyNotFoundError,
  KeyStoreClosedError,
  WrongPassphraseError,
} from './key-store-errors';
import { generateEphemeralSigner, SoftKeyStore } from './soft-key-store';

const FAST = { N: 2 ** 12, r: 8, p: 1 }; // tests only; production uses DEFAULT_SCRYPT
const data = new TextEncoder().encode('to be signed');
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'ecert-keys-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const nodeVerify = (alg: KeyAlgorithm, spki: Uint8Array, sig: Uint8Array) => {
  const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  if (alg.startsWith('EC-')) return verify(alg === 'EC-P256' ? 'sha256' : 'sha384', data, { key, dsaEncoding: 'der' }, sig);
  return verify('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, sig);
};

describe('SoftKeyStore', () => {
  const expectedOid: Record<KeyAlgorithm, string> = {
    SM2: OID.sm2WithSm3,
    'EC-P256': OID.ecdsaWithSha256,
    'EC-P384': OID.ecdsaWithSha384,
    'RSA-2048': OID.sha256WithRsa,
    'RSA-3072': OID.sha256WithRsa,
    'RSA-4096': OID.sha256WithRsa,
  };

  it.each(Object.keys(expectedOid) as KeyAlgorithm[])('generates and signs with %s', async (alg) => {
    const store = new SoftKeyStore({ repository: new InMemoryKeyBlobRepository(), passphrase: 'correct horse', scrypt: FAST });
    expect(store.supports(alg)).toBe(true);
    const info = await store.generate(`ca-${alg}`, alg);
    expect(info).toMatchObject({ id: `ca-${alg}`, algorithm: alg });
    expect(describePublicKey(info.spki).algorithm).toBe(alg);
    expect(await store.find(info.id)).toEqual(info);

    const signer = await store.signer(info.id);
    expect(signer.algorithm).toBe(alg);
    expect(signer.signatureAlgorithmOid).toBe(expectedOid[alg]);
    expect(Buffer.from(signer.spki).equals(Buffer.from(info.spki))).toBe(true);
    const sig = await signer.sign(data);

    const input = { spki: info.spki, signatureAlgorithmOid: signer.signatureAlgorithmOid, data, signature: sig };
    expect(verifySignature(input)).toBe(true);
    expect(verifySignature({ ...input, data: new TextEncoder().encode('to be signeD') })).toBe(false);
    if (alg !== 'SM2') {
      expect(nodeVerify(alg, info.spki, sig)).toBe(true);
      if (alg.startsWith('EC-')) expect(decodeEcSignature(sig)).toBeDefined(); // DER, not raw r||s
      else expect(sig.length).toBe(Number(alg.slice(4)) / 8);
    }
    await store.close();
  });

  it('persists through a directory repository and reopens with the passphrase', async () => {
    const dir = tempDir();
    const a = new SoftKeyStore({ repository: new DirectoryKeyBlobRepository(dir), passphrase: 'pw-1', scrypt: FAST });
    const sm2 = await a.generate('root-sm2', 'SM2');
    const p256 = await a.generate('root-p256', 'EC-P256');
    await a.close();

    const repo = new DirectoryKeyBlobRepository(dir);
    expect(await repo.list()).toEqual(['root-p256', 'root-sm2']);
    expect(statSync(join(dir, 'root-sm2.key')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['root-p256.key', 'root-sm2.key']); // no temp files left

    const b = new SoftKeyStore({ repository: repo, passphrase: 'pw-1' });
    expect(await b.find('root-sm2')).toEqual(sm2);
    const signer = await b.signer('root-sm2');
    expect(verifySignature({ spki: sm2.spki, signatureAlgorithmOid: OID.sm2WithSm3, data, signature: await signer.sign(data) })).toBe(true);
    const ec = await b.signer('root-p256');
    expect(nodeVerify('EC-P256', p256.spki, await ec.sign(data))).toBe(true);
    expect(await b.signer('root-sm2')).toBe(signer); // decrypted once
  });

  it('tells a wrong passphrase apart from a tampered blob', async () => {
    const repo = new InMemoryKeyBlobRepository();
    const store = new SoftKeyStore({ repository: repo, passphrase: 'right', scrypt: FAST });
    await store.generate('k', 'EC-P384');

    const wrong = new SoftKeyStore({ repository: repo, passphrase: 'wrong', scrypt: FAST });
    await expect(wrong.signer('k')).rejects.toThrow(WrongPassphraseError);
    await expect(wrong.signer('k')).rejects.toThrow('wrong passphrase for key "k"'); // not cached

    const blob = JSON.parse(new TextDecoder().decode((await repo.get('k'))!));
    const tampered = async (mutate: (j: typeof blob) => void) => {
      const j = structuredClone(blob);
      mutate(j);
      const r = new InMemoryKeyBlobRepository();
      await r.put('k', new TextEncoder().encode(JSON.stringify(j)));
      return new SoftKeyStore({ repository: r, passphrase: 'right', scrypt: FAST }).signer('k');
    };
    const flipB64 = (s: string) => {
      const b = Buffer.from(s, 'base64');
      b[b.length >> 1]! ^= 1;
      return b.toString('base64');
    };
    await expect(tampered((j) => (j.ciphertext = flipB64(j.ciphertext)))).rejects.toThrow(CorruptKeyBlobError);
    await expect(tampered((j) => (j.cipher.tag = flipB64(j.cipher.tag)))).rejects.toThrow(CorruptKeyBlobError);
    // swapping in another public key is caught by the GCM additional data
    const other = await store.generate('other', 'EC-P384');
    await expect(tampered((j) => (j.spki = Buffer.from(other.spki).toString('base64')))).rejects.toThrow(/altered/);
    await expect(tampered((j) => (j.algorithm = 'EC-P256'))).rejects.toThrow(CorruptKeyBlobError);
    await expect(tampered((j) => (j.kdf.N = 2 ** 30))).rejects.toThrow(/unacceptable scrypt parameters/);
    // a blob copied under another id is refused
    const r2 = new InMemoryKeyBlobRepository();
    await r2.put('copy', (await repo.get('k'))!);
    await expect(new SoftKeyStore({ repository: r2, passphrase: 'right' }).signer('copy')).rejects.toThrow(/belongs to key "k"/);
  });

  it('normalises string passphrases to NFC', async () => {
    const repo = new InMemoryKeyBlobRepository();
    await new SoftKeyStore({ repository: repo, passphrase: '证书\u00e9', scrypt: FAST }).generate('n', 'EC-P256');
    const decomposed = new SoftKeyStore({ repository: repo, passphrase: '证书e\u0301', scrypt: FAST });
    expect((await decomposed.signer('n')).algorithm).toBe('EC-P256');
    const bytes = new SoftKeyStore({ repository: repo, passphrase: new TextEncoder().encode('证书e\u0301'), scrypt: FAST });
    await expect(bytes.signer('n')).rejects.toThrow(WrongPassphraseError); // raw bytes are taken as they are
  });

  it('never exposes private key material', async () => {
    const repo = new InMemoryKeyBlobRepository();
    const store = new SoftKeyStore({ repository: repo, passphrase: 'secret-pass', scrypt: FAST });
    await store.generate('s', 'SM2');
    const signer = await store.signer('s');
    const { pkcs8 } = await openKeyBlob((await repo.get('s'))!, new TextEncoder().encode('secret-pass'), 's');
    const scalarHex = Buffer.from(sm2PrivateKeyFromPkcs8(pkcs8).exportPrivateScalar()).toString('hex');
    const scalarB64 = Buffer.from(scalarHex, 'hex').toString('base64');

    const views = [
      JSON.stringify(signer),
      String(signer),
      inspect(signer, { showHidden: true, depth: 10 }),
      inspect(store, { showHidden: true, depth: 10 }),
      JSON.stringify(store),
      JSON.stringify(Object.getOwnPropertyNames(signer).map((k) => (signer as unknown as Record<string, unknown>)[k])),
      new TextDecoder().decode((await repo.get('s'))!),
    ];
    for (const v of views) {
      expect(v).not.toContain(scalarHex);
      expect(v).not.toContain(scalarB64);
      expect(v).not.toContain('secret-pass');
    }
    expect(Object.keys(signer).sort()).toEqual(['algorithm', 'keyId', 'signatureAlgorithmOid', 'spki']);
  });

  it('refuses duplicates, unknown ids, bad ids and use after close', async () => {
    const dir = tempDir();
    const store = new SoftKeyStore({ repository: new DirectoryKeyBlobRepository(dir), passphrase: 'p', scrypt: FAST });
    await store.generate('dup', 'EC-P256');
    await expect(store.generate('dup', 'SM2')).rejects.toThrow(KeyAlreadyExistsError);
    expect(await store.find('missing')).toBeUndefined();
    await expect(store.signer('missing')).rejects.toThrow(KeyNotFoundError);
    await expect(store.generate('../escape', 'SM2')).rejects.toThrow(InvalidKeyIdError);
    await expect(store.generate('', 'SM2')).rejects.toThrow(InvalidKeyIdError);
    await expect(store.generate('x', 'RSA-1024' as KeyAlgorithm)).rejects.toThrow(/cannot generate RSA-1024/);
    await store.close();
    await expect(store.find('dup')).rejects.toThrow(KeyStoreClosedError);
    expect(() => store.signer('dup')).toThrow(KeyStoreClosedError);
    expect(() => new SoftKeyStore({ repository: new InMemoryKeyBlobRepository(), passphrase: '' })).toThrow(/non-empty passphrase/);
  });

  it('directory repository writes once and refuses to overwrite', async () => {
    const dir = tempDir();
    const repo = new DirectoryKeyBlobRepository(join(dir, 'nested'));
    expect(await repo.list()).toEqual([]);
    await repo.put('a', Uint8Array.of(1, 2, 3));
    expect(statSync(join(dir, 'nested')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'nested', 'a.key')).mode & 0o777).toBe(0o600);
    await expect(repo.put('a', Uint8Array.of(9))).rejects.toThrow(KeyAlreadyExistsError);
    expect([...(await repo.get('a'))!]).toEqual([1, 2, 3]);
    expect(await repo.get('b')).toBeUndefined();
    writeFileSync(join(dir, 'nested', 'README'), 'not a key');
    expect(await repo.list()).toEqual(['a']);
    expect(readFileSync(join(dir, 'nested', 'a.key'))).toEqual(Buffer.from([1, 2, 3]));
    await expect(repo.get('.hidden')).rejects.toThrow(InvalidKeyIdError);
    await expect(repo.put('a/b', Uint8Array.of(1))).rejects.toThrow(InvalidKeyIdError);
  });
});

describe('generateEphemeralSigner', () => {
  // Either place of signing gives signatures of the same key; `caller` returns only once it has signed.
  for (const algorithm of ['EC-P256', 'EC-P384', 'RSA-2048'] as const) {
    for (const signOn of ['pool', 'caller'] as const) {
      it(`${algorithm} signed on the ${signOn === 'pool' ? 'libuv pool' : 'calling thread'} verifies with its public key`, async () => {
        const signer = await generateEphemeralSigner(algorithm, { signOn });
        const sig = await signer.sign(data);
        const key = createPublicKey({ key: Buffer.from(signer.spki), format: 'der', type: 'spki' });
        const hash = algorithm === 'EC-P384' ? 'sha384' : 'sha256';
        expect(verify(hash, data, key, sig)).toBe(true);
        expect(verify(hash, new TextEncoder().encode('something else'), key, sig)).toBe(false);
        expect(JSON.stringify(signer)).not.toMatch(/PRIVATE|pkcs8/i);
      });
    }
  }
});
