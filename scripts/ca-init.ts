import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger, loadConfig, NestPinoLogger } from '@ecert/common';
import { CertServiceModule } from '../apps/cert-service/src/cert-service.module';
import { CaRegistry } from '../apps/cert-service/src/ca/ca-registry.service';
import { InitializeCasUseCase } from '../apps/cert-service/src/ca/initialize-cas.use-case';
import { checkBackingServices } from './backing-services';

/** `npm run ca:init`: applies the cert schema's migrations and creates any missing CA. Idempotent. */
async function main(): Promise<void> {
  const config = loadConfig(process.env, 'cert-service');
  const down = (await checkBackingServices(config)).filter((c) => !c.ok);
  if (down.length) {
    for (const c of down) console.error(`ca:init: ${c.name} is not reachable (${c.error}); ${c.hint}`);
    process.exit(1);
  }
  console.log(`ca:init: CA certificates carry CRL, OCSP and CA-issuer links under ECERT_PUBLIC_URL=${config.ECERT_PUBLIC_URL}`);
  const logger = createLogger('ca-init', 'warn');
  const app = await NestFactory.createApplicationContext(CertServiceModule.forRoot(config, logger), { logger: new NestPinoLogger(logger) });
  const result = await app.get(InitializeCasUseCase).execute();
  const registry = app.get(CaRegistry);
  console.log(`created: ${result.created.length ? result.created.join(', ') : 'nothing (all CAs exist)'}${result.renewed.length ? `; renewed: ${result.renewed.join(', ')}` : ''}${result.replaced.length ? `; revoked and replaced: ${result.replaced.join(', ')}` : ''}`);
  for (const id of result.revoked) console.error(`ca:init: ${id} is revoked; its family issues nothing until it is re-keyed (docs/decisions.md, CA revocation)`);
  for (const ca of registry.all().sort((a, b) => a.id.localeCompare(b.id))) {
    console.log(`  ${ca.id.padEnd(18)} ${ca.keyAlgorithm.padEnd(9)} ${ca.keyStore.padEnd(7)} ${ca.subject}${registry.revocationOf(ca.id) ? ' (REVOKED)' : ''}`);
  }
  await app.close();
}

main().catch((e) => {
  console.error(`ca:init failed: ${(e as Error).message}`);
  process.exit(1);
});
