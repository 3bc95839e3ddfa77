import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { refusedAddress, urlPort, type WebhookTargetPolicy } from '@ecert/common';

/** How much of a receiver's answer is read (kept for the delivery log); the rest is dropped. */
export const RESPONSE_BODY_LIMIT = 1024;

export interface SendResult {
  statusCode?: number;
  /** Why the attempt failed before an answer (refused target, timeout, connection error). */
  error?: string;
  durationMs: number;
  responseSnippet?: string;
}

class RefusedTarget extends Error {}

/**
 * Resolves like dns.lookup, then refuses the connection if any address is the platform's own or
 * (unless allowed) private: the check happens where the socket connects, so a name that changes
 * its answer between registration and delivery cannot slip through.
 */
function checkedLookup(policy: WebhookTargetPolicy, port: number): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return (callback as (e: Error | null, a: string, f?: number) => void)(err, '', 4);
      for (const a of addresses) {
        const why = refusedAddress(a.address, port, policy);
        if (why) return (callback as (e: Error | null, a: string, f?: number) => void)(new RefusedTarget(`${hostname} resolves to ${why}`), '', 4);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      (callback as (e: null, a: string, f: number) => void)(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * One POST of a delivery: no redirects followed (a 3xx is a failure), one deadline for connect,
 * send and answer, the answer read up to RESPONSE_BODY_LIMIT, no connection reuse.
 */
export function sendWebhook(url: string, headers: Record<string, string>, body: string, policy: WebhookTargetPolicy, timeoutMs: number): Promise<SendResult> {
  const started = Date.now();
  const u = new URL(url);
  const port = urlPort(u);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host)) {
    const why = refusedAddress(host, port, policy);
    if (why) return Promise.resolve({ error: `target refused: ${why}`, durationMs: 0 });
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
        lookup: checkedLookup(policy, port),
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), connection: 'close' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          res.destroy();
          done({ statusCode: res.statusCode, responseSnippet: Buffer.concat(chunks).toString('utf8').slice(0, RESPONSE_BODY_LIMIT) || undefined, ...redirectNote(res.statusCode, res.headers) });
        };
        res.on('data', (c: Buffer) => {
          if (size < RESPONSE_BODY_LIMIT) chunks.push(c.subarray(0, RESPONSE_BODY_LIMIT - size));
          size += c.length;
          if (size >= RESPONSE_BODY_LIMIT) finish();
        });
        res.on('end', finish);
        res.on('error', finish);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done({ error: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    req.on('error', (e) => done({ error: e instanceof RefusedTarget ? `target refused: ${e.message}` : `${(e as NodeJS.ErrnoException).code ?? 'error'}: ${e.message}` }));
    req.end(body);
  });
}

function redirectNote(status: number | undefined, headers: IncomingHttpHeaders): { error?: string } {
  return status && status >= 300 && status < 400 ? { error: `redirect to ${String(headers.location ?? '?').slice(0, 200)} not followed` } : {};
}
