import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
  clientId?: string;
  actor?: string;
  /** Region scope of the caller (see access/region-scope); absent or empty = none; 000000 = national. */
  regions?: string[];
  role?: string;
  /** Operations granted to the acting client or staff member. */
  operations?: readonly string[];
  /** In a service: the bus principal that sent the request being handled. */
  caller?: string;
  /** In a service: the gateway's signed context behind this request, forwarded on further calls. */
  gatewayToken?: string;
  /** In a service: the subject of that gateway request (what the forwarded token was made for). */
  upstreamSubject?: string;
  /** In a service: who the acting identity's token comes from (gateway, or workflow-service on its own errand). */
  origin?: string;
}

/** Carries the request id through async code, in the gateway and in each service handler. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}
