import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { EcertConfig } from '@ecert/common';
import { BusIdentity, BusRpcClient } from '@ecert/messaging';
import { GATEWAY_CONFIG } from '../gateway.tokens';

/**
 * The gateway's line to the services: the bus's one RPC client, signing each request's context
 * (the authenticated client or staff member, operations, region scope) as the gateway.
 */
@Injectable()
export class RpcClient extends BusRpcClient implements OnApplicationShutdown {
  constructor(@Inject(GATEWAY_CONFIG) config: EcertConfig) {
    super(config, BusIdentity.fromConfig(config, 'gateway'), 'gateway');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
