import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `ek_<credentialId>.<secret>`: the id finds the row, the secret (256 bits)
 * is only ever stored as its SHA-256. A slow hash adds nothing for a random 256-bit secret and
 * would cost every request.
 */
export function newApiKey(): { credentialId: string; apiKey: string; secretHash: string } {
  const credentialId = randomBytes(9).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  return { credentialId, apiKey: `ek_${credentialId}.${secret}`, secretHash: hashSecret(secret) };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function parseApiKey(value: string): { credentialId: string; secret: string } | undefined {
  const m = /^ek_([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{43})$/.exec(value.trim());
  return m ? { credentialId: m[1], secret: m[2] } : undefined;
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
