import { describe, expect, it } from 'vitest';
import { isGatewayWorkerMessage } from './gateway-worker-messages';

describe('isGatewayWorkerMessage', () => {
  it('takes the five messages of the worker pool', () => {
    for (const m of [
      { type: 'ecert:gateway-ready' },
      { type: 'ecert:peer-metrics-request', id: 1 },
      { type: 'ecert:own-metrics-request', id: 2 },
      { type: 'ecert:own-metrics', id: 3, instance: 'vm:1', snapshot: [] },
      { type: 'ecert:peer-metrics', id: 4, peers: [] },
    ]) {
      expect(isGatewayWorkerMessage(m), JSON.stringify(m)).toBe(true);
    }
  });

  it('refuses anything else: other types, missing or unsafe ids, wrong shapes', () => {
    for (const m of [
      null,
      'ecert:gateway-ready',
      {},
      { type: 'ecert:other' },
      { type: 'ecert:peer-metrics-request' },
      { type: 'ecert:peer-metrics-request', id: '1' },
      { type: 'ecert:own-metrics-request', id: 1.5 },
      { type: 'ecert:own-metrics-request', id: 2 ** 60 },
      { type: 'ecert:own-metrics', id: 3, snapshot: [] },
      { type: 'ecert:own-metrics', id: 3, instance: 'vm:1', snapshot: {} },
      { type: 'ecert:peer-metrics', id: 4, peers: 'all' },
    ]) {
      expect(isGatewayWorkerMessage(m), JSON.stringify(m)).toBe(false);
    }
  });
});
