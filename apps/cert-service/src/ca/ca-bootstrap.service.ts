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
  constructor(
    private readonly registry: CaRegistry,
    private readonly init: InitializeCasUseCase,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(KEY_STORES) private readonly keyStores: CaKeyStores,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.registry.reload();
    const r = await this.init.execute();
    this.logger.info({ cas: r.created.length + r.existing.length, created: r.created.length }, 'certification authorities ready');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.keyStores.close();
  }
}
