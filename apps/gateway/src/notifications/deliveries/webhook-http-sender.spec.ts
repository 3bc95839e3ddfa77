import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookTargetPolicy } from '@ecert/common';
import { RESPONSE_BODY_LIMIT, sendWebhook } from './webhook-http-sender';

let server: Server;
let port = 0;
const seen: { path: string; body: string; headers: Record<string, unknown> }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString(), headers: req.headers });
      if (req.url === '/ok') return res.writeHead(204).end();
      if (req.url === '/redirect') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
      if (req.url === '/big') return res.writeHead(200).end('x'.repeat(1024 * 1024));
      if (req.url === '/hang') return; // never answers
      res.writeHead(500).end('boom');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const dev: WebhookTargetPolicy = { platform: [{ host: '127.0.0.1', port: 1 }], allowPrivate: true };
const prod: WebhookTargetPolicy = { ...dev, allowPrivate: false };

describe('sending one webhook attempt', () => {
  it('posts the body with its headers, also to a host name (checked in the lookup)', async () => {
    const r = await sendWebhook(`http://localhost:${port}/ok`, { 'content-type': 'application/json', 'x-test': 'a' }, '{"a":1}', dev, 2000);
    expect(r).toMatchObject({ statusCode: 204 });
    expect(r.error).toBeUndefined();
    const got = seen.find((s) => s.path === '/ok')!;
    expect(got.body).toBe('{"a":1}');
    expect(got.headers['x-test']).toBe('a');
    expect(got.headers['content-length']).toBe('7');
  });

  it('does not follow redirects', async () => {
    const r = await sendWebhook(`http://127.0.0.1:${port}/redirect`, {}, '{}', dev, 2000);
    expect(r.statusCode).toBe(302);
    expect(r.error).toMatch(/redirect to http:\/\/169\.254\.169\.254\/latest\/meta-data not followed/);
    expect(seen.filter((s) => s.path === '/latest/meta-data')).toEqual([]);
  });

  it('reads at most a small part of the answer', async () => {
    const r = await sendWebhook(`http://127.0.0.1:${port}/big`, {}, '{}', dev, 5000);
    expect(r.statusCode).toBe(200);
    expect(r.responseSnippet!.length).toBeLessThanOrEqual(RESPONSE_BODY_LIMIT);
  });

  it('gives up on a receiver that never answers at the deadline', async () => {
    const r = await sendWebhook(`http://127.0.0.1:${port}/hang`, {}, '{}', dev, 300);
    expect(r.statusCode).toBeUndefined();
    expect(r.error).toBe('no answer within 300 ms');
  });

  it('refuses private targets and the platform before connecting', async () => {
    const before = seen.length;
    expect((await sendWebhook(`http://127.0.0.1:${port}/ok`, {}, '{}', prod, 2000)).error).toMatch(/^target refused: 127\.0\.0\.1 is a loopback address/);
    expect((await sendWebhook(`http://localhost:${port}/ok`, {}, '{}', prod, 2000)).error).toMatch(/^target refused: localhost resolves to .*loopback/);
    expect((await sendWebhook('http://localhost:1/ok', {}, '{}', dev, 2000)).error).toMatch(/platform itself/);
    expect(seen.length).toBe(before);
  });
});
