import type { HealthCheckStatus } from '@ecert/contracts';

/** A service's health as the gateway reports it: its own answer over NATS, or `down` with why it gave none. */
export interface ServiceHealthView {
  status: 'up' | 'down';
  /** Each dependency the service checks (postgres, nats, redis, keys, …). */
  checks?: Record<string, HealthCheckStatus>;
  /** The PostgreSQL pool as the service sees it, so "busy" and "down" read differently. */
  postgresPool?: { size: number; max: number; idle: number; waiting: number };
  /** Why the service gave no answer (timeout, no responder). */
  error?: string;
}

/** GET /api/v1/health: 200 when everything is up, 503 (same body) otherwise. */
export interface GatewayHealthView {
  status: 'up' | 'down';
  /** gateway, cert-service, seal-service, workflow-service. */
  services: Record<string, ServiceHealthView>;
  /** The gateway's own look at its backing stores. */
  stores: Record<'postgres' | 'nats' | 'redis', HealthCheckStatus>;
}
