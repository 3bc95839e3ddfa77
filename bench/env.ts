import 'reflect-metadata';
import { randomBytes } from 'node:crypto';

/**
 * The bench's own isolation, set up before anything from @ecert is loaded: `@ecert/contracts`
 * reads ECERT_NATS_PREFIX once, at module load, to name NATS subjects and the events stream. So
 * `run.ts` imports this module first (ESM evaluates imports in order).
 *
 * Everything the bench creates is named after BENCH_ID: database `ecert_bench_<id>`, NATS prefix
 * `ecert_bench_<id>` (stream `ecert_bench_<id>_EVENTS`) and Redis prefix `ecert_bench_<id>`.
 */
export const BENCH_ID = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
export const BENCH_NAME = `ecert_bench_${BENCH_ID}`;

const baseUrl = new URL(process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ecert');
baseUrl.pathname = `/${BENCH_NAME}`;

process.env.DATABASE_URL = baseUrl.toString();
process.env.ECERT_NATS_PREFIX = BENCH_NAME;
process.env.ECERT_REDIS_PREFIX = BENCH_NAME;
// Production-like logging by default (the services log every certificate event at info).
process.env.LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';

/**
 * Gateway processes of the platform during the OCSP phase (BENCH_OCSP_GATEWAY_WORKERS, default 2:
 * one per core of the 2-core bench machine, a responder's configuration). Issuance is measured with
 * the platform's GATEWAY_WORKERS (default 1): on 2 cores shared with every service, a second gateway
 * process costs issuance more than it gives (docs/benchmarks.md "Session 9").
 */
export const OCSP_GATEWAY_WORKERS = clampInt(process.env.BENCH_OCSP_GATEWAY_WORKERS, 2, 1, 16);
/** BENCH_OCSP_NEW_CONNECTIONS=1: every OCSP request on a connection of its own (Connection: close), ecert's and the peer's. */
export const OCSP_NEW_CONNECTIONS = process.env.BENCH_OCSP_NEW_CONNECTIONS === '1';

/** Measured wrk duration per run (s) and warm-up (s); BENCH_DURATION / BENCH_WARMUP override. */
export const DURATION_S = clampInt(process.env.BENCH_DURATION, 10, 2, 120);
export const WARMUP_S = clampInt(process.env.BENCH_WARMUP, 3, 0, 30);
/** Longest wait (s) before a measured run for other work on the machine to stop (BENCH_QUIET_WAIT). */
export const QUIET_WAIT_S = clampInt(process.env.BENCH_QUIET_WAIT, 20, 0, 300);
/** Certificates generated for the 第二十条 run (BENCH_INVALIDATION_ROWS; 0 skips it). */
export const INVALIDATION_ROWS = clampInt(process.env.BENCH_INVALIDATION_ROWS, 10_000_000, 0, 50_000_000);
/** Revoked rows per issuing CA for the CRL benchmark. */
export const CRL_ENTRIES = clampInt(process.env.BENCH_CRL_ENTRIES, 100_000, 1, 2_000_000);

export function clampInt(v: string | undefined, dflt: number, min: number, max: number): number {
  const n = v === undefined ? dflt : Number.parseInt(v, 10);
  if (!Number.isFinite(n)) return dflt;
  return Math.min(max, Math.max(min, n));
}
