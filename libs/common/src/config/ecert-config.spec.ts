import { describe, expect, it } from 'vitest';
import { ConfigError, developmentDefaultsWarning, loadConfig } from './ecert-config';

const production = {
  NODE_ENV: 'production',
  ECERT_KEYSTORE_PASSPHRASE: 'a real passphrase from the vault',
  ECERT_TOKEN_SECRET: 'a-long-random-token-secret-0123456789',
  ECERT_PUBLIC_URL: 'https://pki.hrss.example.gov.cn',
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

  it.each(['ECERT_KEYSTORE_PASSPHRASE', 'ECERT_TOKEN_SECRET', 'ECERT_PUBLIC_URL'])('refuses NODE_ENV=production while %s is the development default', (name) => {
    const env: Record<string, string> = { ...production };
    delete env[name];
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`${name}: still the development default`));
  });

  it('starts in production once all three are set', () => {
    expect(loadConfig(production).ECERT_PUBLIC_URL).toBe(production.ECERT_PUBLIC_URL);
  });

  it('names a bad timeout', () => {
    expect(() => loadConfig({ DATABASE_LOCK_TIMEOUT_MS: 'soon' })).toThrow(/DATABASE_LOCK_TIMEOUT_MS/);
  });
});
