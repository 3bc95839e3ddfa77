import type { LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { refusedAddress, urlPort, type BoundedLookup, type WebhookTargetPolicy } from '@ecert/common';

/**
 * What an attempt came to. `error` is coarse — it is shown to the client in its delivery log, and
 * must not tell it about the platform's network (what a name resolved to, which address was
 * refused, what a server answered): `timeout`, `connection failed`, `target refused`,
 * `redirect not followed`. `detail` is for the gateway's own log only.
 */
export interface SendResult {
  statusCode?: number;
  error?: 'timeout' | 'connection failed' | 'target refused' | 'redirect not followed';
  detail?: string;
  durationMs: number;
}

class RefusedTarget extends Error {}

/**
 * Resolves (with a deadline, on a capped number of threads), then refuses the connection if any
 * address is the platform's own or (unless allowed) private: the check happens where the socket
 * connects, so a name that changes its answer between registration and delivery cannot slip
 * through.
 */
function checkedLookup(policy: WebhookTargetPolicy, port: number, names: BoundedLookup): LookupFunction {
  return (hostname, options, callback) => {
    const cb = callback as unknown as (e: Error | null, a: string | LookupAddress[], f?: number) => void;
    names.lookup(hostname).then(
      (addresses) => {
        const family = (options as { family?: number | string }).family;
        const usable = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
        if (!usable.length) return cb(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 4);
        for (const a of usable) {
          const why = refusedAddress(a.address, port, policy);
          if (why) return cb(new RefusedTarget(`${hostname} resolves to ${why}`), '', 4);
        }
        if ((options as { all?: boolean }).all) return cb(null, usable);
        cb(null, usable[0].address, usable[0].family);
      },
      (e: Error) => cb(e, '', 4),
    );
  };
}

/**
 * One POST of a delivery: no redirects followed (a 3xx is a failure), one deadline for connect,
 * send and answer, no connection reuse. Only the status line matters: the answer's body is never
 * read (the socket is closed once the headers are in).
 */
export function sendWebhook(url: string, headers: Record<string, string>, body: string, policy: WebhookTargetPolicy, timeoutMs: number, names: BoundedLookup): Promise<SendResult> {
  const started = Date.now();
  const u = new URL(url);
  const port = urlPort(u);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host)) {
    const why = refusedAddress(host, port, policy);
    if (why) return Promise.resolve({ error: 'target refused', detail: why, durationMs: 0 });
  }
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const done = (r: Omit<SendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, durationMs: Date.now() - started });
    };
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
      u,
      {
        method: 'POST',
        agent: false,
        lookup: checkedLookup(policy, port, names),
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), connection: 'close' },
      },
      (res) => {
        const status = res.statusCode;
        res.destroy();
        req.destroy();
        if (status && status >= 300 && status < 400) return done({ statusCode: status, error: 'redirect not followed', detail: `redirect to ${String(res.headers.location ?? '?').slice(0, 200)}` });
        done({ statusCode: status });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done({ error: 'timeout', detail: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    req.on('error', (e) =>
      done(e instanceof RefusedTarget ? { error: 'target refused', detail: e.message } : { error: 'connection failed', detail: `${(e as NodeJS.ErrnoException).code ?? 'error'}: ${e.message}` }),
    );
    req.end(body);
  });
}
