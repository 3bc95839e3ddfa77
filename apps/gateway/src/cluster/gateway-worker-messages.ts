import type { MetricsSnapshot } from '@ecert/messaging';

/**
 * What the gateway's primary and its HTTP workers say to each other over the cluster's IPC
 * channel (a pipe between a parent and the children it forked: nobody else can write to it).
 * Every message is checked for its shape on arrival all the same.
 */
export type GatewayWorkerMessage =
  /** worker → primary: it listens (the primary reports the gateway up once every worker does). */
  | { type: 'ecert:gateway-ready' }
  /** worker → primary: a scrape wants the other workers' own metrics. */
  | { type: 'ecert:peer-metrics-request'; id: number }
  /** primary → worker: send your own metrics for request `id`. */
  | { type: 'ecert:own-metrics-request'; id: number }
  /** worker → primary: one worker's own metrics for request `id`. */
  | { type: 'ecert:own-metrics'; id: number; instance: string; snapshot: MetricsSnapshot }
  /** primary → the asking worker: what the others sent within the window. */
  | { type: 'ecert:peer-metrics'; id: number; peers: PeerMetrics[] };

export interface PeerMetrics {
  instance: string;
  snapshot: MetricsSnapshot;
}

/** Set in each worker's environment: its number (1…GATEWAY_WORKERS). */
export const GATEWAY_WORKER_ENV = 'ECERT_GATEWAY_WORKER';
/**
 * Set in each worker's environment: the `instance` of the pool as a whole (ECERT_INSTANCE_ID, or
 * the primary's host:pid), for the series a scrape reports once whichever worker serves it.
 */
export const GATEWAY_POOL_INSTANCE_ENV = 'ECERT_GATEWAY_POOL_INSTANCE';

export function isGatewayWorkerMessage(m: unknown): m is GatewayWorkerMessage {
  if (typeof m !== 'object' || m === null) return false;
  const { type, id } = m as { type?: unknown; id?: unknown };
  if (type === 'ecert:gateway-ready') return true;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return false;
  if (type === 'ecert:peer-metrics-request' || type === 'ecert:own-metrics-request') return true;
  if (type === 'ecert:own-metrics') return typeof (m as { instance?: unknown }).instance === 'string' && Array.isArray((m as { snapshot?: unknown }).snapshot);
  if (type === 'ecert:peer-metrics') return Array.isArray((m as { peers?: unknown }).peers);
  return false;
}
