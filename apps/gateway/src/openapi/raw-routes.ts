/**
 * Routes answered outside Nest's router (the OCSP responder ahead of Express, the queue board's
 * own Express app), declared on the very handler that answers them. The OpenAPI test walks the
 * HTTP server's listeners and Express's mounts: a handler that answers requests without saying
 * which is a failure, so nothing is served that the document does not describe.
 */
export type RawMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RawRoute {
  method: RawMethod;
  /** An OpenAPI path template, e.g. /pki/ocsp/{request}. */
  path: string;
}

const RAW_ROUTES = Symbol.for('ecert.openapi.raw-routes');

export function declareRawRoutes<T extends object>(handler: T, routes: readonly RawRoute[]): T {
  Object.defineProperty(handler, RAW_ROUTES, { value: routes, enumerable: false });
  return handler;
}

export function rawRoutesOf(handler: unknown): readonly RawRoute[] | undefined {
  return handler && (typeof handler === 'object' || typeof handler === 'function') ? (handler as Record<symbol, readonly RawRoute[]>)[RAW_ROUTES] : undefined;
}
