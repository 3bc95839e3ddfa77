import cluster from 'node:cluster';
import { isMetricsSnapshot, type MetricsSnapshot } from '@ecert/messaging';
import { GATEWAY_POOL_INSTANCE_ENV, GATEWAY_WORKER_ENV, isGatewayWorkerMessage, type GatewayWorkerMessage, type PeerMetrics } from './gateway-worker-messages';

/** True in an HTTP worker of a gateway started with GATEWAY_WORKERS > 1. */
export function isGatewayWorker(): boolean {
  return cluster.isWorker && !!process.env[GATEWAY_WORKER_ENV] && typeof process.send === 'function';
}

/** The `instance` of the series reported once per gateway (a pool's, or this process's own). */
export function gatewayPoolInstance(own: string): string {
  return (isGatewayWorker() && process.env[GATEWAY_POOL_INSTANCE_ENV]) || own;
}

/** How a worker talks to its primary: the cluster's IPC pipe, or a test's stand-in. */
export interface PrimaryChannel {
  send(m: GatewayWorkerMessage): void;
  onMessage(listener: (m: unknown) => void): void;
}

const processChannel: PrimaryChannel = {
  send(m) {
    try {
      process.send?.(m);
    } catch {
      /* the primary is gone: this worker exits with the channel */
    }
  },
  onMessage(listener) {
    process.on('message', listener);
  },
};

/**
 * A worker's side of the metrics relay: it answers the primary with its own registry, and asks the
 * primary for the other workers' when it serves a scrape. Outside a worker pool there are no peers.
 */
export class GatewayWorkerPeers {
  private nextId = 0;
  private readonly waiting = new Map<number, (peers: PeerMetrics[]) => void>();
  private answering?: Promise<MetricsSnapshot>;

  constructor(
    private readonly instance: string,
    private readonly ownSnapshot: () => Promise<MetricsSnapshot>,
    private readonly timeoutMs: number,
    private readonly channel: PrimaryChannel | undefined = isGatewayWorker() ? processChannel : undefined,
  ) {
    channel?.onMessage((m) => {
      if (!isGatewayWorkerMessage(m)) return;
      if (m.type === 'ecert:own-metrics-request') void this.answer(m.id);
      else if (m.type === 'ecert:peer-metrics') this.waiting.get(m.id)?.(m.peers.filter((p) => typeof p?.instance === 'string' && isMetricsSnapshot(p.snapshot)));
    });
  }

  /** The other workers' own metrics; those that did not answer in time are left out (and counted as absent). */
  peers(): Promise<PeerMetrics[]> {
    const channel = this.channel;
    if (!channel) return Promise.resolve([]);
    const id = ++this.nextId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done([]), this.timeoutMs + 500);
      const done = (peers: PeerMetrics[]) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(peers);
      };
      this.waiting.set(id, done);
      channel.send({ type: 'ecert:peer-metrics-request', id });
    });
  }

  /**
   * Never throws: a registry that cannot be read (a gauge's query failing) answers an empty snapshot,
   * which the primary leaves out. Concurrent requests share one read.
   */
  private async answer(id: number): Promise<void> {
    this.answering ??= this.ownSnapshot()
      .catch(() => [] as MetricsSnapshot)
      .finally(() => (this.answering = undefined));
    const snapshot = await this.answering;
    this.channel?.send({ type: 'ecert:own-metrics', id, instance: this.instance, snapshot });
  }
}

/** Tells the primary that this worker listens. */
export function reportGatewayWorkerReady(): void {
  if (isGatewayWorker()) processChannel.send({ type: 'ecert:gateway-ready' });
}
