import type { Provider } from '@nestjs/common';
import { createServiceDataSource, databaseLimits, prepareServiceDatabase } from '@ecert/database';
import type { EcertConfig } from '@ecert/common';
import { GATEWAY_CONFIG, GATEWAY_DATA_SOURCE } from '../gateway.tokens';
import { InboxRecord } from '@ecert/messaging';
import { InitGatewaySchema1763900000003 } from '../migrations/1763900000003-init-gateway-schema';
import { KeyedAuditChain1764200000008 } from '../migrations/1764200000008-keyed-audit-chain';
import { OperatorRole1766300000001 } from '../migrations/1766300000001-operator-role';
import { DeadLetterIndexes1766300000100 } from '../migrations/1766300000100-dead-letter-indexes';
import { WebhooksAndMail1766200000001 } from '../migrations/1766200000001-webhooks-and-mail';
import { WebhookFairnessAndBounds1766200000100 } from '../migrations/1766200000100-webhook-fairness-and-bounds';

export const GATEWAY_MIGRATIONS = [InitGatewaySchema1763900000003, KeyedAuditChain1764200000008, WebhooksAndMail1766200000001, WebhookFairnessAndBounds1766200000100, OperatorRole1766300000001, DeadLetterIndexes1766300000100];

/** The gateway's own schema: registered clients, staff, the audit trail, and the inbox of its event consumer. */
export const gatewayDatabaseProvider: Provider = {
  provide: GATEWAY_DATA_SOURCE,
  inject: [GATEWAY_CONFIG],
  useFactory: async (config: EcertConfig) => {
    const ds = createServiceDataSource({ url: config.DATABASE_URL, schema: 'gateway', entities: [InboxRecord], migrations: GATEWAY_MIGRATIONS, limits: databaseLimits(config) });
    await prepareServiceDatabase(ds, 'gateway');
    return ds;
  },
};
