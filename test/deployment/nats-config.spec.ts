import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUS_PRINCIPALS, durableConsumers, eventsStreamName } from '@ecert/contracts';
import { eventsStreamSubjects, natsDeploymentAuthorization, natsPermissions } from '@ecert/messaging';

/** The shipped NATS authorisation file is exactly what the permissions code generates (run `npm run nats:config` after changing it). */
const file = fileURLToPath(new URL('../../deploy/nats/ecert-authorization.conf', import.meta.url));

describe('deploy/nats', () => {
  it('ships the generated authorisation block', () => {
    if (process.env.ECERT_WRITE_NATS_CONFIG === '1') writeFileSync(file, natsDeploymentAuthorization('ecert'));
    expect(readFileSync(file, 'utf8')).toBe(natsDeploymentAuthorization('ecert'));
  });

  it('never writes a password into the file', () => {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/password: (.*)/g)) expect(m[1]).toMatch(/^\$NATS_[A-Z_]+_PASSWORD$/);
  });

  it('lets only the cert-service publish on the bulk lane, and only its bulk event types there; each follower reads its bulk twin', () => {
    // NATS subject matching: `*` one token, `>` the rest.
    const matches = (pattern: string, subject: string) => {
      const p = pattern.split('.');
      const s = subject.split('.');
      for (let i = 0; i < p.length; i++) {
        if (p[i] === '>') return s.length > i;
        if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
      }
      return p.length === s.length;
    };
    const mayPublish = (principal: (typeof BUS_PRINCIPALS)[number], subject: string) => natsPermissions(principal, 'ecert').publish.some((x) => matches(x, subject));
    for (const principal of BUS_PRINCIPALS) {
      expect(mayPublish(principal, 'ecert.bulk.v1.certificate.invalidated'), principal).toBe(principal === 'cert-service');
      for (const forged of ['ecert.bulk.v1.certificate.frozen', 'ecert.bulk.v1.certificate.revoked', 'ecert.bulk.v1.seal.created', 'ecert.bulk.x']) {
        expect(mayPublish(principal, forged), `${principal} ${forged}`).toBe(false);
      }
    }
    // the stream holds both families; the ordinary consumers' filters never reach the bulk one
    expect(eventsStreamSubjects('ecert')).toEqual(['ecert.evt.>', 'ecert.bulk.>']);
    const c = durableConsumers('ecert');
    const twins = [
      [c.sealCertificates, c.sealCertificatesBulk],
      [c.gatewayAudit, c.gatewayAuditBulk],
      [c.gatewayNotifications, c.gatewayNotificationsBulk],
    ] as const;
    for (const [ordinary, bulk] of twins) {
      expect(matches(ordinary.filterSubject, 'ecert.bulk.v1.certificate.invalidated'), ordinary.name).toBe(false);
      expect(matches(bulk.filterSubject, 'ecert.bulk.v1.certificate.invalidated'), bulk.name).toBe(true);
      expect(bulk).toMatchObject({ owner: ordinary.owner, inboxKey: ordinary.name });
      // The notifications twin reads its lane from the start: nothing older than the lane is on it.
      expect(bulk.deliverPolicy).toBe(bulk === c.gatewayNotificationsBulk ? 'all' : ordinary.deliverPolicy);
      const stream = eventsStreamName('ecert');
      for (const principal of BUS_PRINCIPALS) {
        expect(mayPublish(principal, `$JS.API.CONSUMER.MSG.NEXT.${stream}.${bulk.name}`), `${principal} reads ${bulk.name}`).toBe(principal === bulk.owner);
      }
    }
  });
});
