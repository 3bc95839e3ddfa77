import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { natsDeploymentAuthorization } from '@ecert/messaging';

/** The shipped NATS authorisation file is exactly what the permissions code generates (run `npm run nats:config` after changing it). */
const file = fileURLToPath(new URL('../../deploy/nats/ecert-authorization.conf', import.meta.url));

describe('deploy/nats', () => {
  it('ships the generated authorisation block', () => {
    if (process.env.ECERT_WRITE_NATS_CONFIG === '1') writeFileSync(file, natsDeploymentAuthorization('ecert'));
    expect(readFileSync(file, 'utf8')).toBe(natsDeploymentAuthorization('ecert'));
  });

  it('never writes a password into the file', () => {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/password: (.*)/g)) expect(m[1]).toMatch(/^\$NATS_[A-Z_]+_PASSWORD$/);
  });
});
