import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Webhook secrets must be kept in the clear to sign with, so they are stored sealed
 * (AES-256-GCM) under a key derived from the gateway's ECERT_TOKEN_SECRET: a copy of the
 * database alone does not let anyone forge deliveries.
 */
export class WebhookSecretBox {
  private readonly key: Buffer;

  constructor(tokenSecret: string) {
    this.key = Buffer.from(hkdfSync('sha256', tokenSecret, 'ecert', 'webhook-subscription-secrets', 32));
  }

  /** A new subscription secret (256 bits), shown to the client once. */
  static newSecret(): string {
    return `whsec_${randomBytes(32).toString('base64url')}`;
  }

  seal(secret: string, subscriptionId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(subscriptionId));
    const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  /** The secret; throws when the sealed value was altered or moved to another subscription. */
  open(sealed: string, subscriptionId: string): string {
    const [v, iv, tag, ct] = sealed.split('.');
    if (v !== 'v1' || !iv || !tag || !ct) throw new Error('unknown sealed secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(subscriptionId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}
