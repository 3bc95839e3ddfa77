import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '@ecert/common';
import { onPath, requireTool } from '../support/optional-tool';

/** Per-service NATS passwords and bus keys (values only need to be present for `config`). */
const BUS_AND_NATS_SECRETS = Object.fromEntries(
  ['GATEWAY', 'CERT_SERVICE', 'SEAL_SERVICE', 'WORKFLOW_SERVICE', 'OPERATOR'].flatMap((s) => [
    [`NATS_${s}_PASSWORD`, `compose-test-${s.toLowerCase()}`],
    [`ECERT_${s}_BUS_KEY`, `compose-test-key-${s.toLowerCase()}`],
  ]).concat([['ECERT_BUS_PUBLIC_KEYS', 'gateway=x'], ['NATS_ROUTE_PASSWORD', 'compose-test-route']]),
);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HAVE_COMPOSE = requireTool({ name: 'docker-compose', present: onPath('docker-compose'), apt: 'docker-compose', tests: 'compose file validation' });

const COMPOSE_ENV = { ECERT_KEYSTORE_PASSPHRASE: 'compose-test-passphrase', ECERT_TOKEN_SECRET: 'compose-test-token-secret', ECERT_PUBLIC_URL: 'https://pki.example.test', ECERT_PERSONAL_ID_SALT: 'compose-test-personal-id-salt', ECERT_AUDIT_KEY: 'compose-test-audit-key', ECERT_UKEY_SO_PIN_KEY: 'compose-test-ukey-so-pin-master-key-32', ...BUS_AND_NATS_SECRETS };
/** `docker-compose -f <file>… config`: the files merged and resolved (no Docker engine needed). */
const composeConfig = (files: string[], env: Record<string, string> = {}) =>
  execFileSync('docker-compose', [...files.flatMap((f) => ['-f', path.join(root, f)]), 'config'], { env: { ...process.env, ...COMPOSE_ENV, ...env }, encoding: 'utf8' });
// `config` prints services in alphabetical order, each block until the next two-space key.
const blockOf = (resolved: string, name: string) => resolved.split(new RegExp(`\\n  ${name}:\\n`))[1]?.split(/\n  [a-z0-9-]+:\n/)[0] ?? '';

