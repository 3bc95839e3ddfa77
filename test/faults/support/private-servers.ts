import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { freePort } from '../../support/test-platform';
import { waitFor } from '../../support/http';

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
/** Servers and their directories go with the test process, however it ends (vitest stops its workers with SIGTERM, which fires no 'exit'). */
function cleanUp(): void {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
process.once('exit', cleanUp);
process.once('SIGTERM', () => {
  cleanUp();
  process.exit(143);
});

/** Kills the child when the test process exits, however it exits (a failed hook, a timeout). */
export function killOnExit(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/**
 * A backing server of the fault suite's own (a nats-server with JetStream, a redis-server) on a
 * free port, so that killing it disturbs nobody else on the machine. `stop` kills it, `start`
 * brings it back on the same port (and, for NATS, the same store directory: the stream survives).
 */
abstract class PrivateServer {
  port = 0;
  readonly dir = mkdtempSync(path.join(tmpdir(), 'ecert-fault-'));
  private child: ChildProcess | undefined;

  constructor() {
    dirs.add(this.dir);
  }

  protected abstract command(): [string, string[]];
  protected abstract ready(): Promise<boolean>;
  abstract get url(): string;

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const [cmd, args] = this.command();
    const child = spawn(cmd, args, { stdio: 'ignore' });
    let spawnError: Error | undefined;
    // A missing binary: say so at once, not after the 15 s wait (and no unhandled 'error').
    child.once('error', (e) => (spawnError = e));
    this.child = child;
    killOnExit(child);
    await waitFor(async () => {
      if (spawnError) throw new Error(`${cmd} could not be started (${spawnError.message}); the fault suite needs nats-server and redis-server on PATH`);
      if (child.exitCode !== null) throw new Error(`${cmd} exited with ${child.exitCode}`);
      return this.ready();
    }, 15_000, 100);
  }

  /** SIGKILL by default: a crash, not a shutdown (nothing gets flushed or handed over). */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise((done) => {
      c.once('exit', done);
      c.kill(signal);
    });
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
    dirs.delete(this.dir);
  }
}

export class PrivateNats extends PrivateServer {
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
  protected command(): [string, string[]] {
    return ['nats-server', ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.dir]];
  }
  protected async ready(): Promise<boolean> {
    const nc = await connect({ servers: this.url, timeout: 500, reconnect: false }).catch(() => undefined);
    if (!nc) return false;
    await nc.close();
    return true;
  }
}

export class PrivateRedis extends PrivateServer {
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  protected command(): [string, string[]] {
    return ['redis-server', ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', 'no', '--dir', this.dir]];
  }
  protected async ready(): Promise<boolean> {
    const r = new Redis({ port: this.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return (await r.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      r.disconnect();
    }
  }
}
