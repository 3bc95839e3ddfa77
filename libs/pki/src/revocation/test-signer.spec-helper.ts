/**
 * Test-only Signers over node:crypto keys (RSA, P-256) and the project's SM2 implementation, so
 * revocation tests do not depend on the key store. SM2 signatures are checked with sm-crypto-v2,
 * an independent implementation. Not exported from the library.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import { OID, SM2_DEFAULT_USER_ID } from '../crypto/algorithms';
import type { Signer } from '../crypto/signer';
import { Sm2PrivateKey } from '../crypto/sm2';
import { sm2PublicKeyToSpki } from '../crypto/sm2-key-encoding';

function spkiOf(key: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
}

/** Signer for an RSA or P-256 private key (PEM text or KeyObject). */
export function nodeSigner(key: KeyObject | string): Signer {
  const privateKey = typeof key === 'string' ? createPrivateKey(key) : key;
  const spki = spkiOf(privateKey);
  if (privateKey.asymmetricKeyType === 'rsa') {
    const bits = privateKey.asymmetricKeyDetails?.modulusLength;
    return {
      algorithm: bits === 3072 ? 'RSA-3072' : bits === 4096 ? 'RSA-4096' : 'RSA-2048',
      signatureAlgorithmOid: OID.sha256WithRsa,
      spki,
      sign: async (data) => new Uint8Array(sign('sha256', data, privateKey)),
    };
  }
  if (privateKey.asymmetricKeyType === 'ec' && privateKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return {
      algorithm: 'EC-P256',
      signatureAlgorithmOid: OID.ecdsaWithSha256,
      spki,
      sign: async (data) => new Uint8Array(sign('sha256', data, { key: privateKey, dsaEncoding: 'der' })),
    };
  }
  throw new Error(`test signer: unsupported key ${privateKey.asymmetricKeyType}`);
}

export function generateP256Signer(): Signer & { privateKey: KeyObject } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...nodeSigner(privateKey), privateKey };
}

export function generateRsaSigner(): Signer & { privateKey: KeyObject } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...nodeSigner(privateKey), privateKey };
}

/** SM2-with-SM3 signer with the standard user ID (crypto/sm2: native k·G, SM3 over Z || data). */
export function generateSm2Signer(): Signer & { publicKeyHex: string } {
  const key = Sm2PrivateKey.generate();
  return {
    algorithm: 'SM2',
    signatureAlgorithmOid: OID.sm2WithSm3,
    // id-ecPublicKey with the SM2 curve, as OpenSSL 3 and UKeys write it
    spki: sm2PublicKeyToSpki(key.publicKey),
    publicKeyHex: Buffer.from(key.publicKey).toString('hex'),
    sign: async (data) => key.sign(data),
  };
}

/** Independent check with sm-crypto-v2 (`hash: true`, DER signature, standard user ID). */
export function verifySm2(publicKeyHex: string, data: Uint8Array, signatureDer: Uint8Array): boolean {
  return sm2.doVerifySignature(data, Buffer.from(signatureDer).toString('hex'), publicKeyHex, {
    hash: true,
    der: true,
    userId: SM2_DEFAULT_USER_ID,
  });
}