describe.skipIf(!HAVE_COMPOSE)('docker-compose.yml', () => {
  let resolved: string;
  const block = (name: string) => blockOf(resolved, name);
  // No Docker engine runs here, but the compose file can still be validated and resolved offline.
  // In beforeAll, not the suite body: a skipped suite's body still runs to collect its tests.
  beforeAll(() => {
    resolved = composeConfig(['docker-compose.yml']);
  });

  it('names the backing services and the four apps', () => {
    for (const s of ['postgres:', 'nats:', 'redis:', 'gateway:', 'cert-service:', 'seal-service:', 'workflow-service:']) {
      expect(resolved).toContain(`  ${s}`);
    }
    expect(resolved).toMatch(/nats-compose\.conf/);
    expect(resolved).toMatch(/published: 3000|3000:3000/);
  });

  it('gives the apps every connection setting the config schema needs', () => {
    for (const key of ['DATABASE_URL', 'NATS_URL', 'REDIS_URL', 'ECERT_KEYSTORE_PASSPHRASE', 'ECERT_PUBLIC_URL', 'ECERT_TOKEN_SECRET', 'ECERT_PERSONAL_ID_SALT', 'ECERT_PERSONAL_ID_IN_CERTIFICATE', 'ECERT_AUDIT_KEY', 'ECERT_AUDIT_CHECKPOINT_DIR']) {
      expect(Object.keys(configSchema.shape)).toContain(key);
      expect(resolved).toContain(`${key}:`);
    }
  });

  it('runs NATS with authorisation and gives each service its own user and bus key', () => {
    for (const svc of ['gateway', 'cert-service', 'seal-service', 'workflow-service']) expect(resolved).toContain(`NATS_USER: ${svc}`);
    expect(resolved).toContain('ECERT_BUS_PRIVATE_KEY: compose-test-key-seal_service');
    expect(resolved).toContain('ECERT_BUS_PUBLIC_KEYS:');
  });

  it('hands each service only its own secrets', () => {
    expect(block('cert-service')).toContain('ECERT_KEYSTORE_PASSPHRASE:');
    expect(block('gateway')).toContain('ECERT_AUDIT_KEY:');
    for (const svc of ['seal-service', 'workflow-service']) {
      const b = block(svc);
      expect(b).toContain('ECERT_BUS_PRIVATE_KEY:');
      for (const secret of ['ECERT_KEYSTORE_PASSPHRASE', 'ECERT_AUDIT_KEY', 'ECERT_TOKEN_SECRET', 'ECERT_PERSONAL_ID_SALT']) expect(b, `${svc} ${secret}`).not.toContain(`${secret}:`);
    }
    expect(block('gateway')).not.toContain('ECERT_KEYSTORE_PASSPHRASE:');
    // The UKeys' SO PINs are derived in the cert-service alone.
    expect(block('cert-service')).toContain('ECERT_UKEY_SO_PIN_KEY:');
    for (const svc of ['gateway', 'seal-service', 'workflow-service']) expect(block(svc), svc).not.toContain('ECERT_UKEY_SO_PIN_KEY:');
  });

  it('mounts one document store volume, at DOCUMENT_STORE_DIR, in every service that reads materials', () => {
    expect(Object.keys(configSchema.shape)).toEqual(expect.arrayContaining(['DOCUMENT_STORE_DIR', 'MATERIAL_MAX_BYTES']));
    for (const svc of ['gateway', 'workflow-service', 'seal-service']) {
      const b = block(svc);
      const dir = /DOCUMENT_STORE_DIR: (\S+)/.exec(b)?.[1];
      expect(dir, svc).toMatch(/^\//);
      expect(b, svc).toMatch(new RegExp(`- documents:${dir}(:rw)?(\\n|$)`));
      expect(b, svc).toMatch(/MATERIAL_MAX_BYTES: '10485760'/);
    }
    expect(block('cert-service')).not.toContain('DOCUMENT_STORE_DIR');
  });

  it('refuses to start without a key store passphrase or token secret', () => {
    expect(() =>
      execFileSync('docker-compose', ['-f', path.join(root, 'docker-compose.yml'), 'config', '-q'], {
        env: { PATH: process.env.PATH },
        stdio: 'pipe',
      }),
    ).toThrow();
  });
});

const APPS = ['gateway', 'cert-service', 'seal-service', 'workflow-service'];
const NODES = ['nats', 'nats-2', 'nats-3'];

describe('the NATS cluster configuration (deploy/nats/nats-cluster.conf)', () => {
  const conf = readFileSync(path.join(root, 'deploy/nats/nats-cluster.conf'), 'utf8');
  const compose = readFileSync(path.join(root, 'docker-compose.cluster.yml'), 'utf8');

  it('routes every node to the three compose services, only with the route password, and keeps the single server\'s authorisation', () => {
    // The routes are given on the command line, with the password in their URLs (a config variable cannot sit inside one).
    const routes = /--routes\n\s+- (.+)/.exec(compose)?.[1].split(',');
    expect(routes).toEqual(NODES.map((n) => `nats://ecert-route:\${NATS_ROUTE_PASSWORD${n === 'nats' ? ':?set NATS_ROUTE_PASSWORD' : ''}}@${n}:6222`));
    expect(conf).toMatch(/authorization \{ user: ecert-route, password: \$NATS_ROUTE_PASSWORD/);
    expect(conf).not.toMatch(/^\s*routes:/m);
    expect(conf).toMatch(/^server_name: \$NATS_SERVER_NAME$/m);
    expect(conf).toMatch(/^include \.\/ecert-authorization\.conf$/m);
    expect(conf).toMatch(/jetstream \{ store_dir: \/data \}/);
    // Every service lists the same three nodes the routes join.
    expect(compose).toContain(`NATS_URL: ${NODES.map((n) => `nats://${n}:4222`).join(',')}`);
  });
});

describe.skipIf(!HAVE_COMPOSE)('docker-compose.cluster.yml over docker-compose.yml', () => {
  let resolved: string;
  const block = (name: string) => blockOf(resolved, name);
  beforeAll(() => {
    resolved = composeConfig(['docker-compose.yml', 'docker-compose.cluster.yml'], { ECERT_GATEWAY_PORTS: '3000-3001' });
  });

  it('runs three NATS nodes of one cluster, each named and on its own volume', () => {
    for (const [i, n] of NODES.entries()) {
      const b = block(n);
      expect(b, n).toMatch(/nats-cluster\.conf/);
      expect(b, n).toContain(`NATS_SERVER_NAME: nats-${i + 1}`);
      expect(b, n).toContain('NATS_OPERATOR_PASSWORD:');
    }
    expect(new Set(NODES.map((n) => /- (natsdata\d?):\/data/.exec(block(n))?.[1] ?? /source: (natsdata\d?)/.exec(block(n))?.[1])).size).toBe(3);
  });

  it('provisions the stream at R3 and gives every service the three nodes and two replicas', () => {
    expect(block('nats-provision')).toMatch(/NATS_REPLICAS: '3'/);
    for (const svc of ['nats-provision', ...APPS]) expect(block(svc), svc).toContain('NATS_URL: nats://nats:4222,nats://nats-2:4222,nats://nats-3:4222');
    for (const svc of APPS) expect(block(svc), svc).toMatch(/replicas: 2/);
    // Each service keeps its own credentials and secrets from the base file.
    for (const svc of APPS) expect(block(svc), svc).toContain(`NATS_USER: ${svc}`);
    expect(block('gateway')).toMatch(/3000-3001/);
  });
});
