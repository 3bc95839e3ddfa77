import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@ecert/common';
import type { OcspStatusReply } from '@ecert/contracts';
import { OcspResponseBuilder, generateEphemeralSigner, type OcspRequest } from '@ecert/pki';
import { PrivateNats } from '../../../../test/faults/support/private-servers';
import { waitFor } from '../../../../test/support/http';
import { OcspCache } from './ocsp-cache.service';
import { OcspNonceAnswerer } from './ocsp-nonce-answerer.service';
import type { OcspDelegatedSigners } from './ocsp-delegated-signers.service';
import type { RpcClient } from '../rpc/rpc-client.service';

/**
 * The gateway's status view against a NATS of its own (so it can be killed): an invalidation that
 * arrives while a status read travels keeps the read out of the view, and a lost connection
 * empties it (broadcasts sent meanwhile were missed).
 */
const nats = new PrivateNats();
let cache: OcspCache;
let answerer: OcspNonceAnswerer;
let onCall: () => void = () => undefined;
let calls = 0;
const SERIAL = '0a1b2c';
const request = { nonce: Uint8Array.of(4, 2, 1, 2), certIds: [{ der: Uint8Array.of(0x30, 0x00), serialKey: SERIAL }] } as unknown as OcspRequest;

beforeAll(async () => {
  await nats.start();
  const config = loadConfig({ ...process.env, NATS_URL: nats.url });
  cache = new OcspCache(config, pino({ level: 'silent' }));
  await cache.onApplicationBootstrap();
  const signer = await generateEphemeralSigner('EC-P256');
  const authority = { caId: 'ecdsa-issuing', builder: new OcspResponseBuilder({ signer, certificates: [] }) };
  const signers = { enabled: true, find: () => authority, drop: () => undefined } as unknown as OcspDelegatedSigners;
  const rpc = {
    call: async (): Promise<OcspStatusReply> => {
      calls++;
      onCall();
      return { statuses: [{ serial: SERIAL, status: 'good' }] };
    },
  } as unknown as RpcClient;
  answerer = new OcspNonceAnswerer(config, rpc, cache, signers);
});
afterAll(async () => {
  await cache?.onApplicationShutdown();
  await nats.remove();
});

describe('the gateway OCSP status view', () => {
  it('keeps a status read no invalidation raced, and answers from it without asking again', async () => {
    cache.clear();
    calls = 0;
    expect(await answerer.answer(request)).toBeInstanceOf(Uint8Array);
    expect(await answerer.answer(request)).toBeInstanceOf(Uint8Array);
    expect(calls).toBe(1);
    expect(answerer.view.lookup('ecdsa-issuing', SERIAL)).toEqual({ status: 'good' });
  });

  it('does not keep a status read that an invalidation of the serial raced (a freeze committing meanwhile)', async () => {
    cache.clear();
    calls = 0;
    // The freeze's broadcast arrives after the read was made but before its answer.
    onCall = () => cache.invalidate([SERIAL]);
    try {
      await answerer.answer(request);
    } finally {
      onCall = () => undefined;
    }
    expect(answerer.view.lookup('ecdsa-issuing', SERIAL)).toBeUndefined();
    await answerer.answer(request);
    expect(calls).toBe(2);
  });

  it('empties on a lost NATS connection and keeps nothing until it is back', async () => {
    cache.clear();
    await answerer.answer(request);
    expect(answerer.view.size).toBe(1);
    await nats.stop();
    await waitFor(async () => answerer.view.size === 0 && !cache.listening(), 10_000, 50);
    await answerer.answer(request);
    expect(answerer.view.size).toBe(0);
    await nats.start();
    await waitFor(async () => cache.listening(), 20_000, 100);
    await answerer.answer(request);
    expect(answerer.view.size).toBe(1);
  });
});
