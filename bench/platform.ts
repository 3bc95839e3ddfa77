import path from 'node:path';
import { existsSync } from 'node:fs';
import pg from 'pg';
import type { EcertConfig } from '@ecert/common';
import { BenchError, startDaemon, type Daemon } from './procs';
import { cpuProfileEnv } from './cpu-profile';
import { dropRunState } from '../scripts/run-isolation';
import { OPERATIONS } from '@ecert/common';
import { newApiKey } from '../apps/gateway/src/clients/api-key';

export { freePort } from '../scripts/run-isolation';

/**
 * Starts `node dist/scripts/start.js` (all four services) and waits for "ecert is up" and, with
 * several gateway workers, for every worker to listen (wrk's connections, made at its start, would
 * otherwise all go to the first).
 */
export async function startPlatform(distRoot: string, config: EcertConfig, logPath: string, opts: { gatewayWorkers?: number } = {}): Promise<Daemon> {
  const gatewayWorkers = opts.gatewayWorkers ?? config.GATEWAY_WORKERS;
  const script = path.join(distRoot, 'scripts', 'start.js');
  if (!existsSync(script)) throw new BenchError(`${script} is missing: run npm run build first (npm run bench does)`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: config.DATABASE_URL,
    ECERT_NATS_PREFIX: config.ECERT_NATS_PREFIX,
    ECERT_REDIS_PREFIX: config.ECERT_REDIS_PREFIX,
    GATEWAY_PORT: String(config.GATEWAY_PORT),
    METRICS_PORT: String(config.METRICS_PORT),
    ECERT_PUBLIC_URL: config.ECERT_PUBLIC_URL,
    LOG_LEVEL: config.LOG_LEVEL,
    GATEWAY_WORKERS: String(gatewayWorkers),
    ...cpuProfileEnv(distRoot),
  };
  const daemon = startDaemon('ecert platform', process.execPath, [script], { env, logPath });
  try {
    await daemon.waitForLog('ecert is up', 150_000);
    if (gatewayWorkers > 1) await daemon.waitForLog(`gateway listening on ${gatewayWorkers} workers`, 60_000);
  } catch (e) {
    await daemon.stop();
    throw e;
  }
  return daemon;
}

/**
 * The platform again on the same database with `gatewayWorkers` gateway processes, unless it runs
 * with that many already (the OCSP phase's responder configuration; the issuance phase uses the default).
 */
export async function withGatewayWorkers(platform: Daemon, distRoot: string, config: EcertConfig, logPath: string, gatewayWorkers: number, log: (s: string) => void): Promise<Daemon> {
  if (gatewayWorkers === config.GATEWAY_WORKERS) return platform;
  log(`restarting the platform with GATEWAY_WORKERS=${gatewayWorkers} for the OCSP phase (same database) ...`);
  await platform.stop();
  return startPlatform(distRoot, config, logPath, { gatewayWorkers });
}

/**
 * Creates the bench database up front. The services would each create it on start, but when all
 * four race, PostgreSQL may report the loser as unique_violation 23505 on pg_database_datname_index
 * (not duplicate_database 42P04, the only code libs/database tolerates) and a service exits.
 */
export async function createBenchDatabase(config: EcertConfig): Promise<void> {
  const url = new URL(config.DATABASE_URL);
  const name = url.pathname.slice(1);
  if (!/^ecert_bench_[a-z0-9]+$/.test(name)) throw new BenchError(`refusing to create database ${name}`);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/**
 * Removes everything the bench made: its database (only ever one named ecert_bench_*), its
 * JetStream stream and its Redis keys. Each step is attempted even if an earlier one fails.
 */
export async function dropBenchState(config: EcertConfig): Promise<string[]> {
  return dropRunState(config, /^ecert_bench_[a-z0-9]+$/);
}

export async function httpJson<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const r = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: r.status, body: body as T };
}

export async function httpBytes(url: string): Promise<Buffer> {
  const r = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  if (!r.ok) throw new BenchError(`GET ${url} → ${r.status}`);
  return Buffer.from(await r.arrayBuffer());
}

/**
 * The REST API needs a client credential (应用开通). The bench registers its own client the way
 * ClientsService.register does (client row + SHA-256 of the API key's secret), with every operation
 * and a rate limit far above what it sends, so that authentication, the per-client rate-limit
 * counter and the audit trail are all on the measured path but never refuse a request.
 * Returns undefined when this platform version has no client table (no credential needed).
 */
export async function registerBenchClient(db: pg.Pool): Promise<string | undefined> {
  const { rows } = await db.query<{ t: string | null }>(`SELECT to_regclass('"gateway"."client_credential"')::text AS t`);
  if (!rows[0]?.t) return undefined;
  const { randomUUID } = await import('node:crypto');
  const id = randomUUID();
  const key = newApiKey();
  await db.query(
    `INSERT INTO "gateway"."client" (id, name, department, operations, rate_limit_per_second) VALUES ($1, 'ecert bench', 'bench', $2, 1000000)`,
    [id, [...OPERATIONS]],
  );
  await db.query(`INSERT INTO "gateway"."client_credential" (id, client_id, kind, secret_hash) VALUES ($1, $2, 'api_key', $3)`, [key.credentialId, id, key.secretHash]);
  return key.apiKey;
}

/** Rows per CA in cert.certificate (for cross-checking wrk's 201 counts). */
export async function countCertificates(db: pg.Pool): Promise<Record<string, number>> {
  const { rows } = await db.query<{ ca_id: string; n: number }>('SELECT ca_id, count(*)::int AS n FROM "cert"."certificate" GROUP BY ca_id');
  return Object.fromEntries(rows.map((r) => [r.ca_id, r.n]));
}
