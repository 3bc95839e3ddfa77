import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@ecert/common';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { api } from '../support/http';
import { opensslResult, TempDir } from '../support/fixtures';
import { checkBackingServices } from '../../scripts/backing-services';

/** The gateway alone: every service behind it is missing. */
let p: TestPlatform;
const dir = new TempDir();
beforeAll(async () => {
  p = await startTestPlatform({ services: ['gateway'], env: { NATS_REQUEST_TIMEOUT_MS: '3000' } });
});
afterAll(async () => {
  await p?.close();
  dir.remove();
});

describe('a dead service', () => {
  it('is a 503 problem within a few seconds, never a hang', async () => {
    const started = Date.now();
    const r = await api(p.baseUrl, 'GET', '/api/v1/certificates/0123456789abcdef');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.code).toBe('service_unavailable');
    // The fixed text of the code: no service, subject or host named.
    expect(r.body.detail).toBe('The service is not available. Retry later.');
  });

  it('shows as down in the health report while the stores are up', async () => {
    const r = await api(p.baseUrl, 'GET', '/api/v1/health');
    expect(r.status).toBe(503);
    expect(r.body.services['cert-service'].status).toBe('down');
    expect(r.body.stores.nats).toBe('up');
    expect(r.body.stores.redis).toBe('up');
  });

  it('makes OCSP answer tryLater instead of failing', async () => {
    // A well-formed request (SHA-1 CertID) for an issuer nobody serves right now.
    const ca = dir.file('ca.pem');
    opensslResult(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', dir.file('ca.key'), '-subj', '/CN=somebody else', '-out', ca]);
    opensslResult(['ocsp', '-issuer', ca, '-serial', '0x1234', '-reqout', dir.file('req.der')]);
    const der = dir.read('req.der');
    const res = await fetch(`${p.baseUrl}/pki/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: der });
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.toString('hex')).toBe('30030a0103'); // tryLater
  });
});

describe('start-up checks of the backing services', () => {
  it('names each unreachable service with the command that starts it', async () => {
    const config = loadConfig({ ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/ecert', NATS_URL: 'nats://127.0.0.1:2', REDIS_URL: 'redis://127.0.0.1:3' });
    const checks = await checkBackingServices(config);
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['PostgreSQL', false],
      ['NATS', false],
      ['Redis', false],
    ]);
    expect(checks[0].hint).toContain('pg_ctlcluster');
    expect(checks[1].hint).toContain('nats-server');
    expect(checks[2].hint).toContain('redis-server');
    const ok = await checkBackingServices(loadConfig());
    expect(ok.every((c) => c.ok)).toBe(true);
  });
});
