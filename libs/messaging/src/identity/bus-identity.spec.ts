import { beforeEach, describe, expect, it, vi } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';

// Counts OpenSSL verifications, to see which answers came from memory.
const verifications = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    verify: (...args: Parameters<typeof real.verify>) => {
      verifications.count++;
      return real.verify(...args);
    },
  };
});

const { BusIdentity, REMEMBERED_MAX, rememberedCount } = await import('./bus-identity');
type Config = Parameters<typeof BusIdentity.fromConfig>[0];

const development = BusIdentity.fromConfig({} as Config, 'gateway');
const certService = BusIdentity.fromConfig({} as Config, 'cert-service');

/** A deployment whose cert-service key is another than the development one. */
function deploymentTrusting(certServiceSpki: string): ReturnType<typeof BusIdentity.fromConfig> {
  const own = generateKeyPairSync('ed25519');
  const gatewaySpki = own.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  return BusIdentity.fromConfig(
    {
      ECERT_BUS_PRIVATE_KEY: own.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      ECERT_BUS_PUBLIC_KEYS: `gateway=${gatewaySpki},cert-service=${certServiceSpki}`,
    } as Config,
    'gateway',
  );
}

describe('BusIdentity.verifyBytes remembering good event signatures', () => {
  beforeEach(() => {
    verifications.count = 0;
  });

  it('answers the same signer, bytes and signature from memory, to every identity of the process trusting that key', () => {
    const data = Buffer.from(`{"id":"${crypto.randomUUID()}"}`);
    const signature = certService.signBytes(data);
    expect(development.verifyBytes('cert-service', data, signature, { remember: true })).toBe(true);
    expect(BusIdentity.fromConfig({} as Config, 'seal-service').verifyBytes('cert-service', data, signature, { remember: true })).toBe(true);
    expect(verifications.count).toBe(1);
    // Without `remember` every call verifies.
    expect(development.verifyBytes('cert-service', data, signature)).toBe(true);
    expect(verifications.count).toBe(2);
  });

  it('never answers other bytes, another signature, another signer or another key from memory', () => {
    const data = Buffer.from(`{"id":"${crypto.randomUUID()}"}`);
    const signature = certService.signBytes(data);
    expect(development.verifyBytes('cert-service', data, signature, { remember: true })).toBe(true);
    verifications.count = 0;
    expect(development.verifyBytes('cert-service', Buffer.concat([data, Buffer.from(' ')]), signature, { remember: true })).toBe(false);
    // The boundary between signature and data moved by one byte: '{' is skipped by base64url decoding.
    expect(development.verifyBytes('cert-service', data.subarray(1), `${signature}{`, { remember: true })).toBe(false);
    expect(development.verifyBytes('seal-service', data, signature, { remember: true })).toBe(false);
    expect(verifications.count).toBe(2);
    // A signature text other than the one base64url form (padding, a skipped character, standard base64) is refused unverified.
    const decoded = Buffer.from(signature, 'base64url');
    for (const text of [`${signature}==`, `${signature.slice(0, -1)}é${signature.slice(-1)}`, decoded.toString('base64'), `${signature}\n`]) {
      if (text === signature) continue;
      expect(development.verifyBytes('cert-service', data, text, { remember: true })).toBe(false);
      expect(development.verifyBytes('cert-service', data, text)).toBe(false);
    }
    expect(verifications.count).toBe(2);
    // A process trusting another key for cert-service does not take the development key's answer.
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    expect(deploymentTrusting(other).verifyBytes('cert-service', data, signature, { remember: true })).toBe(false);
    expect(verifications.count).toBe(3);
  });

  it('forgets the oldest first and never holds more than its bound', () => {
    const first = Buffer.from(`{"first":"${crypto.randomUUID()}"}`);
    const firstSignature = certService.signBytes(first);
    expect(development.verifyBytes('cert-service', first, firstSignature, { remember: true })).toBe(true);
    for (let i = 0; i < REMEMBERED_MAX; i++) {
      const data = Buffer.from(`{"n":${i},"run":"${crypto.randomUUID()}"}`);
      development.verifyBytes('cert-service', data, certService.signBytes(data), { remember: true });
    }
    expect(rememberedCount()).toBe(REMEMBERED_MAX);
    verifications.count = 0;
    expect(development.verifyBytes('cert-service', first, firstSignature, { remember: true })).toBe(true);
    expect(verifications.count).toBe(1);
  });

  it('does not remember bad signatures: each is verified and refused', () => {
    const data = Buffer.from('{"forged":true}');
    const bad = certService.signBytes(Buffer.from('{"forged":false}'));
    for (let i = 0; i < 3; i++) expect(development.verifyBytes('cert-service', data, bad, { remember: true })).toBe(false);
    expect(verifications.count).toBe(3);
  });
});
