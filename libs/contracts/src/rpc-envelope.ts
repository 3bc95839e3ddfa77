/**
 * What the gateway sends over NATS request/reply: the validated command plus who asked.
 * The request id rides along so one id follows a request through every service's logs.
 */
export interface RpcMeta {
  requestId: string;
  /**
   * The signed context token (see bus-context.ts). The only field a service believes: who acts,
   * with which operations and region scope, all come from its verified claims.
   */
  context?: string;
}

export interface RpcEnvelope<T> {
  meta: RpcMeta;
  data: T;
}

/** A reply is either a result or an RFC 9457 problem; never a thrown transport error. */
export type RpcReply<T> = ({ ok: true; result: T } | { ok: false; problem: import('@ecert/common').ProblemDetails }) & {
  /**
   * The responder's Ed25519 signature over the request token's signature, the subject and the
   * SHA-256 of the reply without this field: a reply cannot be forged or moved to another request.
   */
  proof?: { by: string; sig: string };
};

/** `exhausted`: the dependency answers, but the service's connection pool gives nothing in time. */
export type HealthCheckStatus = 'up' | 'down' | 'exhausted';

export interface HealthReply {
  service: string;
  status: 'up' | 'down';
  checks: Record<string, HealthCheckStatus>;
  /** The PostgreSQL pool as the service sees it, so "busy" and "down" read differently. */
  postgresPool?: { size: number; max: number; idle: number; waiting: number };
  version: string;
}
