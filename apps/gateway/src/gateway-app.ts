import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { createLogger, DEV_DEFAULTS_WARNED_ENV, developmentDefaultsWarning, loadConfig, NestPinoLogger, type EcertConfig } from '@ecert/common';
import { GatewayModule } from './gateway.module';
import { requestIdMiddleware } from './request-context/request-id.middleware';
import { clientAddressMiddleware, trustedProxySet } from './request-context/client-address';
import { createProblemValidationPipe } from './problem/problem-validation.pipe';
import { jsonBodyParser } from './problem/body-parser-problem';
import { installOcspResponder } from './pki/ocsp-responder.http';
import { RpcClient } from './rpc/rpc-client.service';
import { OcspCache } from './pki/ocsp-cache.service';
import { OcspNonceAnswerer } from './pki/ocsp-nonce-answerer.service';
import { QueueBoard } from './operations/queue-board.service';
import { BOARD_PATH } from './operations/board-session-cookie';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { isGatewayWorker, reportGatewayWorkerReady } from './cluster/gateway-worker-peers';
import { GATEWAY_WORKER_ENV } from './cluster/gateway-worker-messages';

export const MAX_JSON_BODY = '64kb';
export const MAX_SEAL_JSON_BODY = '768kb';
/** An activity report of 1000 items (serial, time, kind) is about 120 KB. */
export const MAX_ACTIVITY_JSON_BODY = '256kb';

export async function startGateway(config: EcertConfig = loadConfig(process.env, 'gateway'), port = config.GATEWAY_PORT): Promise<NestExpressApplication> {
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const warning = developmentDefaultsWarning(config, 'gateway');
  if (warning && !process.env[DEV_DEFAULTS_WARNED_ENV]) logger.warn(warning);
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(config, logger), {
    logger: new NestPinoLogger(logger),
    bodyParser: false,
  });
  app.use(requestIdMiddleware);
  app.use(clientAddressMiddleware(trustedProxySet(config.ECERT_TRUSTED_PROXIES)));
  // Seal images (≤ 512 KiB, base64 in JSON) get a larger allowance than everything else; it stays
  // below NATS's 1 MB message limit. A CSR is a few KB: other bodies far larger are refused unparsed.
  app.use('/api/v1/seals', jsonBodyParser(MAX_SEAL_JSON_BODY));
  // Bull Board is an Express app of its own, behind the staff login (see QueueBoard).
  app.use(BOARD_PATH, app.get(QueueBoard).middleware());
  app.use('/api/v1/certificates/activity', jsonBodyParser(MAX_ACTIVITY_JSON_BODY));
  // Refusals of the parsers are problems naming the body (413, malformed_json, 415), not Nest's BadRequestException.
  app.use(jsonBodyParser(MAX_JSON_BODY));
  app.useGlobalPipes(createProblemValidationPipe());
  app.disable('x-powered-by');
  app.enableShutdownHooks();

  // Built on first request, once every controller is registered; the OpenAPI test builds the same one.
  SwaggerModule.setup('api/docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'api/docs-json' });

  await app.init();
  installOcspResponder(app.getHttpServer(), app.get(RpcClient), app.get(OcspCache), app.get(OcspNonceAnswerer), logger, config.OCSP_HTTP_MAX_AGE_SECONDS);
  await app.listen(port, config.GATEWAY_HOST);
  const url = await app.getUrl();
  if (isGatewayWorker()) {
    logger.info({ url, worker: Number(process.env[GATEWAY_WORKER_ENV]) }, 'gateway worker listening');
    reportGatewayWorkerReady();
  } else {
    logger.info({ url, docs: `${url}/api/docs` }, 'gateway listening');
  }
  return app;
}
