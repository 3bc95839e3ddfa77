import { describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '@ecert/messaging';
import { GatewayWorkerPeers, type PrimaryChannel } from './gateway-worker-peers';
import type { GatewayWorkerMessage } from './gateway-worker-messages';

/** The primary's side of the pipe, as a test sees it: what the worker sent, and a way to send it something. */
function fakePrimary() {
  const sent: GatewayWorkerMessage[] = [];
  let listener: (m: unknown) => void = () => undefined;
  const channel: PrimaryChannel = { send: (m) => void sent.push(m), onMessage: (l) => void (listener = l) };
  return { channel, sent, deliver: (m: unknown) => listener(m) };
}

const SNAPSHOT = [{ name: 'ecert_x_total', help: 'h', type: 'counter', aggregator: 'sum', values: [{ value: 1, labels: { service: 'gateway' } }] }] as unknown as MetricsSnapshot;
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('GatewayWorkerPeers', () => {
  it('answers the primary with its own snapshot; concurrent requests share one read', async () => {
    const p = fakePrimary();
    let reads = 0;
    new GatewayWorkerPeers('vm:1', async () => (reads++, SNAPSHOT), 100, p.channel);
    p.deliver({ type: 'ecert:own-metrics-request', id: 7 });
    p.deliver({ type: 'ecert:own-metrics-request', id: 8 });
    await flush();
    expect(reads).toBe(1);
    expect(p.sent).toEqual([
      { type: 'ecert:own-metrics', id: 7, instance: 'vm:1', snapshot: SNAPSHOT },
      { type: 'ecert:own-metrics', id: 8, instance: 'vm:1', snapshot: SNAPSHOT },
    ]);
  });

  it('a registry that cannot be read answers an empty snapshot instead of throwing (which would end the worker)', async () => {
    const p = fakePrimary();
    new GatewayWorkerPeers('vm:1', async () => Promise.reject(new Error('database unavailable')), 100, p.channel);
    p.deliver({ type: 'ecert:own-metrics-request', id: 1 });
    await flush();
    expect(p.sent).toEqual([{ type: 'ecert:own-metrics', id: 1, instance: 'vm:1', snapshot: [] }]);
  });

  it('asks the primary for the peers, keeps well-formed answers, and gives up after the window', async () => {
    const p = fakePrimary();
    const peers = new GatewayWorkerPeers('vm:1', async () => SNAPSHOT, 50, p.channel);
    const asked = peers.peers();
    const request = p.sent[0] as Extract<GatewayWorkerMessage, { type: 'ecert:peer-metrics-request' }>;
    expect(request.type).toBe('ecert:peer-metrics-request');
    p.deliver({ type: 'ecert:peer-metrics', id: request.id, peers: [{ instance: 'vm:2', snapshot: SNAPSHOT }, { instance: 3, snapshot: SNAPSHOT }, { instance: 'vm:4', snapshot: 'x' }] });
    expect(await asked).toEqual([{ instance: 'vm:2', snapshot: SNAPSHOT }]);
    // Nobody answers: [] after the window, no hang.
    expect(await peers.peers()).toEqual([]);
    // Ignored: junk, and an answer to a request long given up.
    p.deliver({ type: 'ecert:peer-metrics', id: 999, peers: [] });
    p.deliver('junk');
  });

  it('outside a worker pool there are no peers and nothing is sent', async () => {
    expect(await new GatewayWorkerPeers('vm:1', async () => SNAPSHOT, 50, undefined).peers()).toEqual([]);
  });
});
