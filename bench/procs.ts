import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/**
 * Child processes the bench starts (the platform, openssl ocsp peers) run in their own process
 * group, so that one kill reaches their workers too (`openssl ocsp -multi` forks workers that
 * ignore SIGTERM and spin after a keep-alive client leaves). Every group still alive is killed
 * with SIGKILL when the bench exits, however it exits.
 */
const liveGroups = new Set<number>();

function killGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
    } catch {
      /* no such group (yet) or already gone */
    }
  }
}

process.on('exit', () => {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
});

export class BenchError extends Error {}

export interface Daemon {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logPath: string;
  /** Resolves when `text` appears in the log; rejects if the process exits first or after timeoutMs. */
  waitForLog(text: string | RegExp, timeoutMs: number): Promise<void>;
  exited(): boolean;
  logTail(lines?: number): string;
  /** SIGTERM to the group, SIGKILL after graceMs. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `cmd` with stdout+stderr written straight to `logPath`, by default in a new session and
 * process group (`detached`). `ownGroup: true` is for programs that make their own process group:
 * `openssl ocsp -multi` calls setpgid(0, 0) itself and exits (silently, to syslog) when it is a
 * session leader, as `detached` would make it.
 */
export function startDaemon(
  name: string,
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; logPath: string; ownGroup?: boolean },
): Daemon {
  const fd = openSync(opts.logPath, 'a');
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', fd, fd], detached: !opts.ownGroup });
  closeSync(fd);
  if (child.pid === undefined) throw new BenchError(`could not start ${name} (${cmd})`);
  const pid = child.pid;
  liveGroups.add(pid);
  let exitedFlag = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exitedFlag = true;
      resolve();
    });
    child.once('error', () => {
      exitedFlag = true;
      resolve();
    });
  });
  const readLog = () => {
    try {
      return readFileSync(opts.logPath, 'utf8');
    } catch {
      return '';
    }
  };
  const daemon: Daemon = {
    name,
    child,
    logPath: opts.logPath,
    exited: () => exitedFlag,
    logTail(lines = 30) {
      return readLog().split('\n').slice(-lines).join('\n');
    },
    async waitForLog(text, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const log = readLog();
        if (typeof text === 'string' ? log.includes(text) : text.test(log)) return;
        if (exitedFlag) throw new BenchError(`${name} exited before it was ready; last log lines:\n${daemon.logTail()}`);
        if (Date.now() > deadline) throw new BenchError(`${name} was not ready within ${Math.round(timeoutMs / 1000)} s; last log lines:\n${daemon.logTail()}`);
        await sleep(100);
      }
    },
    async stop(graceMs = 8000) {
      if (!liveGroups.has(pid)) return;
      killGroup(pid, 'SIGTERM');
      await Promise.race([exitPromise, sleep(graceMs)]);
      // The group leader may be gone while its workers are not: always finish with SIGKILL.
      killGroup(pid, 'SIGKILL');
      liveGroups.delete(pid);
      await Promise.race([exitPromise, sleep(1000)]);
    },
  };
  return daemon;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (bounded by timeoutMs), never throwing on a non-zero exit. */
export function run(cmd: string, args: string[], opts: { timeoutMs?: number; cwd?: string; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { cwd: opts.cwd, timeout: opts.timeoutMs ?? 60_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) + (err && code === 1 && !stderr ? err.message : '') });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Like `run` but throws a BenchError with the command's output when it fails. */
export async function mustRun(cmd: string, args: string[], opts: { timeoutMs?: number; cwd?: string; input?: string } = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new BenchError(`${cmd} ${args.join(' ')} failed (${r.code}):\n${r.stderr || r.stdout}`);
  return r.stdout;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function commandExists(cmd: string): Promise<boolean> {
  const r = await run('sh', ['-c', `command -v ${cmd}`], { timeoutMs: 5000 });
  return r.code === 0 && r.stdout.trim().length > 0;
}
