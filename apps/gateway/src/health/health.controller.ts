import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Subjects, type HealthReply } from '@ecert/contracts';
import { RpcClient } from '../rpc/rpc-client.service';
import { BackingStoresProbe } from './backing-stores.probe';
import { Public } from '../access/access.decorators';
import { ApiResult } from '../openapi/api-docs.decorators';
import { RESPONSE_EXAMPLES } from '../openapi/response-examples';
import type { GatewayHealthView } from './gateway-health.view';

const SERVICES: [string, string][] = [
  ['cert-service', Subjects.cert.health],
  ['seal-service', Subjects.seal.health],
  ['workflow-service', Subjects.workflow.health],
];

@ApiTags('health')
@Public()
@Controller('api/v1/health')
export class HealthController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(BackingStoresProbe) private readonly stores: BackingStoresProbe,
  ) {}

  @Get()
  @ApiResult('GatewayHealthView')
  @ApiServiceUnavailableResponse({
    description: 'Something is down: the same body, naming what (no problem+json: a load balancer reads the status, a person the body)',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/GatewayHealthView' }, example: RESPONSE_EXAMPLES.GatewayHealthView } },
  })
  @ApiOkResponse({ description: 'Every service (asked over NATS) and every backing store: up, down, or for PostgreSQL `exhausted` (it answers but the pool gives no connection in time), with each pool\'s size, idle and waiting counts' })
  async health(@Res({ passthrough: true }) res: Response): Promise<GatewayHealthView> {
    const [{ stores, postgresPool }, ...services] = await Promise.all([
      this.stores.probe(),
      ...SERVICES.map(async ([name, subject]) => {
        try {
          const r = await this.rpc.call<HealthReply>(subject, {}, { timeoutMs: 2000, service: name });
          return [name, { status: r.status, checks: r.checks, ...(r.postgresPool ? { postgresPool: r.postgresPool } : {}) }] as const;
        } catch (e) {
          return [name, { status: 'down' as const, error: (e as Error).message }] as const;
        }
      }),
    ]);
    const servicesMap = Object.fromEntries(services);
    const status = Object.values(stores).every((s) => s === 'up') && services.every(([, s]) => s.status === 'up') ? 'up' : 'down';
    res.status(status === 'up' ? 200 : 503);
    return { status, services: { gateway: { status: 'up', postgresPool }, ...servicesMap }, stores };
  }
}
