import { CoalescedRuns } from '@ecert/common';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { Subjects, type OcspInvalidation } from '@ecert/contracts';
import { LOGGER, NATS_CONNECTION } from '@ecert/messaging';
import { CaRegistry } from './ca-registry.service';

const CHECK_EVERY_MS = 30_000;

/**
 * Another cert-service instance revoked or replaced a CA certificate: reload the CAs here too, so
 * no instance keeps signing with a revoked key. Broadcasts arriving during a reload coalesce into
 * one more check; the check itself compares with the database, so a stray message costs one query.
 * A periodic check bounds how long a lost broadcast (NATS down) can leave this instance behind.
 */
@Injectable()
export class CaChangeListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private sub?: Subscription;
  private timer?: NodeJS.Timeout;
  private readonly reloads = new CoalescedRuns(async () => {
    try {
      if (await this.registry.reloadIfChanged()) this.logger.info('CA certificates reloaded after a change elsewhere');
    } catch (e) {
      this.logger.error({ err: (e as Error).message }, 'CA reload after a change failed');
    }
  });

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: CaRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.sub = this.nc.subscribe(Subjects.cert.ocspInvalidate, {
      callback: (err, msg) => {
        if (err) return;
        try {
          if ((msg.json() as OcspInvalidation).casChanged) void this.check();
        } catch {
          /* a malformed broadcast changes nothing */
        }
      },
    });
    this.timer = setInterval(() => void this.check(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  /** Resolves once the CAs reflect the database as of (at least) this call. */
  check(): Promise<void> {
    return this.reloads.run();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.sub?.unsubscribe();
  }
}
