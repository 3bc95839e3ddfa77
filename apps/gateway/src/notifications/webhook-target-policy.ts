import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { BoundedLookup, normalHost, type EcertConfig, type PlatformEndpoint, type WebhookTargetPolicy } from '@ecert/common';

function endpointOf(raw: string, defaultPort: number): PlatformEndpoint | undefined {
  try {
    const u = new URL(raw);
    return { host: normalHost(u.hostname), port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : defaultPort };
  } catch {
    return undefined;
  }
}

/** Lookups of webhook target names: a deadline, and at most two of libuv's threads. */
export function webhookLookup(config: EcertConfig): BoundedLookup {
  return new BoundedLookup((host) => lookup(host, { all: true }), { timeoutMs: config.WEBHOOK_DNS_TIMEOUT_MS, maxConcurrent: 2 });
}

/**
 * The platform's own listeners, which no webhook may target: the gateway (as bound and as
 * published), its metrics listener, NATS, Redis and PostgreSQL. The services listen on nothing
 * but NATS (and their metrics, on the same METRICS_HOST:METRICS_PORT setting).
 */
export function webhookTargetPolicy(config: EcertConfig): WebhookTargetPolicy {
  const platform: PlatformEndpoint[] = [
    { host: normalHost(config.GATEWAY_HOST), port: config.GATEWAY_PORT },
    { host: normalHost(config.METRICS_HOST), port: config.METRICS_PORT },
  ];
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
  return { platform, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_TARGETS, localAddresses, platformAddresses: [] };
}

/**
 * Resolves the platform's listener names to addresses, so that a target is recognised as the
 * platform by address and port whatever name (or address) it uses. A name that does not resolve
 * now is skipped (its literal name is still refused) and tried again at the next refresh.
 */
export async function resolvePlatformAddresses(policy: WebhookTargetPolicy, names: BoundedLookup): Promise<void> {
  const found: PlatformEndpoint[] = [];
  for (const p of policy.platform) {
    if (!p.host || isIP(p.host)) continue;
    try {
      for (const a of await names.lookup(p.host)) found.push({ host: a.address.toLowerCase(), port: p.port });
    } catch {
      // unresolvable now: the literal name still counts
    }
  }
  policy.platformAddresses = found;
}
