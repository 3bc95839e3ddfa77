import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { loadConfig, ProblemCode, ProblemError } from '@ecert/common';
import { Subjects } from '@ecert/contracts';
import { OcspDelegatedSigners } from './ocsp-delegated-signers.service';
import type { RpcClient } from '../rpc/rpc-client.service';
import type { AuditTrail } from '../audit/audit-trail.service';
import type { OcspCache } from './ocsp-cache.service';

/**
 * When a refresh leaves the gateway without its responders (the cert-service not up yet at the
 * gateway's start), the next one comes within a second, then backs off, instead of a minute later.
 */
afterEach(() => {
  vi.useRealTimers();
});

function signers(failures: number) {
  const asked: number[] = [];
  const rpc = {
    call: async (subject: string) => {
      expect(subject).toBe(Subjects.cert.caList);
      asked.push(Date.now());
      if (asked.length <= failures) throw new ProblemError(503, ProblemCode.serviceUnavailable, 'unavailable', 'the cert-service is not running');
      return []; // no issuing CA: nothing to certify, so the refresh is complete
    },
  } as unknown as RpcClient;
  const ocsp = { onCasChanged: () => undefined } as unknown as OcspCache;
  const s = new OcspDelegatedSigners(loadConfig({}, 'gateway'), pino({ level: 'silent' }), rpc, {} as AuditTrail, ocsp);
  return { s, asked };
}

describe('OcspDelegatedSigners refresh after a failure', () => {
  it('asks again after 0.5, 1 and 2 s while the cert-service is unavailable, then only at the minute', async () => {
    vi.useFakeTimers({ now: 0 });
    const { s, asked } = signers(3);
    s.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(10_000);
    // 0 (start), +0.5 s, +1 s, +2 s: the fourth succeeds, and nothing more until the periodic check.
    expect(asked).toEqual([0, 500, 1500, 3500]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(asked).toEqual([0, 500, 1500, 3500, 60_000]);
    s.onApplicationShutdown();
  });

  it('asks no more after shutdown', async () => {
    vi.useFakeTimers({ now: 0 });
    const { s, asked } = signers(100);
    s.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(100);
    s.onApplicationShutdown();
    await vi.advanceTimersByTimeAsync(300_000);
    expect(asked).toEqual([0]);
  });
});
