import 'reflect-metadata';
import { pathToFileURL } from 'node:url';
import type { INestMicroservice } from '@nestjs/common';
import { createLogger, loadConfig, type EcertConfig } from '@ecert/common';
import { bootstrapMicroservice } from '@ecert/messaging';
import { WorkflowServiceModule } from './workflow-service.module';

export async function startWorkflowService(config: EcertConfig = loadConfig(process.env, 'workflow-service')): Promise<INestMicroservice> {
  const logger = createLogger('workflow-service', config.LOG_LEVEL);
  return bootstrapMicroservice({ service: 'workflow-service', module: WorkflowServiceModule.forRoot(config, logger), config, logger });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  startWorkflowService().catch((e) => {
    console.error(`workflow-service failed to start: ${(e as Error).message}`);
    process.exit(1);
  });
}
