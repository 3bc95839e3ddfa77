/**
 * The OCSP invalidation broadcast of a big batch chunk reaches the subscribers whole, against the
 * real NATS server: one message of 50,000 serials (ECERT_BATCH_CHUNK_SIZE's maximum) would exceed
 * max_payload, be refused by the client, and the failure only logged.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import pino from 'pino';
import type { NatsConnection } from '@nats-io/transport-node';
import { loadConfig } from '@ecert/common';
import { Subjects, type OcspInvalidation } from '@ecert/contracts';
import { connectNats } from '@ecert/messaging';
import { RevocationChangeNotifier } from './revocation-change.notifier';
import type { CrlScheduler } from './crl-scheduler.service';
import type { OcspResponder } from '../ocsp/ocsp-responder.service';

const config = loadConfig(process.env);
let nc: NatsConnection;
let listener: NatsConnection;

beforeAll(async () => {
  nc = await connectNats(config.NATS_URL, 'notifier-spec');
  listener = await connectNats(config.NATS_URL, 'notifier-spec-listener');
});
afterAll(async () => {
  await nc?.drain();
  await listener?.drain();
});

it('a chunk of 50,000 serials reaches the subscribers, in messages that fit max_payload', async () => {
  const serials = Array.from({ length: 50_000 }, () => randomBytes(20).toString('hex'));
  const mine = new Set(serials);
  const got = new Set<string>();
  const sizes: number[] = [];
  const done = new Promise<void>((resolve) => {
    listener.subscribe(Subjects.cert.ocspInvalidate, {
      callback: (_e, m) => {
        const msg = m.json<OcspInvalidation>();
        if (!msg.serials.some((s) => mine.has(s))) return; // another test's broadcast
        sizes.push(m.data.length);
        msg.serials.forEach((s) => got.add(s));
        if (got.size === mine.size) resolve();
      },
    });
  });
  await listener.flush();
  const dropped: string[] = [];
  const ocsp = { invalidate: (s: string[]) => dropped.push(...s) } as unknown as OcspResponder;
  const notifier = new RevocationChangeNotifier(nc, pino({ level: 'silent' }), {} as CrlScheduler, ocsp);
  await notifier.changed([], serials, false);
  await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
  expect(dropped).toHaveLength(50_000);
  expect(got.size).toBe(50_000);
  expect(Math.max(...sizes)).toBeLessThan(nc.info!.max_payload);
});
