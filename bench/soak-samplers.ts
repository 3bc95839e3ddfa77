import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';
import { Queue } from 'bullmq';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { EcertConfig } from '@ecert/common';
import { bullPrefix, eventsStreamName, QueueNames } from '@ecert/contracts';

/**
 * What the soak samples every few seconds: the resident memory of each of the platform's own
 * processes (found through their parent, the launcher, so another run's services on this shared
 * machine are never counted), and the depth of every queue the platform has.
 */

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

function rssMb(pid: number): number | undefined {
  const m = /VmRSS:\s+(\d+) kB/.exec(readProc(pid, 'status') ?? '');
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : undefined;
}

/**
 * MB of RSS per process of the platform started by `launcherPid` (`node dist/scripts/start.js`):
 * the launcher and its children, named after dist/apps/<service>; and, as a figure (PostgreSQL's
 * shared buffers are counted in every backend that touched them), the sum over the backends
 * connected to the soak's own database.
 */
export function platformRss(launcherPid: number, database: string): Record<string, number> {
  const out: Record<string, number> = {};
  const launcher = rssMb(launcherPid);
  if (launcher !== undefined) out.launcher = launcher;
  let pgSum = 0;
  let pgSeen = false;
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    const stat = readProc(pid, 'stat');
    if (!stat) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(f[1]);
    const cmd = (readProc(pid, 'cmdline') ?? '').replace(/\0/g, ' ');
    if (ppid === launcherPid) {
      const m = /dist\/apps\/([a-z-]+)\/src\/main\.js/.exec(cmd);
      const mb = rssMb(pid);
      if (m && mb !== undefined) out[m[1]!] = mb;
    } else if (cmd.startsWith('postgres: ') && cmd.includes(` ${database} `)) {
      const mb = rssMb(pid);
      if (mb !== undefined) {
        pgSum += mb;
        pgSeen = true;
      }
    }
  }
  if (pgSeen) out['postgres backends (sum)'] = Math.round(pgSum * 10) / 10;
  return out;
}

/** Series named `<kind> <name> <measure>`: what can pile up when a consumer falls behind. */
export class QueueSampler {
  private readonly queues: Queue[];
  private jsm?: JetStreamManager;
  private outboxSchemas?: string[];

  constructor(
    private readonly config: EcertConfig,
    private readonly nc: NatsConnection,
    private readonly db: pg.Pool,
  ) {
    const connection = { url: config.REDIS_URL, maxRetriesPerRequest: 1 };
    this.queues = Object.values(QueueNames).map((name) => {
      const q = new Queue(name, { connection, prefix: bullPrefix(config.ECERT_REDIS_PREFIX) });
      q.on('error', () => undefined);
      return q;
    });
  }

  async sample(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    this.jsm ??= await jetstreamManager(this.nc);
    for await (const c of this.jsm.consumers.list(eventsStreamName())) {
      out[`jetstream ${c.name} pending`] = c.num_pending;
      out[`jetstream ${c.name} ack-pending`] = c.num_ack_pending;
      out[`jetstream ${c.name} redelivered`] = c.num_redelivered;
    }
    for (const q of this.queues) {
      const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
      out[`bullmq ${q.name} waiting`] = (counts.waiting ?? 0) + (counts.prioritized ?? 0);
      out[`bullmq ${q.name} active`] = counts.active ?? 0;
      out[`bullmq ${q.name} delayed`] = counts.delayed ?? 0;
      out[`bullmq ${q.name} failed`] = counts.failed ?? 0;
    }
    this.outboxSchemas ??= (await this.db.query<{ s: string }>(`SELECT table_schema AS s FROM information_schema.tables WHERE table_name = 'outbox' ORDER BY 1`)).rows.map((r) => r.s);
    for (const s of this.outboxSchemas) {
      const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${s}"."outbox" WHERE published_at IS NULL`);
      out[`outbox ${s} unpublished`] = rows[0]?.n ?? 0;
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close().catch(() => undefined)));
  }
}

