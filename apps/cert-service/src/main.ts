import 'reflect-metadata';
import { pathToFileURL } from 'node:url';
import type { INestMicroservice } from '@nestjs/common';
import { createLogger, loadConfig, type EcertConfig } from '@ecert/common';
import { bootstrapMicroservice } from '@ecert/messaging';
import { CertServiceModule } from './cert-service.module';

export async function startCertService(config: EcertConfig = loadConfig(process.env, 'cert-service')): Promise<INestMicroservice> {
  const logger = createLogger('cert-service', config.LOG_LEVEL);
  return bootstrapMicroservice({ service: 'cert-service', module: CertServiceModule.forRoot(config, logger), config, logger });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  startCertService().catch((e) => {
    console.error(`cert-service failed to start: ${(e as Error).message}`);
    process.exit(1);
  });
}
