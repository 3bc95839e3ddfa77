import { rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { loadConfig, type EcertConfig } from '@ecert/common';
import { durableConsumers, eventsStreamName } from '@ecert/contracts';
import { natsServers } from '@ecert/messaging';
import { dropTestState, freePort } from '../support/test-platform';
import { defaultHeaders, waitFor } from '../support/http';
import { TempDir } from '../support/fixtures';
import { PrivateNatsCluster, PrivateRedis } from './support/private-servers';
import { buildPlatform, ChildService, type ChildServiceName } from './support/child-service';
import { recoveredAfter, runFault, sleep, type FaultTarget } from './support/fault-platform';
import { isClean503 } from './support/checker';
import { refused, type Call } from './support/load';
import { registerHarnessClient } from './support/harness-client';
import { auditChainName, auditCheckpointDirectory } from '../../apps/gateway/src/audit/audit-checkpoint-files';

/**
 * The platform as a province would run it, on one machine: a 3-node NATS cluster (JetStream, the
 * events stream and every durable consumer at R3), a private Redis, the database on the machine's
 * PostgreSQL, and two instances of every service as OS processes of their own (built as
 * `npm start` runs them), sharing their queue groups and durable consumers. Under mixed load
 * spread over both gateways, one NATS node (the stream's leader) and one instance of each service
 * (one gateway among them) are killed with SIGKILL at once, and nothing is restarted. The
 * survivors must carry on by themselves; every acknowledged change must be there once, every
 * event in the stream once and applied once by each consumer.
 */
const SERVICES: ChildServiceName[] = ['cert-service', 'seal-service', 'workflow-service', 'gateway'];
let build: Awaited<ReturnType<typeof buildPlatform>> | undefined;
let cluster: PrivateNatsCluster | undefined;
let redis: PrivateRedis | undefined;
let dir: TempDir | undefined;
let db: pg.Pool | undefined;
let config: EcertConfig | undefined;
/** instances[name][0] is killed, [1] survives. */
const instances = new Map<ChildServiceName, ChildService[]>();
const gatewayUrls: string[] = [];

beforeAll(async () => {
  build = await buildPlatform();
  cluster = await PrivateNatsCluster.start(3);
  redis = new PrivateRedis();
  await redis.start();
  dir = new TempDir();
  const ports = [await freePort(), await freePort()];
  for (const p of ports) gatewayUrls.push(`http://127.0.0.1:${p}`);
  const env = {
    NATS_URL: cluster.url,
    NATS_REPLICAS: '3',
    REDIS_URL: redis.url,
    // The CAs' CRL/OCSP links name the first gateway; nothing in this scenario follows them.
    ECERT_PUBLIC_URL: gatewayUrls[0],
    ECERT_AUDIT_CHECKPOINT_DIR: dir.file('audit-checkpoints'),
  };
  config = loadConfig({ ...process.env, ...env });
  for (const name of SERVICES) {
    instances.set(
      name,
      [0, 1].map((i) => new ChildService(build!.dist, name, { ...env, ECERT_INSTANCE_ID: `${name}-${i + 1}`, ...(name === 'gateway' ? { GATEWAY_PORT: String(ports[i]) } : {}) }, path.join(dir!.path, `${name}-${i + 1}.log`))),
    );
  }
  const all = (i: number) => SERVICES.map((s) => instances.get(s)![i]);
  // The first cert-service makes the database and the CAs; then the seven others start at once,
  // the instances of a service taking turns at their schema's migrations (session lock), as the
  // replicas of a deployment starting together do.
  await all(0)[0].start();
  await Promise.all([...all(0).slice(1), ...all(1)].map((c) => c.start()));
  db = new pg.Pool({ connectionString: config.DATABASE_URL, max: 3 });
  db.on('error', () => undefined);
  // The harness's API client, registered in the database the gateways share.
  await registerHarnessClient(config.DATABASE_URL);
}, 420_000);

afterAll(async () => {
  delete defaultHeaders['x-api-key'];
  await Promise.all([...instances.values()].flat().map((c) => c.stop()));
  await db?.end();
  if (config) {
    await dropTestState(config);
    rmSync(auditCheckpointDirectory(config.ECERT_AUDIT_CHECKPOINT_DIR, auditChainName(config.DATABASE_URL)), { recursive: true, force: true });
  }
  await cluster?.remove();
  await redis?.remove();
  dir?.remove();
  build?.remove();
}, 120_000);

interface Placement {
  replicas: number;
  leader: string;
  consumers: { name: string; replicas: number; leader: string }[];
}

/** Where JetStream keeps the events stream and the durable consumers: how many copies, which node leads. */
async function placement(nc: NatsConnection): Promise<Placement> {
  const jsm = await jetstreamManager(nc);
  const stream = await jsm.streams.info(eventsStreamName());
  const consumers = await Promise.all(
    Object.values(durableConsumers()).map(async (spec) => {
      const c = await jsm.consumers.info(eventsStreamName(), spec.name);
      return { name: spec.name, replicas: c.config.num_replicas ?? 0, leader: c.cluster?.leader ?? '' };
    }),
  );
  return { replicas: stream.config.num_replicas, leader: stream.cluster?.leader ?? '', consumers };
}

/**
 * Asks the stream's leader to step down until the meta leader leads it too (a few tries), so the
 * node killed holds both: the worst single node to lose. Returns the placement it ended with.
 */
async function leadOnMetaLeader(nc: NatsConnection, c: PrivateNatsCluster): Promise<{ at: Placement; meta: string }> {
  let at = await placement(nc);
  let meta = (await c.metaLeader()) ?? '';
  for (let i = 0; i < 4 && at.leader !== meta; i++) {
    const before = at.leader;
    await nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${eventsStreamName()}`, '', { timeout: 5000 }).catch(() => undefined);
    await waitFor(async () => {
      at = await placement(nc).catch(() => at);
      return at.leader !== '' && at.leader !== before;
    }, 15_000, 250).catch(() => undefined);
    meta = (await c.metaLeader()) ?? '';
  }
  return { at, meta };
}

describe('a 3-node NATS cluster and two instances of every service, one of each killed under load', () => {
  it('keeps every acknowledged change once, and the survivors carry on without a restart', async () => {
    const c = cluster!;
    const nc = await connect({ servers: natsServers(c.url) });
    let killed = '';
    let metaLeader = '';
    let consumersLedThere = 0;
    let reelectedMs = -1;
    let killAt = 0;
    /** When the killed gateway's process was gone: a call sent before could still be taken, then cut off. */
    let gatewayGoneAt = 0;
    try {
      // NATS_REPLICAS reached JetStream: the stream and every consumer the services made are at R3.
      const before = await placement(nc);
      expect(before.replicas).toBe(3);
      expect(before.consumers.map((x) => `${x.name} R${x.replicas}`)).toEqual(before.consumers.map((x) => `${x.name} R3`));
      const target: FaultTarget = { baseUrls: gatewayUrls, db: db!, natsUrl: c.url, dir: dir! };
      const { report, calls, during } = await runFault(
        target,
        'NATS node (stream leader) and one instance of each service killed (SIGKILL), nothing restarted',
        async () => {
          const { at, meta } = await leadOnMetaLeader(nc, c);
          killed = at.leader;
          metaLeader = meta;
          consumersLedThere = at.consumers.filter((x) => x.leader === killed).length;
          killAt = Date.now();
          await Promise.all([
            c.node(killed).stop('SIGKILL'),
            ...SERVICES.map((s) => instances.get(s)![0].kill().then(() => s === 'gateway' && (gatewayGoneAt = Date.now()))),
          ]);
          // JetStream elects a new leader of the stream among the two nodes left.
          await waitFor(async () => {
            const now = await placement(nc).catch(() => undefined);
            return Boolean(now?.leader) && now!.leader !== killed;
          }, 30_000, 100);
          reelectedMs = Date.now() - killAt;
        },
        // CSRs for the whole run (issuances after the kill are checked): a faster machine used the
        // default 200 up within the 8 s before the kill, and issued nothing after it.
        { beforeMs: 8000, afterMs: 15_000, load: { clients: 8, pauseMs: 80 }, csrs: 1000, retryBase: gatewayUrls[1], checkOptions: { cutOff: (x: Call) => x.base === gatewayUrls[0] && x.status === 0 && !refused(x) && x.startedAt <= gatewayGoneAt } },
      );
      const after = calls.filter((x) => !x.retryOf && x.startedAt >= killAt);
      const firstOk = (kind: string) => recoveredAfter(after.filter((x) => (kind === 'lifecycle' ? x.kind === 'freeze' || x.kind === 'unfreeze' : x.kind === kind)), killAt);
      const cutOff = calls.filter((x) => !x.retryOf && x.base === gatewayUrls[0] && x.status === 0 && !refused(x));
      const fmt = (ms: number | undefined) => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`);
      console.log(
        [
          `   killed NATS node ${killed} (stream leader${killed === metaLeader ? ' and JetStream meta leader' : `; meta leader was ${metaLeader}`}; led ${consumersLedThere} of ${before.consumers.length} durable consumers); stream re-led in ${fmt(reelectedMs)}`,
          `   killed ${SERVICES.map((s) => `${s}-1`).join(', ')}; ${cutOff.length} calls cut off on the killed gateway, ${calls.filter((x) => !x.retryOf && x.startedAt >= killAt && x.base === gatewayUrls[1]).length} sent to the surviving one after the kill`,
          `   first 2xx after the kill: any ${fmt(recoveredAfter(after, killAt))}, issuance ${fmt(firstOk('issue'))}, freeze/unfreeze ${fmt(firstOk('lifecycle'))}, application ${fmt(firstOk('application'))}`,
        ].join('\n'),
      );
      expect(report.lost).toEqual([]);
      expect(report.duplicated).toEqual([]);
      expect(report.halfWritten).toEqual([]);
      expect(report.unclean).toEqual([]);
      expect(report.acknowledged.issue).toBeGreaterThan(10);
      expect(calls.some((x) => !x.retryOf && x.startedAt < killAt && x.base === gatewayUrls[0] && x.status >= 200 && x.status < 300), 'the first gateway served before the kill').toBe(true);
      // The survivors carry on: every kind of call succeeds after the kill, on the surviving gateway.
      for (const kind of ['issue', 'lifecycle', 'application']) expect(firstOk(kind), `a ${kind} call acknowledged after the kill`).toBeDefined();
      expect(after.filter((x) => x.status >= 200 && x.status < 300).every((x) => x.base === gatewayUrls[1])).toBe(true);
      expect(cutOff.length + [...during, ...after].filter(isClean503).length, 'the kill must have been felt (calls cut off, or 503s)').toBeGreaterThan(0);
      // Nothing was restarted: the killed ones are still down.
      expect(c.node(killed).running).toBe(false);
      for (const s of SERVICES) expect(instances.get(s)![0].running, `${s}-1 still down`).toBe(false);
    } finally {
      await nc.close();
    }
  }, 300_000);
});
