/**
 * Test-only Signers over throwaway keys (not exported from index). ECDSA/RSA use node:crypto;
 * SM2 uses sm-crypto-v2 with the standard ID, since Node's crypto.sign signs SM2 with an empty ID.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sm2 } from 'sm-crypto-v2';
import { OID, SM2_DEFAULT_USER_ID } from '../crypto/algorithms';
import type { Signer } from '../crypto/signer';
import { derBitString, derSequence } from './der-encoding';
import { encodePem } from './pem';

export interface TestKey {
  readonly signer: Signer;
  /** PKCS#8 PEM for openssl, when the key is a node:crypto one. */
  readonly privateKeyPem?: string;
  readonly publicKeyPem: string;
}

const spkiOf = (key: KeyObject): Uint8Array => new Uint8Array(key.export({ type: 'spki', format: 'der' }));

export function ecdsaTestKey(curve: 'P-256' | 'P-384' = 'P-256'): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const hash = curve === 'P-256' ? 'sha256' : 'sha384';
  const signer: Signer = {
    algorithm: curve === 'P-256' ? 'EC-P256' : 'EC-P384',
    signatureAlgorithmOid: curve === 'P-256' ? OID.ecdsaWithSha256 : OID.ecdsaWithSha384,
    spki: spkiOf(publicKey),
    // DER SEQUENCE{r,s}, as the Signer contract requires (WebCrypto would give raw r||s).
    sign: async (data) => new Uint8Array(nodeSign(hash, data, { key: privateKey, dsaEncoding: 'der' })),
  };
  return {
    signer,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function rsaTestKey(bits: 2048 | 3072 = 2048): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const signer: Signer = {
    algorithm: bits === 2048 ? 'RSA-2048' : 'RSA-3072',
    signatureAlgorithmOid: OID.sha256WithRsa,
    spki: spkiOf(publicKey),
    sign: async (data) => new Uint8Array(nodeSign('sha256', data, privateKey)),
  };
  return {
    signer,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const oidDer = (oid: string): Uint8Array => {
  // Only two OIDs are needed; spelled out to keep the helper free of an ASN.1 library.
  const known: Record<string, string> = {
    [OID.ecPublicKey]: '06072a8648ce3d0201',
    [OID.sm2PublicKey]: '06082a811ccf5501822d',
  };
  return new Uint8Array(Buffer.from(known[oid]!, 'hex'));
};

/** SPKI of an uncompressed SM2 point (04||x||y hex) the way OpenSSL 3 writes it. */
export function sm2Spki(publicKeyHex: string): Uint8Array {
  return derSequence(
    derSequence(oidDer(OID.ecPublicKey), oidDer(OID.sm2PublicKey)),
    derBitString(new Uint8Array(Buffer.from(publicKeyHex, 'hex'))),
  );
}

export interface Sm2TestKey extends TestKey {
  readonly publicKeyHex: string;
}

export function sm2TestKey(): Sm2TestKey {
  const { privateKey, publicKey } = sm2.generateKeyPairHex();
  const spki = sm2Spki(publicKey);
  const signer: Signer = {
    algorithm: 'SM2',
    signatureAlgorithmOid: OID.sm2WithSm3,
    spki,
    sign: async (data) =>
      new Uint8Array(Buffer.from(sm2.doSignature(data, privateKey, { hash: true, der: true, publicKey, userId: SM2_DEFAULT_USER_ID }), 'hex')),
  };
  return { signer, publicKeyHex: publicKey, publicKeyPem: encodePem('PUBLIC KEY', spki) };
}

/** SM2-with-SM3 check with the standard ID, for tests that run before the real verifier exists. */
export function sm2VerifyForTest(publicKeyHex: string, data: Uint8Array, derSignature: Uint8Array): boolean {
  return sm2.doVerifySignature(data, Buffer.from(derSignature).toString('hex'), publicKeyHex, {
    der: true,
    hash: true,
    userId: SM2_DEFAULT_USER_ID,
  });
}

/** A scratch directory and an `openssl` runner; call `cleanup` in afterAll. */
export function opensslWorkspace(prefix = 'ecert-x509-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    path: (name: string) => join(dir, name),
    write(name: string, data: string | Uint8Array): string {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    /** Runs openssl; returns stdout+stderr as text, throws with the output on a non-zero exit. */
    run(args: readonly string[]): string {
      try {
        return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        const err = e as { stdout?: string; stderr?: string; status?: number };
        throw new Error(`openssl ${args.join(' ')} exited ${err.status}: ${err.stdout ?? ''}${err.stderr ?? ''}`);
      }
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
