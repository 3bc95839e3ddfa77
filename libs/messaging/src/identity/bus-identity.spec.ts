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

const { BusIdentity } = await import('./bus-identity');
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
    // The same bytes once more as decoded, but a signature text with a character base64url decoding skips.
    expect(development.verifyBytes('cert-service', data, `${signature.slice(0, -1)}é${signature.slice(-1)}`, { remember: true })).toBe(true);
    expect(development.verifyBytes('seal-service', data, signature, { remember: true })).toBe(false);
    expect(verifications.count).toBe(3);
    // A process trusting another key for cert-service does not take the development key's answer.
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    expect(deploymentTrusting(other).verifyBytes('cert-service', data, signature, { remember: true })).toBe(false);
    expect(verifications.count).toBe(4);
  });

  it('does not remember bad signatures: each is verified and refused', () => {
    const data = Buffer.from('{"forged":true}');
    const bad = certService.signBytes(Buffer.from('{"forged":false}'));
    for (let i = 0; i < 3; i++) expect(development.verifyBytes('cert-service', data, bad, { remember: true })).toBe(false);
    expect(verifications.count).toBe(3);
  });
});
