import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
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

/** A node's place in a cluster: its name, its route port and its peers' (`PrivateNatsCluster` assigns them). */
export interface NatsClusterMember {
  name: string;
  clusterPort: number;
  /** Route ports of every node of the cluster (its own among them: nats-server skips it). */
  routePorts: number[];
  /** HTTP monitoring port (/jsz tells the JetStream meta leader). */
  monitorPort: number;
}

export class PrivateNats extends PrivateServer {
  /** Without `member` a standalone server; with it a node of a JetStream cluster. */
  constructor(readonly member?: NatsClusterMember) {
    super();
  }
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
  protected command(): [string, string[]] {
    const own = ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.dir];
    const m = this.member;
    if (!m) return ['nats-server', own];
    const routes = m.routePorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
    return ['nats-server', [...own, '-n', m.name, '--cluster_name', 'ecert-fault', '--cluster', `nats://127.0.0.1:${m.clusterPort}`, '--routes', routes, '-m', String(m.monitorPort)]];
  }
  protected async ready(): Promise<boolean> {
    const nc = await connect({ servers: this.url, timeout: 500, reconnect: false }).catch(() => undefined);
    if (!nc) return false;
    await nc.close();
    return true;
  }
  /** This node's JetStream report (monitoring /jsz): the meta leader among others. */
  async jsz(): Promise<{ meta_cluster?: { leader?: string; cluster_size?: number } }> {
    if (!this.member) throw new Error('a standalone server has no cluster to report');
    const res = await fetch(`http://127.0.0.1:${this.member.monitorPort}/jsz`, { signal: AbortSignal.timeout(2000) });
    return (await res.json()) as { meta_cluster?: { leader?: string; cluster_size?: number } };
  }
}

/**
 * Three (or `size`) nats-servers on free ports forming one JetStream cluster, each with its own
 * store directory, routed to each other. `url` lists every node, as NATS_URL does on a cluster.
 * `start` returns once JetStream has a meta leader and answers (streams at R3 can be made).
 */
export class PrivateNatsCluster {
  private constructor(readonly nodes: PrivateNats[]) {}

  static async start(size = 3): Promise<PrivateNatsCluster> {
    const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), cluster: await freePort(), monitor: await freePort() })));
    const nodes = ports.map((p, i) => {
      const n = new PrivateNats({ name: `n${i + 1}`, clusterPort: p.cluster, routePorts: ports.map((q) => q.cluster), monitorPort: p.monitor });
      n.port = p.client;
      return n;
    });
    await Promise.all(nodes.map((n) => n.start()));
    const cluster = new PrivateNatsCluster(nodes);
    await waitFor(async () => {
      const leader = await cluster.metaLeader().catch(() => undefined);
      if (!leader) return false;
      const nc = await connect({ servers: cluster.url.split(','), timeout: 1000 });
      try {
        return Boolean(await (await jetstreamManager(nc)).getAccountInfo().catch(() => undefined));
      } finally {
        await nc.close();
      }
    }, 30_000, 250);
    return cluster;
  }

  /** Every node's client URL, comma-separated (NATS_URL of a service on the cluster). */
  get url(): string {
    return this.nodes.map((n) => n.url).join(',');
  }

  node(name: string): PrivateNats {
    const n = this.nodes.find((x) => x.member?.name === name);
    if (!n) throw new Error(`no node ${name} in the cluster`);
    return n;
  }

  /** The JetStream meta leader's name, as a running node reports it. */
  async metaLeader(): Promise<string | undefined> {
    for (const n of this.nodes.filter((x) => x.running)) {
      const leader = (await n.jsz().catch(() => undefined))?.meta_cluster?.leader;
      if (leader) return leader;
    }
    return undefined;
  }

  async remove(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.remove()));
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
