import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

type WithAddress = Request & { clientAddress?: string };

const normalise = (ip: string | undefined) => (ip ?? '').trim().replace(/^::ffff:/, '');

/**
 * The address a request really comes from: the TCP peer, unless the peer is one of our trusted
 * TLS proxies, then the right-most X-Forwarded-For entry that is not one of them. Anyone else's
 * X-Forwarded-For is ignored, so it cannot be used to dodge per-address limits.
 */
export function clientAddressMiddleware(trustedProxies: ReadonlySet<string>) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const peer = normalise(req.socket.remoteAddress);
    let address = peer;
    if (trustedProxies.has(peer)) {
      const hops = (req.header('x-forwarded-for') ?? '').split(',').map(normalise).filter(Boolean);
      address = [...hops].reverse().find((h) => !trustedProxies.has(h)) ?? peer;
    }
    (req as WithAddress).clientAddress = address;
    next();
  };
}

export function clientAddressOf(req: Request): string {
  return (req as WithAddress).clientAddress ?? normalise(req.socket.remoteAddress);
}

/** The caller's address as clientAddressMiddleware determined it. */
export const ClientAddress = createParamDecorator((_: unknown, ctx: ExecutionContext) => clientAddressOf(ctx.switchToHttp().getRequest<Request>()));

export function trustedProxySet(list: string): Set<string> {
  return new Set(list.split(',').map(normalise).filter(Boolean));
}
