import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '@ecert/messaging';
import { CaRegistry } from './ca-registry.service';
import { InitializeCasUseCase } from './initialize-cas.use-case';
import { KEY_STORES } from '../cert-service.tokens';
import type { CaKeyStores } from '../keys/ca-key-stores';

/** Loads the CAs at start and creates whatever is missing, so a fresh install can issue at once. */
@Injectable()
export class CaBootstrap implements OnModuleInit, OnApplicationShutdown {
  private renewTimer?: NodeJS.Timeout;

  constructor(
    private readonly registry: CaRegistry,
    private readonly init: InitializeCasUseCase,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(KEY_STORES) private readonly keyStores: CaKeyStores,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.registry.reload();
    const r = await this.init.execute();
    this.logger.info({ cas: r.created.length + r.existing.length, created: r.created.length, renewed: r.renewed }, 'certification authorities ready');
    // Re-run daily: it renews the short-lived OCSP signers in time in a long-running service.
    this.renewTimer = setInterval(() => {
      this.init.execute().catch((e) => this.logger.error({ err: (e as Error).message }, 'CA renewal check failed'));
    }, 86_400_000);
    this.renewTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.renewTimer) clearInterval(this.renewTimer);
    await this.keyStores.close();
  }
}
