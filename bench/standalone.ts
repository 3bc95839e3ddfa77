import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type EcertConfig } from '@ecert/common';
import { checkBackingServices } from '../scripts/backing-services';
import { rmSync } from 'node:fs';
import type pg from 'pg';
import { BenchError, type Daemon } from './procs';
import { dropBenchState } from './platform';

/**
 * What the single-phase benches (`npm run bench:crl`, `npm run bench:invalidation`) share: where
 * their results go, their progress log, and a configuration with the schedules off and the
 * backing services checked. Import after ./env (it sets the bench's database and prefixes).
 */
export const benchSourceDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench');

const t0 = Date.now();
export const benchLog = (s: string): void => console.log(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}`);

/** The bench's config: no scheduled job competes with what is measured; PostgreSQL, NATS and Redis reachable. */
export async function standaloneBenchConfig(): Promise<EcertConfig> {
  process.env.ECERT_INVALIDATION_CRON = 'off';
  process.env.ECERT_REMINDERS_CRON = 'off';
  const config = loadConfig(process.env);
  const down = (await checkBackingServices(config)).filter((c) => !c.ok);
  if (down.length) throw new BenchError(down.map((c) => `${c.name} is not reachable (${c.error}); ${c.hint}`).join('\n'));
  return config;
}

/** What a single-phase bench has to undo: the platform it started and its pool. */
export interface StandaloneState {
  platform?: Daemon;
  db?: pg.Pool;
}

/**
 * The cleanup of a single-phase bench, once, also on Ctrl-C: the platform stopped, the pool
 * closed, the bench's database, JetStream stream and Redis keys dropped, its work directory removed.
 */
export function standaloneCleanup(config: EcertConfig, work: string, state: StandaloneState): () => Promise<void> {
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    benchLog('cleaning up (platform, database, JetStream stream, Redis keys) ...');
    await state.platform?.stop().catch(() => undefined);
    await state.db?.end().catch(() => undefined);
    for (const p of await dropBenchState(config).catch((e) => [String((e as Error).message)])) console.warn(`cleanup: ${p}`);
    rmSync(work, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));
  return cleanup;
}

/** Runs a bench's main and exits with its code; a BenchError is a plain message, anything else "unexpected". */
export function runStandalone(main: () => Promise<number>, label = 'bench'): void {
  main()
    .then((code) => process.exit(code))
    .catch((e) => {
      console.error(`[${label}] ${e instanceof BenchError ? '' : 'unexpected error: '}${(e as Error).message}`);
      process.exit(1);
    });
}
