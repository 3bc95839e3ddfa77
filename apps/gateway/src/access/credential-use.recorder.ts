import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { RecentTimes, WritesUnderWay } from '@ecert/common';
import { GATEWAY_DATA_SOURCE, GATEWAY_LOGGER } from '../gateway.tokens';

/** `lastUsedAt` is kept to this precision: a credential in constant use costs one UPDATE a minute, not one per request. */
export const CREDENTIAL_USE_PRECISION_MS = 60_000;
/** Credentials remembered as recently written, per process; beyond it the oldest is forgotten (and written again on its next use). */
const REMEMBERED = 10_000;

/**
 * Writes `client_credential.last_used_at` after a credential authenticated a request: at most once
 * per CREDENTIAL_USE_PRECISION_MS per credential and process, off the request's path (the request
 * never waits for it, nor fails with it), and in the database only when the stored time is older
 * than that, so several gateway processes do not each rewrite it. A failed write is logged and
 * tried again on the next use.
 */
@Injectable()
export class CredentialUseRecorder implements BeforeApplicationShutdown {
  private readonly writtenAt = new RecentTimes(REMEMBERED);
  private readonly writes = new WritesUnderWay();

  constructor(
    @Inject(GATEWAY_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  used(credentialId: string, now = Date.now()): void {
    if (this.writtenAt.within(credentialId, CREDENTIAL_USE_PRECISION_MS, now)) return;
    this.writtenAt.mark(credentialId, now);
    const write = this.ds
      .query(
        `UPDATE "gateway"."client_credential" SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
        [credentialId, CREDENTIAL_USE_PRECISION_MS / 1000],
      )
      .then(
        () => undefined,
        (e: unknown) => {
          if (this.writtenAt.markedAt(credentialId) === now) this.writtenAt.forget(credentialId);
          this.logger.warn({ credentialId, err: (e as Error).message }, 'the last use of a credential could not be recorded');
        },
      );
    this.writes.track(write);
  }

  /** Writes under way finish before the data source closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.writes.settled();
  }
}
