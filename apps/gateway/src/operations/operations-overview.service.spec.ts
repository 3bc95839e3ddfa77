import { afterAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { loadConfig } from '@ecert/common';
import { QueueNames } from '@ecert/contracts';
import { RpcClient } from '../rpc/rpc-client.service';
import { DeadLettersQuery } from './dead-letters.query';
import { OperationsQueues } from './operations-queues.service';
import { OperationsOverviewService } from './operations-overview.service';

/**
 * The overview's composition against real clients of things that are down: a Redis nobody
 * listens on, NATS with no service answering (this file's own subject prefix), a database that
 * is not connected. Each is named in `unavailable`; nothing reads as "zero" for want of looking.
 */
const config = loadConfig({ ...process.env, REDIS_URL: 'redis://127.0.0.1:1', REDIS_COMMAND_TIMEOUT_MS: '200', NATS_REQUEST_TIMEOUT_MS: '500', OPERATIONS_OVERVIEW_CACHE_MS: '30000' }, 'gateway');
const logger = pino({ level: 'silent' });
const queues = new OperationsQueues(config, logger);
const rpc = new RpcClient(config);
const service = new OperationsOverviewService(rpc, queues, new DeadLettersQuery(new DataSource({ type: 'postgres', url: config.DATABASE_URL })), config);

afterAll(async () => {
  await queues.onApplicationShutdown();
  await rpc.close();
});

describe('the operations overview when its sources are down', () => {
  it('says the queues are unavailable when Redis does not answer, instead of listing none', async () => {
    const { answered, unanswered } = await queues.counts();
    expect(answered).toEqual([]);
    expect(unanswered.sort()).toEqual(Object.values(QueueNames).sort());
    await expect(queues.failures()).rejects.toThrow(/Redis did not answer/);

    const o = await service.overview(['000000'], {});
    expect(o.failed.queues).toBeNull();
    expect(o.failed.deadLetters).toBeNull();
    expect(o.late.slaBreaches).toBeNull();
    expect(o.unavailable.sort()).toEqual(['cert-service', 'gateway-deliveries', 'queues', 'workflow-service']);
  });

  it('computes once for concurrent callers of one scope and bounds, and keeps scopes apart', async () => {
    const [a, b] = await Promise.all([service.overview(['450100'], { top: 3 }), service.overview(['450100'], { top: 3 })]);
    expect(a).toBe(b);
    // Within the cache's life: the same answer, generatedAt and all.
    expect(await service.overview(['450100'], { top: 3 })).toBe(a);
    const other = await service.overview(['450200'], { top: 3 });
    expect(other).not.toBe(a);
    expect(other.regions).toEqual(['450200']);
    expect(await service.overview(['450100'], { top: 4 })).not.toBe(a);
  });
});
