import 'reflect-metadata';
import { pathToFileURL } from 'node:url';
import type { INestMicroservice } from '@nestjs/common';
import { createLogger, loadConfig, type EcertConfig } from '@ecert/common';
import { bootstrapMicroservice } from '@ecert/messaging';
import { SealServiceModule } from './seal-service.module';

export async function startSealService(config: EcertConfig = loadConfig(process.env, 'seal-service')): Promise<INestMicroservice> {
  const logger = createLogger('seal-service', config.LOG_LEVEL);
  return bootstrapMicroservice({ service: 'seal-service', module: SealServiceModule.forRoot(config, logger), config, logger });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  startSealService().catch((e) => {
    console.error(`seal-service failed to start: ${(e as Error).message}`);
    process.exit(1);
  });
}
