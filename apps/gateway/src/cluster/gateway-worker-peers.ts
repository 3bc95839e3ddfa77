import cluster from 'node:cluster';
import { isMetricsSnapshot, type MetricsSnapshot } from '@ecert/messaging';
import { GATEWAY_WORKER_ENV, isGatewayWorkerMessage, type GatewayWorkerMessage, type PeerMetrics } from './gateway-worker-messages';

/** True in an HTTP worker of a gateway started with GATEWAY_WORKERS > 1. */
export function isGatewayWorker(): boolean {
  return cluster.isWorker && !!process.env[GATEWAY_WORKER_ENV] && typeof process.send === 'function';
}

/**
 * A worker's side of the metrics relay: it answers the primary with its own registry, and asks the
 * primary for the other workers' when it serves a scrape. Outside a worker pool there are no peers.
 */
export class GatewayWorkerPeers {
  private nextId = 0;
  private readonly waiting = new Map<number, (peers: PeerMetrics[]) => void>();

  constructor(
    private readonly instance: string,
    private readonly ownSnapshot: () => Promise<MetricsSnapshot>,
    private readonly timeoutMs: number,
  ) {
    if (!isGatewayWorker()) return;
    process.on('message', (m: unknown) => {
      if (!isGatewayWorkerMessage(m)) return;
      if (m.type === 'ecert:own-metrics-request') void this.answer(m.id);
      else if (m.type === 'ecert:peer-metrics') this.waiting.get(m.id)?.(m.peers.filter((p) => typeof p?.instance === 'string' && isMetricsSnapshot(p.snapshot)));
    });
  }

  /** The other workers' own metrics; those that did not answer in time are left out (and counted as absent). */
  peers(): Promise<PeerMetrics[]> {
    if (!isGatewayWorker()) return Promise.resolve([]);
    const id = ++this.nextId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done([]), this.timeoutMs + 500);
      const done = (peers: PeerMetrics[]) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(peers);
      };
      this.waiting.set(id, done);
      send({ type: 'ecert:peer-metrics-request', id });
    });
  }

  private async answer(id: number): Promise<void> {
    send({ type: 'ecert:own-metrics', id, instance: this.instance, snapshot: await this.ownSnapshot() });
  }
}

/** Tells the primary that this worker listens. */
export function reportGatewayWorkerReady(): void {
  if (isGatewayWorker()) send({ type: 'ecert:gateway-ready' });
}

function send(m: GatewayWorkerMessage): void {
  try {
    process.send?.(m);
  } catch {
    /* the primary is gone: this worker exits with the channel */
  }
}
