import cluster, { type Worker } from 'node:cluster';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { DEV_DEFAULTS_WARNED_ENV } from '@ecert/common';
import { GATEWAY_POOL_INSTANCE_ENV, GATEWAY_WORKER_ENV, isGatewayWorkerMessage, type GatewayWorkerMessage, type PeerMetrics } from './gateway-worker-messages';
import { DEFAULT_WORKER_RESTARTS, WorkerRestarts, type WorkerRestartOptions } from './worker-restarts';

export interface GatewayWorkerPoolOptions {
  workers: number;
  /** ECERT_INSTANCE_ID of the gateway, if set: each worker gets it with `-w<n>` appended. */
  instanceId?: string;
  /** How long the primary waits for the other workers' metrics (a scrape's window). */
  metricsWindowMs: number;
  /** Set when the development-defaults warning was already printed (npm start, or this primary). */
  devDefaultsWarned: boolean;
  /** What it says once every worker listens. */
  url: string;
  /** A worker that does not listen within this long (a hang, not an exit) is killed: 180 s. */
  readyDeadlineMs?: number;
  /** How long a stop waits for the workers before killing them: 15 s. */
  shutdownGraceMs?: number;
  restarts?: WorkerRestartOptions;
  /** How the primary ends (process.exit; a test's own). */
  exit?: (code: number) => void;
}

