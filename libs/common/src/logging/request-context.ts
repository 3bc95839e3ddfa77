import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
  clientId?: string;
  actor?: string;
  /** Region scope of the caller (see access/region-scope); absent = unrestricted. */
  regions?: string[];
}

/** Carries the request id through async code, in the gateway and in each service handler. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}
