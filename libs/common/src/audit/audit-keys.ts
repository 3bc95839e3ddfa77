import { createHash, createHmac, createPrivateKey, createPublicKey, hkdfSync, type KeyObject } from 'node:crypto';

export type AuditSignatureAlgorithm = 'Ed25519' | 'ECDSA-P256-SHA256';

/**
 * The two audit keys. The MAC key makes every record tamper-evident to whoever holds it; the
 * signing key signs checkpoints of the chain head whose public half any auditor can keep.
 * Neither is stored in the database the records live in.
 */
export interface AuditKeys {
  macKey: Buffer;
  /** Names the MAC key without revealing it (carried in checkpoints). */
  macKeyId: string;
  signingKey: KeyObject;
  publicKey: KeyObject;
  publicKeyId: string;
  algorithm: AuditSignatureAlgorithm;
}

// PKCS#8 prefix of an Ed25519 private key; the 32-byte seed follows (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function derive(secret: string, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('ecert-audit'), Buffer.from(info), 32));
}

/**
 * Derives the MAC key from the audit secret (HKDF-SHA256) and loads the signing key: the PEM
 * given (PKCS#8, Ed25519 or ECDSA P-256), else an Ed25519 key derived from the same secret, so a
 * deployment needs one secret but may keep the signing key apart (e.g. on another host's vault).
 */
export function loadAuditKeys(secret: string, signingKeyPem?: string): AuditKeys {
  const macKey = derive(secret, 'audit-record-mac-v1');
  const signingKey = signingKeyPem?.trim()
    ? createPrivateKey(signingKeyPem.includes('-----BEGIN') ? signingKeyPem : { key: Buffer.from(signingKeyPem, 'base64'), format: 'der', type: 'pkcs8' })
    : createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, derive(secret, 'audit-checkpoint-ed25519-v1')]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(signingKey);
  return { macKey, macKeyId: macKeyId(macKey), signingKey, publicKey, publicKeyId: publicKeyId(publicKey), algorithm: signatureAlgorithm(publicKey) };
}

export function macKeyId(macKey: Uint8Array): string {
  return createHmac('sha256', macKey).update('ecert-audit-key-id').digest('hex').slice(0, 16);
}

/** SHA-256 of the SubjectPublicKeyInfo DER, hex. */
export function publicKeyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

export function signatureAlgorithm(key: KeyObject): AuditSignatureAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'Ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ECDSA-P256-SHA256';
  throw new Error(`audit signing key must be Ed25519 or ECDSA P-256, not ${key.asymmetricKeyType}${key.asymmetricKeyDetails?.namedCurve ? ` ${key.asymmetricKeyDetails.namedCurve}` : ''}`);
}

/** An auditor's copy of the checkpoint public key: PEM (SPKI) or base64 SPKI DER. */
export function parseAuditPublicKey(text: string): KeyObject {
  const key = text.includes('-----BEGIN') ? createPublicKey(text) : createPublicKey({ key: Buffer.from(text.trim(), 'base64'), format: 'der', type: 'spki' });
  signatureAlgorithm(key);
  return key;
}
