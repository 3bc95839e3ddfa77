import { describe, expect, it } from 'vitest';
import { configSchema } from '@ecert/common';
import { durableConsumerConfig } from '../inbox/event-consumer';
import { consumerProvisioning, natsServers } from './nats-connection';

describe('NATS cluster settings', () => {
  it('reads every node of a comma-separated NATS_URL, spaces and empty items aside', () => {
    expect(natsServers('nats://a:4222')).toEqual(['nats://a:4222']);
    expect(natsServers('nats://a:4222, nats://b:4222,,nats://c:4222 ')).toEqual(['nats://a:4222', 'nats://b:4222', 'nats://c:4222']);
  });

  it('creates consumers with as many replicas as NATS_REPLICAS says (1 unless set)', () => {
    const spec = { name: 'x', filterSubject: 'ecert.evt.>' };
    expect(configSchema.parse({}).NATS_REPLICAS).toBe(1);
    expect(durableConsumerConfig(spec).num_replicas).toBe(1);
    const three = configSchema.parse({ NATS_REPLICAS: '3' });
    expect(consumerProvisioning(three)).toEqual({ provision: true, replicas: 3 });
    expect(durableConsumerConfig(spec, consumerProvisioning(three).replicas).num_replicas).toBe(3);
    expect(consumerProvisioning({ ...three, NATS_USER: 'seal-service' }).provision).toBe(false);
    expect(() => configSchema.parse({ NATS_REPLICAS: '0' })).toThrow();
  });
});
