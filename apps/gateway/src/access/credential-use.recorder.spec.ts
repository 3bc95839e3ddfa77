import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { CREDENTIAL_USE_PRECISION_MS, CredentialUseRecorder } from './credential-use.recorder';

/** A data source that counts the UPDATEs it is sent, failing the first `failures` of them. */
function countingDataSource(failures = 0) {
  const calls: unknown[][] = [];
  const ds = {
    query: async (_sql: string, params: unknown[]) => {
      calls.push(params);
      if (calls.length <= failures) throw new Error('connection refused');
      return [];
    },
  } as unknown as DataSource;
  return { ds, calls };
}

const silent = pino({ level: 'silent' });

describe('CredentialUseRecorder', () => {
  it('writes a credential in constant use once per precision window, each credential on its own', async () => {
    const { ds, calls } = countingDataSource();
    const r = new CredentialUseRecorder(ds, silent);
    const t = 5_000_000;
    for (let i = 0; i < 100; i++) r.used('cred-a', t + i * 10);
    r.used('cred-b', t);
    await r.beforeApplicationShutdown();
    expect(calls).toEqual([
      ['cred-a', CREDENTIAL_USE_PRECISION_MS / 1000],
      ['cred-b', CREDENTIAL_USE_PRECISION_MS / 1000],
    ]);
    r.used('cred-a', t + CREDENTIAL_USE_PRECISION_MS - 1);
    r.used('cred-a', t + CREDENTIAL_USE_PRECISION_MS);
    await r.beforeApplicationShutdown();
    expect(calls.map(([id]) => id)).toEqual(['cred-a', 'cred-b', 'cred-a']);
  });

  it('tries again on the next use after a failed write, and never throws to the request', async () => {
    const { ds, calls } = countingDataSource(1);
    const r = new CredentialUseRecorder(ds, silent);
    expect(() => r.used('cred-a', 1_000)).not.toThrow();
    await r.beforeApplicationShutdown();
    r.used('cred-a', 1_010);
    await r.beforeApplicationShutdown();
    r.used('cred-a', 1_020);
    await r.beforeApplicationShutdown();
    expect(calls).toHaveLength(2);
  });
});
