import { describe, expect, it } from 'vitest';
import { ConfigError, developmentDefaultsWarning, loadConfig } from './ecert-config';

const production = {
  NODE_ENV: 'production',
  ECERT_KEYSTORE_PASSPHRASE: 'a real passphrase from the vault',
  ECERT_TOKEN_SECRET: 'a-long-random-token-secret-0123456789',
  ECERT_PUBLIC_URL: 'https://pki.hrss.example.gov.cn',
  ECERT_AUDIT_KEY: 'the audit chain secret from the vault',
  ECERT_PERSONAL_ID_SALT: 'a per-deployment secret salt from the vault',
  ECERT_UKEY_SO_PIN_KEY: 'the UKey SO PIN master secret from the vault, 32+',
  // Parsed by the bus identity, not here (see libs/messaging bus-identity.spec).
  ECERT_BUS_PRIVATE_KEY: 'this service key',
  ECERT_BUS_PUBLIC_KEYS: 'gateway=key,cert-service=key',
  NATS_USER: 'cert-service',
  NATS_PASSWORD: 'its NATS password',
};

describe('configuration', () => {
  it('starts a development machine on defaults, with one warning naming them', () => {
    const config = loadConfig({});
    expect(config.DATABASE_STATEMENT_TIMEOUT_MS).toBe(15_000);
    expect(config.DATABASE_LOCK_TIMEOUT_MS).toBe(3000);
    expect(config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS).toBe(10_000);
    expect(config.DATABASE_ACQUIRE_TIMEOUT_MS).toBe(3000);
    expect(developmentDefaultsWarning(config)).toMatch(/ECERT_KEYSTORE_PASSPHRASE, ECERT_TOKEN_SECRET, ECERT_PUBLIC_URL/);
    expect(developmentDefaultsWarning(loadConfig({ ...production, NODE_ENV: 'development' }))).toBeUndefined();
  });

  it.each(['ECERT_KEYSTORE_PASSPHRASE', 'ECERT_TOKEN_SECRET', 'ECERT_PUBLIC_URL', 'ECERT_PERSONAL_ID_SALT', 'ECERT_UKEY_SO_PIN_KEY', 'ECERT_BUS_PRIVATE_KEY', 'ECERT_BUS_PUBLIC_KEYS', 'NATS_USER', 'NATS_PASSWORD'])('refuses NODE_ENV=production while %s is the development default', (name) => {
    const env: Record<string, string> = { ...production };
    delete env[name];
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`${name}: still the development default`));
  });

  it('starts in production once all of them are set', () => {
    expect(loadConfig(production).ECERT_PUBLIC_URL).toBe(production.ECERT_PUBLIC_URL);
  });

  it('writes the salted hash of resident IDs into certificates unless told to write them in clear', () => {
    expect(loadConfig({}).ECERT_PERSONAL_ID_IN_CERTIFICATE).toBe('hash');
    expect(loadConfig({ ECERT_PERSONAL_ID_IN_CERTIFICATE: 'clear' }).ECERT_PERSONAL_ID_IN_CERTIFICATE).toBe('clear');
    expect(() => loadConfig({ ECERT_PERSONAL_ID_IN_CERTIFICATE: 'masked' })).toThrow(/ECERT_PERSONAL_ID_IN_CERTIFICATE/);
    expect(() => loadConfig({ ECERT_PERSONAL_ID_SALT: 'short' })).toThrow(/ECERT_PERSONAL_ID_SALT/);
  });

  it('takes a UKey SO PIN master key of at least 32 characters, and asks only the cert-service for it', () => {
    expect(() => loadConfig({ ECERT_UKEY_SO_PIN_KEY: 'x'.repeat(31) })).toThrow(/ECERT_UKEY_SO_PIN_KEY/);
    expect(loadConfig({ ECERT_UKEY_SO_PIN_KEY: 'x'.repeat(32) }).ECERT_UKEY_SO_PIN_KEY).toHaveLength(32);
    const { ECERT_UKEY_SO_PIN_KEY: _k, ...env } = production;
    expect(() => loadConfig(env, 'cert-service')).toThrow(/ECERT_UKEY_SO_PIN_KEY: still the development default/);
    for (const role of ['gateway', 'seal-service', 'workflow-service'] as const) {
      expect(() => loadConfig(env, role)).not.toThrow();
    }
  });

  it('refuses NODE_ENV=production while ECERT_AUDIT_KEY is the development default', () => {
    const { ECERT_AUDIT_KEY: _k, ...env } = production;
    expect(() => loadConfig(env)).toThrow(/ECERT_AUDIT_KEY: still the development default/);
    expect(loadConfig({}).ECERT_AUDIT_CHECKPOINT_DIR).toBe('var/audit-checkpoints');
  });

  it('asks each process in production only for the secrets it uses', () => {
    const bus = { NODE_ENV: 'production', ECERT_BUS_PRIVATE_KEY: 'k', ECERT_BUS_PUBLIC_KEYS: 'gateway=k', NATS_USER: 'seal-service', NATS_PASSWORD: 'p' };
    expect(loadConfig(bus, 'seal-service').NATS_USER).toBe('seal-service');
    expect(() => loadConfig(bus, 'cert-service')).toThrow(/ECERT_KEYSTORE_PASSPHRASE: still the development default/);
    expect(() => loadConfig(bus, 'gateway')).toThrow(/ECERT_TOKEN_SECRET: still the development default/);
    expect(() => loadConfig({ ...bus, NATS_USER: '' }, 'seal-service')).toThrow(/NATS_USER/);
    expect(loadConfig({ NODE_ENV: 'production' }, 'operator')).toBeDefined();
  });

  it('keeps documents in var/documents and takes materials up to 10 MiB unless told otherwise', () => {
    const defaults = loadConfig({});
    expect(defaults.DOCUMENT_STORE_DIR).toBe('var/documents');
    expect(defaults.MATERIAL_MAX_BYTES).toBe(10 * 1024 * 1024);
    expect(loadConfig({ MATERIAL_MAX_BYTES: '1024' }).MATERIAL_MAX_BYTES).toBe(1024);
    expect(() => loadConfig({ MATERIAL_MAX_BYTES: '1023' })).toThrow(/MATERIAL_MAX_BYTES/);
    expect(() => loadConfig({ MATERIAL_MAX_BYTES: String(100 * 1024 * 1024 + 1) })).toThrow(/MATERIAL_MAX_BYTES/);
    expect(() => loadConfig({ DOCUMENT_STORE_DIR: '' })).toThrow(/DOCUMENT_STORE_DIR/);
  });

  it('names a bad timeout', () => {
    expect(() => loadConfig({ DATABASE_LOCK_TIMEOUT_MS: 'soon' })).toThrow(/DATABASE_LOCK_TIMEOUT_MS/);
  });
});
