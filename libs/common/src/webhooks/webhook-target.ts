import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may be sent (SSRF): http(s) only, no credentials in the URL, never the platform
 * itself (the gateway, the message bus, the database, Redis), and — unless the deployment allows
 * it for development — no loopback, private or link-local address. The URL is checked when a
 * subscription is registered, and every address a host name resolves to is checked again when a
 * delivery connects (DNS may have changed since).
 */
export type AddressCategory = 'public' | 'loopback' | 'private' | 'link-local' | 'reserved';

export interface PlatformEndpoint {
  host: string;
  port: number;
}

export interface WebhookTargetPolicy {
  /** The platform's own listeners; a host of `0.0.0.0`/`::` stands for every local address. */
  platform: readonly PlatformEndpoint[];
  /**
   * The addresses the platform's listener names resolve to (filled in by the gateway at start and
   * refreshed): a target is the platform if its address and port are one of these, whatever name
   * it was reached by.
   */
  platformAddresses?: readonly PlatformEndpoint[];
  /** Development and tests: loopback, private and link-local targets are allowed. */
  allowPrivate: boolean;
  /** This machine's own addresses (for the wildcard listeners above). */
  localAddresses?: readonly string[];
}

export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string };

export const WEBHOOK_URL_MAX_LENGTH = 2048;

const v4 = (list: BlockList, cidrs: string[]) => cidrs.forEach((c) => list.addSubnet(c.split('/')[0], Number(c.split('/')[1]), 'ipv4'));
const v6 = (list: BlockList, cidrs: string[]) => cidrs.forEach((c) => list.addSubnet(c.slice(0, c.lastIndexOf('/')), Number(c.slice(c.lastIndexOf('/') + 1)), 'ipv6'));

const LOOPBACK = new BlockList();
v4(LOOPBACK, ['127.0.0.0/8']);
v6(LOOPBACK, ['::1/128']);
const PRIVATE = new BlockList();
v4(PRIVATE, ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10']);
v6(PRIVATE, ['fc00::/7']);
const LINK_LOCAL = new BlockList();
v4(LINK_LOCAL, ['169.254.0.0/16']);
v6(LINK_LOCAL, ['fe80::/10']);
const RESERVED = new BlockList();
v4(RESERVED, ['0.0.0.0/8', '192.0.0.0/24', '192.0.2.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4']);
// IPv4-compatible (::/96) and -mapped (::ffff:0:0/96) are classified by the address they embed
// below, and refused when that is public (no receiver needs them); local-use NAT64, 6to4 and the
// deprecated site-local range are refused outright.
v6(RESERVED, ['::/128', 'ff00::/8', '2001:db8::/32', '100::/64', '64:ff9b:1::/48', '2002::/16', 'fec0::/10']);
const EMBEDDING_ONLY = new BlockList();
v6(EMBEDDING_ONLY, ['::/96', '::ffff:0:0/96']);

/** The IPv4 address an IPv6 address embeds (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::), if any. */
function embeddedV4(ip: string): string | undefined {
  const lower = ip.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::|::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::|::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const hi = parseInt(hex[1], 16);
  const lo = parseInt(hex[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

export function addressCategory(ip: string): AddressCategory {
  const family = isIP(ip);
  if (!family) return 'reserved';
  const inner = family === 6 ? embeddedV4(ip) : undefined;
  if (inner) {
    const c = addressCategory(inner);
    return c === 'public' && EMBEDDING_ONLY.check(ip, 'ipv6') ? 'reserved' : c;
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (LOOPBACK.check(ip, type)) return 'loopback';
  if (PRIVATE.check(ip, type)) return 'private';
  if (LINK_LOCAL.check(ip, type)) return 'link-local';
  if (RESERVED.check(ip, type)) return 'reserved';
  return 'public';
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);
/** A host as compared: without IPv6 brackets, lower case, without trailing dots (`localhost.` is `localhost`). */
export function normalHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').toLowerCase().replace(/\.+$/, '');
}
const stripBrackets = normalHost;
/** An address as compared: an IPv4-mapped IPv6 address is its IPv4 address. */
const normalAddress = (a: string) => (isIP(a) === 6 ? (embeddedV4(a) && EMBEDDING_ONLY.check(a, 'ipv6') ? embeddedV4(a)! : a.toLowerCase()) : a);

/** The port a URL connects to. */
export function urlPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function isPlatform(host: string, port: number, policy: WebhookTargetPolicy): boolean {
  const h = stripBrackets(host);
  if (isIP(h) && (policy.platformAddresses ?? []).some((p) => p.port === port && normalAddress(p.host) === normalAddress(h))) return true;
  return policy.platform.some((p) => {
    if (p.port !== port) return false;
    const ph = stripBrackets(p.host);
    if (ph === h) return true;
    const local = addressCategory(h) === 'loopback' || h === 'localhost' || (policy.localAddresses ?? []).includes(h);
    // A listener on a wildcard host, or on loopback under another name, is reached through any local address.
    return local && (WILDCARD_HOSTS.has(ph) || ph === 'localhost' || addressCategory(ph) === 'loopback');
  });
}

/** Why an address the target resolved to may not be connected to, or undefined when it may. */
export function refusedAddress(address: string, port: number, policy: WebhookTargetPolicy): string | undefined {
  if (isPlatform(address, port, policy)) return `${address}:${port} is the platform itself`;
  const category = addressCategory(address);
  if (category === 'public') return undefined;
  if (category === 'reserved') return `${address} is not a routable address`;
  // Link-local holds the cloud metadata service (169.254.169.254): never, not even in development.
  if (category === 'link-local') return `${address} is a link-local address`;
  if (policy.allowPrivate) return undefined;
  return `${address} is a ${category} address`;
}

/** The check at registration: the URL's form, and its host when that is an address or a local name. */
export function checkWebhookUrl(raw: unknown, policy: WebhookTargetPolicy): TargetCheck {
  if (typeof raw !== 'string' || !raw.length) return { ok: false, reason: 'url must be a string' };
  if (raw.length > WEBHOOK_URL_MAX_LENGTH) return { ok: false, reason: `url must be at most ${WEBHOOK_URL_MAX_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'url is not an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: `url must be http or https, not ${url.protocol.replace(':', '')}` };
  if (url.username || url.password) return { ok: false, reason: 'url must not carry credentials' };
  if (url.hash) return { ok: false, reason: 'url must not have a fragment' };
  const host = stripBrackets(url.hostname);
  if (!host) return { ok: false, reason: 'url has no host' };
  const port = urlPort(url);
  if (isPlatform(host, port, policy)) return { ok: false, reason: 'url points at the platform itself' };
  if (isIP(host)) {
    const why = refusedAddress(host, port, policy);
    return why ? { ok: false, reason: `url host ${why}` } : { ok: true, url };
  }
  if ((host === 'localhost' || host.endsWith('.localhost')) && !policy.allowPrivate) return { ok: false, reason: 'url host is a loopback name' };
  // Decimal, octal or hex IPv4 forms (http://2130706433/) are normalised by URL into dotted form, so
  // they were caught above; a name without a dot cannot be resolved publicly.
  if (!host.includes('.') && !policy.allowPrivate && host !== 'localhost') return { ok: false, reason: 'url host must be a fully qualified name' };
  return { ok: true, url };
}
