import { Session } from 'node:inspector';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Loaded into every process of the bench's platform (`--import`, see startPlatform) when
 * BENCH_CPU_PROFILE names a directory. Node refuses `--cpu-prof` in NODE_OPTIONS, and a profile of
 * the whole life would be mostly start-up; so the V8 sampling profiler runs only while the bench's
 * marker file `<dir>/profiling` exists, and writes `<phase>-<process>-<pid>.cpuprofile` (phase: the
 * marker's text) when it goes away. Polled, not signalled: Nest treats SIGUSR2 as a shutdown signal.
 */
const dir = process.env.ECERT_CPU_PROFILE_DIR;
if (dir) {
  const marker = path.join(dir, 'profiling');
  const script = process.argv[1] ?? 'node';
  const name = /apps\/([^/]+)\/src\/main\.js$/.exec(script)?.[1] ?? path.basename(script, '.js');
  const session = new Session();
  session.connect();
  const post = <T>(method: string): Promise<T> => new Promise((resolve, reject) => session.post(method, (err, result) => (err ? reject(err) : resolve(result as T))));
  let phase: string | undefined;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const wanted = existsSync(marker) ? readFileSync(marker, 'utf8').trim() || 'run' : undefined;
      if (!phase && wanted) {
        await post('Profiler.enable');
        await post('Profiler.start');
        phase = wanted;
      } else if (phase && wanted !== phase) {
        const { profile } = await post<{ profile: unknown }>('Profiler.stop');
        writeFileSync(path.join(dir, `${phase}-${name}-${process.pid}.cpuprofile`), JSON.stringify(profile));
        phase = undefined;
      }
    } catch (e) {
      process.emitWarning(`cpu profile: ${(e as Error).message}`);
    } finally {
      busy = false;
    }
  };
  setInterval(() => void tick(), 100).unref();
}
