import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { QueueNames } from '@ecert/contracts';
import { CONFIG, JobQueue, LOGGER } from '@ecert/messaging';
import { CaRegistry } from '../ca/ca-registry.service';
import { CrlGenerator } from './crl-generator.service';
import { CrlPublisher } from './crl-publisher.service';

const REFRESH_EVERY_MS = 60_000;
const PROMPT_DELAY_MS = 100;
/**
 * One job a minute: without these BullMQ would keep every completed run forever (half a million a
 * year in Redis). The last 100 runs, and the last 1000 failures (dead letters to look into), stay.
 */
export const CRL_REFRESH_JOB_RETENTION = { removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } } as const;

/**
 * Keeps every CA's CRLs fresh: at start (none yet, or Redis emptied), on a BullMQ schedule
 * (before half of a CRL's validity is used up), and promptly after a status change.
 * After a hold or revocation a new complete CRL and delta are issued; after a lifted hold only a
 * delta, which carries removeFromCRL against the complete CRL that listed the hold.
 */
@Injectable()
export class CrlScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private jobs?: JobQueue;
  private pending = new Map<string, { full: boolean; timer: NodeJS.Timeout; waiters: (() => void)[] }>();
  private running = new Map<string, Promise<void>>();

  constructor(
    @Inject(CONFIG) private readonly config: EcertConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: CaRegistry,
    private readonly generator: CrlGenerator,
    private readonly publisher: CrlPublisher,
  ) {}

  /** CAs that publish CRLs; a revoked issuing CA signs none (its last CRL stays until it expires). */
  private crlCas() {
    return this.registry.all().filter((ca) => (ca.role === 'root' || ca.role === 'issuing') && this.registry.usable(ca.id));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.registry.isEmpty()) await this.refreshAll(true);
    this.jobs = JobQueue.open(this.logger, {
      name: QueueNames.crlRefresh,
      redisUrl: this.config.REDIS_URL,
      redisPrefix: this.config.ECERT_REDIS_PREFIX,
      label: 'CRL',
      processor: () => this.refreshAll(false),
    });
    await this.jobs.schedule('crl-refresh-all', { every: REFRESH_EVERY_MS }, { name: 'refresh', opts: { ...CRL_REFRESH_JOB_RETENTION } });
  }

  /** Regenerates whatever is missing or past half its validity, and republishes the newest. */
  async refreshAll(republish: boolean): Promise<void> {
    for (const ca of this.crlCas()) {
      await this.serialised(ca.id, async () => {
        const now = Date.now();
        const full = await this.generator.latest(ca.id, false);
        const needFull = !full || now > (full.thisUpdate.getTime() + full.nextUpdate.getTime()) / 2;
        if (needFull) await this.generateAndPublish(ca.id, false);
        else if (republish) await this.publisher.publish(ca.id, false, full.der, full.nextUpdate, full.number);
        if (ca.role !== 'issuing') return;
        const delta = await this.generator.latest(ca.id, true);
        const needDelta = needFull || !delta || now > (delta.thisUpdate.getTime() + delta.nextUpdate.getTime()) / 2;
        if (needDelta) await this.generateAndPublish(ca.id, true);
        else if (republish) await this.publisher.publish(ca.id, true, delta.der, delta.nextUpdate, delta.number);
      }).catch((e) => this.logger.error({ caId: ca.id, err: (e as Error).message }, 'CRL refresh failed'));
    }
  }

  /**
   * Called after a status change commits. Changes within a few milliseconds are coalesced into one
   * CRL; resolves when the CRLs covering the change are published.
   */
  requestAfterChange(caId: string, addsEntries: boolean): Promise<void> {
    return new Promise((resolve) => {
      const p = this.pending.get(caId);
      if (p) {
        p.full ||= addsEntries;
        p.waiters.push(resolve);
        return;
      }
      const entry = {
        full: addsEntries,
        waiters: [resolve],
        timer: setTimeout(() => {
          this.pending.delete(caId);
          this.serialised(caId, async () => {
            if (entry.full) await this.generateAndPublish(caId, false);
            // Roots publish complete CRLs only (they list CA certificates, rarely changed).
            if (this.registry.find(caId)?.role === 'issuing') await this.generateAndPublish(caId, true);
          })
            .catch((e) => this.logger.error({ caId, err: (e as Error).message }, 'CRL regeneration after change failed'))
            .finally(() => entry.waiters.forEach((w) => w()));
        }, PROMPT_DELAY_MS),
      };
      this.pending.set(caId, entry);
    });
  }

  private async generateAndPublish(caId: string, delta: boolean): Promise<void> {
    const crl = await this.generator.generate(caId, delta);
    if (crl.base) await this.publisher.publish(caId, false, crl.base.der, crl.base.nextUpdate, crl.base.number);
    await this.publisher.publish(caId, delta, crl.der, crl.nextUpdate, crl.number);
  }

  private serialised(caId: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.running.get(caId) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    this.running.set(caId, next);
    return next;
  }

  async onApplicationShutdown(): Promise<void> {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    await this.jobs?.close(true);
  }
}
