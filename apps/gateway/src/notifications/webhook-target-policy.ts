import { networkInterfaces } from 'node:os';
import type { EcertConfig, PlatformEndpoint, WebhookTargetPolicy } from '@ecert/common';

function endpointOf(raw: string, defaultPort: number): PlatformEndpoint | undefined {
  try {
    const u = new URL(raw);
    return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : defaultPort };
  } catch {
    return undefined;
  }
}

/**
 * The platform's own listeners, which no webhook may target: the gateway (as bound and as
 * published), NATS, Redis and PostgreSQL. The services listen on nothing but NATS.
 */
export function webhookTargetPolicy(config: EcertConfig): WebhookTargetPolicy {
  const platform: PlatformEndpoint[] = [{ host: config.GATEWAY_HOST, port: config.GATEWAY_PORT }];
  const candidates: [string, number][] = [
    [config.ECERT_PUBLIC_URL, 80],
    ...config.NATS_URL.split(',').map((u): [string, number] => [u.trim(), 4222]),
    [config.REDIS_URL, 6379],
    [config.DATABASE_URL, 5432],
  ];
  for (const [raw, port] of candidates) {
    const e = endpointOf(raw, port);
    if (e) platform.push(e);
  }
  const localAddresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address.toLowerCase()));
  return { platform, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_TARGETS, localAddresses };
}
