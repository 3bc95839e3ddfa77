import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '../../support/http';
import { killOnExit } from './private-servers';

const root = path.resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

/**
 * Builds the platform the way `npm run build` does, into a directory of the suite's own inside
 * the repository (where node_modules resolves; ignored by git as .build-check-*), so a
 * developer's dist/ is neither used stale nor overwritten. `remove` deletes it.
 *
 * FAULT_BUILD_DIR names a build made before (the same two commands, `--outDir` that directory),
 * used as it is and kept: for running one kill scenario again while working on it, on a machine
 * where the build takes minutes. It is not rebuilt, so it must be made again after a change.
 */
export async function buildPlatform(): Promise<{ dist: string; remove(): void }> {
  const reused = process.env.FAULT_BUILD_DIR;
  if (reused) {
    const dist = path.resolve(root, reused);
    if (!existsSync(path.join(dist, 'apps', 'cert-service', 'src', 'main.js'))) throw new Error(`FAULT_BUILD_DIR ${dist} holds no build`);
    return { dist, remove: () => undefined };
  }
  const outDir = path.join(root, `.build-check-faults-${process.pid}`);
  const tsc = path.join(root, 'node_modules', '.bin', 'tsc');
  const alias = path.join(root, 'node_modules', '.bin', 'tsc-alias');
  for (const [cmd, what] of [
    [tsc, 'tsc'],
    [alias, 'tsc-alias'],
  ]) {
    await run(cmd, ['-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root, maxBuffer: 16 << 20 }).catch((e: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`${what} failed: ${e.stdout ?? ''}${e.stderr ?? ''}`.slice(0, 4000));
    });
  }
  const main = path.join(outDir, 'apps', 'cert-service', 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`build produced no ${main}`);
  return { dist: outDir, remove: () => rmSync(outDir, { recursive: true, force: true }) };
}

export type ChildServiceName = 'cert-service' | 'seal-service' | 'workflow-service' | 'gateway';

/** The line each service logs once it serves: the gateway on HTTP, the others on NATS. */
const READY_LINE: Record<ChildServiceName, string> = {
  'cert-service': 'service listening on NATS',
  'seal-service': 'service listening on NATS',
  'workflow-service': 'service listening on NATS',
  gateway: 'gateway listening',
};

/**
 * One service as an OS process of its own (node dist/apps/<service>/src/main.js, as `npm start`
 * runs it), so that it can be killed with SIGKILL mid-request. Its settings come from `env` over
 * the test process's: a gateway's own GATEWAY_PORT, a cluster's list of nodes as NATS_URL.
 */
export class ChildService {
  private child: ChildProcess | undefined;
  private starts = 0;

  constructor(
    private readonly distDir: string,
    readonly service: ChildServiceName,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logPath: string,
  ) {}

  async start(): Promise<void> {
    const marker = `--- start ${++this.starts}`;
    appendFileSync(this.logPath, `${marker}\n`);
    const fd = openSync(this.logPath, 'a');
    const child = spawn(process.execPath, ['--enable-source-maps', path.join(this.distDir, 'apps', this.service, 'src', 'main.js')], {
      env: { ...process.env, ...this.env, LOG_LEVEL: 'info' },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    this.child = child;
    killOnExit(child);
    await waitFor(async () => {
      const log = readFileSync(this.logPath, 'utf8');
      return child.exitCode !== null || log.slice(log.lastIndexOf(marker)).includes(READY_LINE[this.service]);
    }, 90_000, 200);
    if (child.exitCode !== null) throw new Error(`${this.service} exited (${child.exitCode}): ${this.tail()}`);
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** kill -9: no shutdown hook runs, nothing in flight is finished or answered. */
  async kill(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise((done) => {
      c.once('exit', done);
      c.kill('SIGKILL');
    });
  }

  /** kill -9, `downMs` with the service gone, then a start; returns how long the start took (ms). */
  async killAndRestart(downMs = 2000): Promise<number> {
    await this.kill();
    await new Promise((r) => setTimeout(r, downMs));
    const t = Date.now();
    await this.start();
    return Date.now() - t;
  }

  /** SIGTERM (SIGKILL after 20 s); resolves with how it exited (undefined if it was not running). */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return undefined;
    return new Promise((done) => {
      const t = setTimeout(() => c.kill('SIGKILL'), 20_000);
      c.once('exit', (code, signal) => {
        clearTimeout(t);
        done({ code, signal });
      });
      c.kill('SIGTERM');
    });
  }

  tail(lines = 20): string {
    return existsSync(this.logPath) ? readFileSync(this.logPath, 'utf8').split('\n').slice(-lines).join('\n') : '';
  }
}
