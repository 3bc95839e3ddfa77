import { EVENTS_STREAM, natsPrefix, type BusPrincipal } from '@ecert/contracts';
import { inboxPrefixOf } from './nats-connection';

export interface NatsAuthorizationOptions {
  /** Subject prefix (ECERT_NATS_PREFIX). */
  prefix?: string;
  /** JetStream stream name (derived from the prefix by default). */
  stream?: string;
  /** Password per principal: a literal, or `$VAR` for nats-server to read from its environment. */
  passwords: Record<BusPrincipal, string>;
}

/** What each principal may publish and subscribe to (NATS subject permissions). */
export function natsPermissions(principal: BusPrincipal, prefix = natsPrefix, stream = EVENTS_STREAM): { publish: string[]; subscribe: string[]; allowResponses: boolean } {
  const rpc = `${prefix}.v1`;
  const evt = `${prefix}.evt.v1`;
  // JetStream API for the one events stream: look it up, create or update it, manage consumers, ack.
  const js = [`$JS.API.INFO`, `$JS.API.STREAM.INFO.${stream}`, `$JS.API.STREAM.CREATE.${stream}`, `$JS.API.STREAM.UPDATE.${stream}`, `$JS.API.CONSUMER.*.${stream}.>`, `$JS.API.CONSUMER.*.${stream}`, `$JS.ACK.${stream}.>`];
  const inbox = `${inboxPrefixOf(principal)}.>`;
  switch (principal) {
    case 'gateway':
      return {
        publish: [`${rpc}.cert.health`, `${rpc}.cert.certificates.>`, `${rpc}.cert.ca.>`, `${rpc}.cert.crl.>`, `${rpc}.cert.ocsp.respond`, `${rpc}.seal.>`, `${rpc}.workflow.>`, ...js],
        subscribe: [inbox, `${rpc}.cert.ocsp.invalidate`],
        allowResponses: false,
      };
    case 'cert-service':
      return {
        publish: [`${evt}.certificate.>`, `${rpc}.cert.ocsp.invalidate`, ...js],
        subscribe: [inbox, `${rpc}.cert.>`],
        allowResponses: true,
      };
    case 'seal-service':
      return {
        publish: [`${rpc}.cert.certificates.get`, `${rpc}.cert.ca.list`, `${rpc}.cert.seal-maker.sign`, `${evt}.seal.>`, ...js],
        subscribe: [inbox, `${rpc}.seal.>`],
        allowResponses: true,
      };
    case 'workflow-service':
      return {
        publish: [`${evt}.application.>`, ...js],
        subscribe: [inbox, `${rpc}.workflow.>`],
        allowResponses: true,
      };
  }
}

const list = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;
const secret = (p: string) => (p.startsWith('$') ? p : JSON.stringify(p));

/**
 * The `authorization` block of a nats-server configuration giving each principal its own user
 * and only the subjects it needs: only the gateway may send commands, only the cert-service may
 * publish certificate events, only the seal-service may ask the seal maker.
 */
export function natsAuthorizationConfig(opts: NatsAuthorizationOptions): string {
  const prefix = opts.prefix ?? natsPrefix;
  const stream = opts.stream ?? `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}_EVENTS`;
  const users = (Object.keys(opts.passwords) as BusPrincipal[]).map((principal) => {
    const p = natsPermissions(principal, prefix, stream);
    return [
      `    {`,
      `      user: ${JSON.stringify(principal)}`,
      `      password: ${secret(opts.passwords[principal])}`,
      `      permissions: {`,
      `        publish: { allow: ${list(p.publish)} }`,
      `        subscribe: { allow: ${list(p.subscribe)} }`,
      ...(p.allowResponses ? [`        allow_responses: true`] : []),
      `      }`,
      `    }`,
    ].join('\n');
  });
  return `authorization {\n  users: [\n${users.join('\n')}\n  ]\n}\n`;
}