/** What a gateway stops on (Nest's shutdown hooks). */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * The gateway as several HTTP worker processes on one port (node:cluster: the workers share the
 * primary's listening socket and accept from it themselves). Each worker is a whole gateway — the same
 * as a second gateway on another host, which the platform already supports (durable consumers
 * shared, locks in PostgreSQL, challenges and counters in Redis; docs/deployment.md) — so the
 * only things the primary does are starting them, replacing one that dies, stopping them, and
 * relaying a metrics scrape to the others so the one metrics port shows every worker.
 */
export class GatewayWorkerPool {
  private readonly numbers = new Map<Worker, number>();
  private readonly ready = new Set<Worker>();
  private readonly deadlines = new Map<Worker, NodeJS.Timeout>();
  private readonly pendingForks = new Set<NodeJS.Timeout>();
  private readonly restarts: WorkerRestarts;
  private readonly readyDeadlineMs: number;
  private readonly shutdownGraceMs: number;
  private readonly exit: (code: number) => void;
  private readonly poolInstance: string;
  private readonly pendingMetrics = new Map<number, { asker: Worker; id: number; peers: PeerMetrics[]; waiting: Set<Worker>; timer: NodeJS.Timeout }>();
  private nextRelay = 0;
  private startedAll = false;
  private stopping = false;
  private exitCode = 0;

  constructor(
    private readonly opts: GatewayWorkerPoolOptions,
    private readonly logger: Logger,
  ) {
    this.poolInstance = opts.instanceId ?? `${hostname()}:${process.pid}`;
    this.restarts = new WorkerRestarts(opts.restarts ?? DEFAULT_WORKER_RESTARTS);
    this.readyDeadlineMs = opts.readyDeadlineMs ?? 180_000;
    this.shutdownGraceMs = opts.shutdownGraceMs ?? 15_000;
    this.exit = opts.exit ?? ((code) => process.exit(code));
  }

  start(): void {
    // The workers accept from the shared listening socket themselves (the kernel picks one) instead of
    // the primary accepting each connection and passing it over IPC (node's default on Linux): that
    // hand-off cost a third of the answers to clients opening a connection per request
    // (docs/benchmarks.md "Session 9"). NODE_CLUSTER_SCHED_POLICY=rr brings the default back.
    if (!process.env.NODE_CLUSTER_SCHED_POLICY) cluster.schedulingPolicy = cluster.SCHED_NONE;
    // The signals a single gateway stops on (Nest's shutdown hooks); a worker stopping by itself would be replaced.
    // A second signal changes nothing: Ctrl-C under `npm start` reaches this process twice at once
    // (the terminal's SIGINT to the group, the launcher's SIGTERM), and must still stop it cleanly.
    for (const signal of STOP_SIGNALS) process.on(signal, () => this.stop(0));
    this.forkAll();
  }

  /** The workers, without the signal handlers start() installs (a test's own pool). */
  forkAll(): void {
    for (let n = 1; n <= this.opts.workers; n++) this.fork(n);
  }

  private fork(n: number): void {
    const worker = cluster.fork({
      [GATEWAY_WORKER_ENV]: String(n),
      [GATEWAY_POOL_INSTANCE_ENV]: this.poolInstance,
      ...(this.opts.instanceId ? { ECERT_INSTANCE_ID: `${this.opts.instanceId.slice(0, 60)}-w${n}` } : {}),
      ...(this.opts.devDefaultsWarned ? { [DEV_DEFAULTS_WARNED_ENV]: '1' } : {}),
    });
    this.numbers.set(worker, n);
    worker.on('message', (m: unknown) => this.onMessage(worker, m));
    worker.once('exit', (code, signal) => this.onExit(worker, code, signal));
    // A write to a worker that has just died fails after send() returned, as an 'error' event on
    // the worker: without a listener that would end the primary, and every worker with it.
    worker.on('error', (e: Error) => this.logger.warn({ worker: n, err: e.message }, 'gateway worker channel failed (the worker is going)'));
    // First workers and replacements alike: one that hangs while starting is killed (and then
    // stops a pool still starting, or is replaced in a running one).
    const deadline = setTimeout(() => {
      this.logger.error({ worker: n, pid: worker.process.pid }, `gateway worker did not listen within ${this.readyDeadlineMs / 1000} s; killing it`);
      worker.process.kill('SIGKILL');
    }, this.readyDeadlineMs);
    deadline.unref();
    this.deadlines.set(worker, deadline);
  }

  private onMessage(worker: Worker, m: unknown): void {
    if (!isGatewayWorkerMessage(m)) return;
    switch (m.type) {
      case 'ecert:gateway-ready':
        if (this.ready.has(worker)) return;
        this.ready.add(worker);
        this.restarts.onServing();
        clearTimeout(this.deadlines.get(worker));
        this.deadlines.delete(worker);
        if (!this.startedAll && this.ready.size === this.opts.workers) {
          this.startedAll = true;
          this.logger.info({ url: this.opts.url, workers: this.opts.workers, pids: [...this.ready].map((w) => w.process.pid) }, `gateway listening on ${this.opts.workers} workers`);
        } else if (this.startedAll) {
          this.logger.info({ worker: this.numbers.get(worker), pid: worker.process.pid }, 'gateway worker replaced');
        }
        return;
      case 'ecert:peer-metrics-request':
        return this.relayMetrics(worker, m.id);
      case 'ecert:own-metrics':
        return this.collectMetrics(worker, m);
      default:
        return; // the primary is never asked for its own metrics: it serves nothing
    }
  }

  private relayMetrics(asker: Worker, id: number): void {
    const others = [...this.ready].filter((w) => w !== asker && w.isConnected());
    const key = ++this.nextRelay;
    if (others.length === 0) return void this.send(asker, { type: 'ecert:peer-metrics', id, peers: [] });
    const timer = setTimeout(() => this.finishMetrics(key), this.opts.metricsWindowMs);
    this.pendingMetrics.set(key, { asker, id, peers: [], waiting: new Set(others), timer });
    for (const w of others) this.send(w, { type: 'ecert:own-metrics-request', id: key });
  }

  private collectMetrics(from: Worker, m: Extract<GatewayWorkerMessage, { type: 'ecert:own-metrics' }>): void {
    const pending = this.pendingMetrics.get(m.id);
    if (!pending || !pending.waiting.delete(from)) return; // late, or not asked
    // An empty snapshot is a worker that could not read its registry: left out, so counted absent.
    if (m.snapshot.length) pending.peers.push({ instance: m.instance, snapshot: m.snapshot });
    if (pending.waiting.size === 0) this.finishMetrics(m.id);
  }

  private finishMetrics(key: number): void {
    const pending = this.pendingMetrics.get(key);
    if (!pending) return;
    this.pendingMetrics.delete(key);
    clearTimeout(pending.timer);
    if (pending.asker.isConnected()) this.send(pending.asker, { type: 'ecert:peer-metrics', id: pending.id, peers: pending.peers });
  }

  private send(worker: Worker, m: GatewayWorkerMessage): void {
    try {
      worker.send(m);
    } catch {
      /* the worker is going: its exit handler deals with it */
    }
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    const n = this.numbers.get(worker)!;
    this.numbers.delete(worker);
    const listened = this.ready.delete(worker);
    clearTimeout(this.deadlines.get(worker));
    this.deadlines.delete(worker);
    for (const [key, p] of this.pendingMetrics) if (p.waiting.delete(worker) && p.waiting.size === 0) this.finishMetrics(key);
    if (this.stopping) {
      // A worker that did not stop cleanly makes the gateway's own exit say so. Nest's shutdown hooks
      // end a clean stop by raising the signal again, so exiting by it is clean; SIGKILL is not.
      if (code !== 0 && !(signal && STOP_SIGNALS.includes(signal as (typeof STOP_SIGNALS)[number]))) this.exitCode = 1;
      if (this.numbers.size === 0) this.exit(this.exitCode);
      return;
    }
    const how = signal ?? `code ${code}`;
    if (!this.startedAll && !listened) {
      // A first worker that cannot start (configuration, a port taken, a backing service refusing)
      // would fail again. One that served and then died is replaced, as in a running pool.
      this.logger.error({ worker: n, exit: how }, 'gateway worker exited before it listened; stopping the gateway');
      return this.stop(1);
    }
    const decision = this.restarts.onDeath(Date.now(), this.ready.size);
    if (decision.action === 'stop') {
      this.logger.error({ worker: n, exit: how, deaths: this.restarts.recent }, 'no gateway worker serves and their replacements keep dying; stopping the gateway');
      return this.stop(1);
    }
    this.logger.error({ worker: n, pid: worker.process.pid, exit: how, replacedInMs: decision.delayMs, serving: this.ready.size }, 'gateway worker died; starting another (the other workers keep serving)');
    const t = setTimeout(() => {
      this.pendingForks.delete(t);
      if (!this.stopping) this.fork(n);
    }, decision.delayMs);
    this.pendingForks.add(t);
  }

  /** Each worker shuts down as a single gateway does (Nest's hooks); the primary exits after the last. */
  stop(code: number): void {
    if (this.stopping) return;
    this.stopping = true;
    this.exitCode = code;
    for (const t of this.pendingForks) clearTimeout(t);
    // Stopping is not hanging: a worker still starting gets the grace period, not the ready deadline's kill.
    for (const t of this.deadlines.values()) clearTimeout(t);
    this.deadlines.clear();
    if (this.numbers.size === 0) return this.exit(code);
    for (const w of this.numbers.keys()) w.process.kill('SIGTERM');
    setTimeout(() => this.kill(), this.shutdownGraceMs).unref();
  }

  /** The end of the grace period: whatever is left is killed, and the exit says so. */
  private kill(): void {
    for (const w of this.numbers.keys()) w.process.kill('SIGKILL');
    this.exit(this.exitCode || 1);
  }
}
