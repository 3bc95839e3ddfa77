import { BULK_EVENT_TYPES, BUS_PRINCIPALS, durableConsumers, eventPublisher, eventsStreamName, natsPrefix, type BusPrincipal } from '@ecert/contracts';
import { inboxPrefixOf } from './nats-connection';

export interface NatsAuthorizationOptions {
  /** Subject prefix (ECERT_NATS_PREFIX). */
  prefix?: string;
  /** JetStream stream name (derived from the prefix by default). */
  stream?: string;
  /** Password per principal: a literal, or `$VAR` for nats-server to read from its environment. */
  passwords: Record<BusPrincipal, string>;
  /** An operator user with every permission (stream maintenance, clean-up), if wanted. */
  operator?: { user: string; password: string };
}

/** What each principal may publish and subscribe to (NATS subject permissions). */
export function natsPermissions(principal: BusPrincipal, prefix = natsPrefix, stream = eventsStreamName(prefix)): { publish: string[]; subscribe: string[] } {
  const rpc = `${prefix}.v1`;
  const evt = `${prefix}.evt.v1`;
  // The bulk lane: exactly the bulk types this principal publishes (today the cert-service's
  // invalidations and reminders), never a wildcard a frozen or revoked event could be sent on.
  const bulk = BULK_EVENT_TYPES.filter((t) => eventPublisher(t) === principal).map((t) => `${prefix}.bulk.v1.${t}`);
  // JetStream: read and acknowledge only this principal's own durable consumers (the operator
  // creates the stream and the consumers). No right to create, change or delete either: with it, a
  // service could widen the stream to capture commands or aim a push consumer at a command subject.
  const own = Object.values(durableConsumers(prefix)).filter((c) => c.owner === principal).map((c) => c.name);
  const js = [`$JS.API.INFO`, ...own.flatMap((name) => [`$JS.API.CONSUMER.INFO.${stream}.${name}`, `$JS.API.CONSUMER.MSG.NEXT.${stream}.${name}`, `$JS.ACK.${stream}.${name}.>`])];
  const inbox = `${inboxPrefixOf(principal)}.>`;
  // Replies go only to the callers' own reply prefixes. Not allow_responses: that lets a caller
  // choose any reply subject (say $JS.API.STREAM.PURGE.…) and have the responder publish there.
  const repliesTo = (...callers: BusPrincipal[]) => callers.map((c) => `${inboxPrefixOf(c)}.>`);
  switch (principal) {
    case 'gateway':
      return {
        // Not the UKeys' SO PIN subjects nor collection: those only the workflow-service may ask.
        publish: [
          `${rpc}.cert.health`,
          `${rpc}.cert.certificates.>`,
          ...['import', 'list', 'get', 'transition', 'dispatch.create', 'dispatch.receive', 'dispatch.get'].map((c) => `${rpc}.cert.ukeys.${c}`),
          `${rpc}.cert.ca.>`,
          `${rpc}.cert.platform-keys.issue`,
          `${rpc}.cert.invalid-list.>`,
          `${rpc}.cert.crl.>`,
          `${rpc}.cert.ocsp.respond`,
          `${rpc}.cert.ocsp.delegate`,
          `${rpc}.cert.ocsp.status`,
          `${rpc}.cert.operations.>`,
          `${rpc}.seal.>`,
          `${rpc}.workflow.>`,
          `${rpc}.gateway.credentials.invalidate`,
          ...js,
        ],
        subscribe: [inbox, `${rpc}.cert.ocsp.invalidate`, `${rpc}.gateway.credentials.invalidate`],
      };
    case 'cert-service':
      return {
        // The operators' calendar overrides: the renewal reminders count working days with them.
        publish: [`${evt}.certificate.>`, `${evt}.ukey.>`, ...bulk, `${rpc}.cert.ocsp.invalidate`, `${rpc}.workflow.calendar.overrides`, ...repliesTo('gateway', 'seal-service', 'workflow-service'), ...js],
        subscribe: [inbox, `${rpc}.cert.>`],
      };
    case 'seal-service':
      return {
        // The platform-held keys sign only for its document-sealing requests (checked by the cert-service).
        publish: [`${rpc}.cert.certificates.get`, `${rpc}.cert.ca.list`, `${rpc}.cert.seal-maker.sign`, `${rpc}.cert.platform-keys.sign`, `${rpc}.workflow.materials.referenced`, `${evt}.seal.>`, `${evt}.document.>`, ...repliesTo('gateway', 'workflow-service'), ...js],
        subscribe: [inbox, `${rpc}.seal.>`],
      };
    case 'workflow-service':
      return {
        // Carrying out approved applications: the certificate and seal commands the bus policy lets it send.
        publish: [
          `${evt}.application.>`,
          ...['issue', 'get', 'list', 'freeze', 'unfreeze', 'revoke', 'renew'].map((c) => `${rpc}.cert.certificates.${c}`),
          ...['list', 'get', 'transition', 'collect', 'so-pin.production', 'so-pin.unlock', 'so-pin.unlock.confirm'].map((c) => `${rpc}.cert.ukeys.${c}`),
          `${rpc}.seal.seals.create`,
          `${rpc}.seal.seals.list`,
          `${rpc}.seal.images.extract`,
          `${rpc}.seal.seals.download`,
          // The seal-service asks which stored bytes are materials (document retention); the
          // cert-service asks for the calendar overrides (renewal reminders).
          ...repliesTo('gateway', 'seal-service', 'cert-service'),
          ...js,
        ],
        subscribe: [inbox, `${rpc}.workflow.>`],
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
  const stream = opts.stream ?? eventsStreamName(prefix);
  const users = (Object.keys(opts.passwords) as BusPrincipal[]).map((principal) => {
    const p = natsPermissions(principal, prefix, stream);
    return [
      `    {`,
      `      user: ${JSON.stringify(principal)}`,
      `      password: ${secret(opts.passwords[principal])}`,
      `      permissions: {`,
      `        publish: { allow: ${list(p.publish)} }`,
      `        subscribe: { allow: ${list(p.subscribe)} }`,
      `      }`,
      `    }`,
    ].join('\n');
  });
  if (opts.operator) users.push(`    {\n      user: ${JSON.stringify(opts.operator.user)}\n      password: ${secret(opts.operator.password)}\n    }`);
  return `authorization {\n  users: [\n${users.join('\n')}\n  ]\n}\n`;
}

/**
 * The authorisation file shipped in deploy/nats for a deployment with subject prefix `prefix`:
 * passwords are `$NATS_<PRINCIPAL>_PASSWORD` references that nats-server reads from its
 * environment, never written into the file.
 */
export function natsDeploymentAuthorization(prefix = 'ecert'): string {
  const env = (name: string) => `$NATS_${name.replace(/-/g, '_').toUpperCase()}_PASSWORD`;
  const passwords = Object.fromEntries(BUS_PRINCIPALS.map((p) => [p, env(p)])) as Record<BusPrincipal, string>;
  const header = `# Generated by \`npm run nats:config\` for subject prefix "${prefix}": one user per ecert service, each\n# limited to the subjects it needs, and an operator for stream maintenance. Passwords come from\n# nats-server's environment.\n`;
  return `${header}${natsAuthorizationConfig({ prefix, passwords, operator: { user: 'ecert-operator', password: env('operator') } })}`;
}
