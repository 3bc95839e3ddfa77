import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from '../../scripts/run-isolation';
import { waitFor } from './http';

/**
 * A redis-server of the test's own, on a free port, for tests that stop Redis (the shared one
 * belongs to everyone). No persistence: stopped and started again, it comes back empty, as a
 * Redis that lost its data does. `stop` kills it (no shutdown save); `start` again uses the same
 * port, so the platform's clients reconnect to it by themselves.
 */
export class PrivateRedis {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.child) return;
    this.child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitFor(async () => {
      const r = new Redis({ port: this.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      try {
        await r.connect();
        return (await r.ping()) === 'PONG';
      } finally {
        r.disconnect();
      }
    }, 10_000);
  }

  async stop(): Promise<void> {
    const r = this.child;
    this.child = undefined;
    if (!r || r.exitCode !== null) return;
    await new Promise((done) => {
      r.once('exit', done);
      r.kill('SIGKILL');
    });
  }
}
