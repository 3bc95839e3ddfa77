import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type EcertConfig } from '@ecert/common';
import { checkBackingServices } from '../scripts/backing-services';
import { BenchError } from './procs';

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
