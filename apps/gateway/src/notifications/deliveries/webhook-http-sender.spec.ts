import { createServer, type Server } from 'node:http';
import { lookup } from 'node:dns/promises';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoundedLookup, type WebhookTargetPolicy } from '@ecert/common';
import { sendWebhook } from './webhook-http-sender';

let server: Server;
let port = 0;
const seen: { path: string; body: string; headers: Record<string, unknown> }[] = [];
/** The endless answer: how much the server managed to write, and whether the client hung up. */
const endless = { written: 0, closed: false };
const names = new BoundedLookup((h) => lookup(h, { all: true }), { timeoutMs: 2000, maxConcurrent: 2 });

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString(), headers: req.headers });
      if (req.url === '/ok') return res.writeHead(204).end();
      if (req.url === '/redirect') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
      if (req.url === '/endless') {
        // An answer that never ends: a sender that reads it to its end never finishes.
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.on('close', () => (endless.closed = true));
        const chunk = Buffer.alloc(16 * 1024, 'x');
        const pump = () => {
          while (!endless.closed && res.write(chunk)) endless.written += chunk.length;
          if (!endless.closed) res.once('drain', pump);
        };
        return pump();
      }
      if (req.url === '/hang') return; // never answers
      res.writeHead(500).end('internal details of the receiver');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const dev = (): WebhookTargetPolicy => ({ platform: [{ host: '127.0.0.1', port }], allowPrivate: true });
const open: WebhookTargetPolicy = { platform: [], allowPrivate: true };
const prod: WebhookTargetPolicy = { platform: [], allowPrivate: false };

describe('sending one webhook attempt', () => {
  it('posts the body with its headers, also to a host name (checked in the lookup)', async () => {
    const r = await sendWebhook(`http://localhost:${port}/ok`, { 'content-type': 'application/json', 'x-test': 'a' }, '{"a":1}', open, 2000, names);
    expect(r).toMatchObject({ statusCode: 204 });
    expect(r.error).toBeUndefined();
    const got = seen.find((s) => s.path === '/ok')!;
    expect(got.body).toBe('{"a":1}');
    expect(got.headers['x-test']).toBe('a');
    expect(got.headers['content-length']).toBe('7');
  });

  it('does not follow redirects, and tells only that', async () => {
    const r = await sendWebhook(`http://127.0.0.1:${port}/redirect`, {}, '{}', open, 2000, names);
    expect(r).toMatchObject({ statusCode: 302, error: 'redirect not followed' });
    expect(r.detail).toMatch(/169\.254\.169\.254/);
    expect(seen.filter((s) => s.path === '/latest/meta-data')).toEqual([]);
  });

  it('keeps nothing of an error answer but its status', async () => {
    const r = await sendWebhook(`http://127.0.0.1:${port}/fail`, {}, '{}', open, 2000, names);
    expect(r.statusCode).toBe(500);
    expect(JSON.stringify(r)).not.toContain('internal details');
  });

  it('stops reading once the status is in: an endless answer ends the attempt at once', async () => {
    const r = await sendWebhook(`http://127.0.0.1:${port}/endless`, {}, '{}', open, 10_000, names);
    expect(r).toMatchObject({ statusCode: 200 });
    expect(r.error).toBeUndefined();
    await expect.poll(() => endless.closed, { timeout: 5000 }).toBe(true);
    // The server's writes stalled on a full socket and then failed: far less than it would send.
    expect(endless.written).toBeLessThan(64 * 1024 * 1024);
  });

  it('gives up on a receiver that never answers at the deadline', async () => {
    const r = await sendWebhook(`http://127.0.0.1:${port}/hang`, {}, '{}', open, 300, names);
    expect(r.statusCode).toBeUndefined();
    expect(r).toMatchObject({ error: 'timeout', detail: 'no answer within 300 ms' });
  });

  it('refuses private targets and the platform before connecting, without saying what it resolved to', async () => {
    const before = seen.length;
    expect(await sendWebhook(`http://127.0.0.1:${port}/ok`, {}, '{}', prod, 2000, names)).toMatchObject({ error: 'target refused', detail: expect.stringMatching(/loopback/) });
    expect(await sendWebhook(`http://localhost:${port}/ok`, {}, '{}', prod, 2000, names)).toMatchObject({ error: 'target refused', detail: expect.stringMatching(/^localhost resolves to .*loopback/) });
    // The platform is a listening port here: only the check keeps the request from arriving.
    expect(await sendWebhook(`http://localhost:${port}/ok`, {}, '{}', dev(), 2000, names)).toMatchObject({ error: 'target refused', detail: expect.stringMatching(/platform itself/) });
    expect(await sendWebhook(`http://[::ffff:127.0.0.1]:${port}/ok`, {}, '{}', dev(), 2000, names)).toMatchObject({ error: 'target refused' });
    expect(seen.length).toBe(before);
  });
});
