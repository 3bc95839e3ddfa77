import { describe, expect, it } from 'vitest';
import type { Request } from 'express';
import { clientAddressMiddleware, clientAddressOf, trustedProxySet } from './client-address';

function addressOf(peer: string, forwardedFor: string | undefined, proxies: string): string {
  const req = { socket: { remoteAddress: peer }, header: (n: string) => (n === 'x-forwarded-for' ? forwardedFor : undefined) } as unknown as Request;
  clientAddressMiddleware(trustedProxySet(proxies))(req, {} as never, () => undefined);
  return clientAddressOf(req);
}

describe('client address', () => {
  it('is the TCP peer when the peer is not a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(addressOf('::ffff:192.0.2.10', '203.0.113.9', '10.0.0.1')).toBe('192.0.2.10');
  });

  it('is the right-most forwarded hop that is not a trusted proxy', () => {
    expect(addressOf('10.0.0.1', '198.51.100.1, 203.0.113.9', '10.0.0.1')).toBe('203.0.113.9');
    // A client-supplied first entry cannot override what the proxies appended.
    expect(addressOf('10.0.0.1', '1.2.3.4, 203.0.113.9, 10.0.0.2', '10.0.0.1,10.0.0.2')).toBe('203.0.113.9');
  });

  it('falls back to the proxy when it forwarded nothing usable', () => {
    expect(addressOf('10.0.0.1', undefined, '10.0.0.1')).toBe('10.0.0.1');
    expect(addressOf('10.0.0.1', '10.0.0.1', '10.0.0.1')).toBe('10.0.0.1');
  });
});
