/**
 * insertIssuedCertificate against the real PostgreSQL (the cert schema with all its migrations):
 * the issuance's one statement and its guard (cert.issuance_guard). Many issuances for one account
 * at once, each on its own connection and its own implicit transaction, must never hold more than
 * the account's limit between them — the guard counts under the account's lock with a snapshot
 * taken after the lock, which a count in the INSERT's own snapshot would not — and a refusal
 * writes nothing: no certificate, history row or event.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { loadConfig, ProblemCode, ProblemError } from '@ecert/common';
import { dropDatabase } from '@ecert/database';
import { MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT, newSerialNumber, serialKey } from '@ecert/pki';
import { certSchemaForTests } from '../testing/cert-schema-for-tests';
import { CertificateEntity } from './certificate.entity';
import { accountLockKey } from './account-certificate-limit';
import { insertIssuedCertificate } from './issued-certificate.writer';

const config = loadConfig(process.env);
const PARALLEL = 12;
let ds: DataSource;

beforeAll(async () => {
  // One connection per issuance, so their statements really run at the same time.
  ds = await certSchemaForTests(config.DATABASE_URL, PARALLEL + 2, { caId: 'p256-issuing', family: 'ecdsa', keyAlgorithm: 'P-256' });
});

afterAll(async () => {
  await ds?.destroy();
  await dropDatabase(config.DATABASE_URL, /^ecert_t[a-z0-9]+$/);
});

const fingerprint = () => createHash('sha256').update(randomBytes(32)).digest('hex');

function certificate(identity: { profile: 'unit' | 'personal'; uscc: string; accountNo: string }, spkiSha256 = fingerprint()): CertificateEntity {
  return ds.manager.create(CertificateEntity, {
    serial: serialKey(newSerialNumber()),
    caId: 'p256-issuing',
    profile: identity.profile,
    keyAlgorithm: 'P-256',
    status: 'active',
    subject: 'CN=unit',
    uscc: identity.uscc,
    accountNo: identity.accountNo,
    regionCode: '450100',
    unitName: '测试单位',
    personName: identity.profile === 'personal' ? '张三' : null,
    personIdMasked: null,
    personIdHash: null,
    spkiSha256,
    notBefore: new Date(),
    notAfter: new Date(Date.now() + 365 * 86_400_000),
    der: Buffer.from([0x30, 0x00]),
    statusChangedAt: new Date(),
    ukeySerial: null,
    platformHeld: false,
  });
}

let accounts = 0;
const account = (profile: 'unit' | 'personal' = 'unit') => ({ profile, uscc: '91450100MA5L000000', accountNo: `ACC-${process.pid}-${++accounts}` });

async function rowsOf(accountNo: string): Promise<{ certificates: number; history: number; events: number }> {
  const [r] = await ds.query(
    `SELECT (SELECT count(*)::int FROM cert.certificate WHERE account_no = $1) AS certificates,
            (SELECT count(*)::int FROM cert.certificate_history h JOIN cert.certificate c USING (serial) WHERE c.account_no = $1) AS history,
            (SELECT count(*)::int FROM cert.outbox o WHERE o.type = 'certificate.issued' AND o.payload->'data'->>'accountNo' = $1) AS events`,
    [accountNo],
  );
  return r;
}

describe('insertIssuedCertificate and its guard', () => {
  it(`lets exactly ${MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT} of ${PARALLEL} concurrent issuances for one account through, each whole`, async () => {
    const who = account();
    const outcomes = await Promise.allSettled(Array.from({ length: PARALLEL }, () => insertIssuedCertificate(ds.manager, certificate(who), who)));
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT);
    expect(refused).toHaveLength(PARALLEL - MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT);
    for (const e of refused) {
      expect(e).toBeInstanceOf(ProblemError);
      expect(e).toMatchObject({ status: 409, code: ProblemCode.certificateLimitReached, extensions: { limit: MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT, active: MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT } });
    }
    expect(await rowsOf(who.accountNo)).toEqual({ certificates: 4, history: 4, events: 4 });
  });

  it('does not count certificates that no longer hold a place (revoked), and does not limit personal certificates', async () => {
    const who = account();
    for (let i = 0; i < MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT; i++) await insertIssuedCertificate(ds.manager, certificate(who), who);
    await ds.query(`UPDATE cert.certificate SET status = 'revoked', revoked_at = now(), revocation_reason = 'superseded' WHERE serial = (SELECT serial FROM cert.certificate WHERE account_no = $1 LIMIT 1)`, [who.accountNo]);
    await insertIssuedCertificate(ds.manager, certificate(who), who);
    await expect(insertIssuedCertificate(ds.manager, certificate(who), who)).rejects.toMatchObject({ code: ProblemCode.certificateLimitReached });
    const person = account('personal');
    for (let i = 0; i < MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT + 2; i++) await insertIssuedCertificate(ds.manager, certificate(person), person);
    expect((await rowsOf(person.accountNo)).certificates).toBe(MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT + 2);
  });

  it('refuses a key revoked for compromise (a certificate, or a CA certificate) and writes nothing', async () => {
    const who = account();
    const stolen = fingerprint();
    const first = certificate(who, stolen);
    await insertIssuedCertificate(ds.manager, first, who);
    await ds.query(`UPDATE cert.certificate SET status = 'revoked', revoked_at = now(), revocation_reason = 'keyCompromise' WHERE serial = $1`, [first.serial]);
    const before = await rowsOf(who.accountNo);
    const e = await insertIssuedCertificate(ds.manager, certificate(who, stolen), who).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProblemError);
    expect(e).toMatchObject({ status: 400, code: ProblemCode.keyCompromised, field: 'csr' });
    expect(await rowsOf(who.accountNo)).toEqual(before);
    // A key of a CA certificate revoked for cACompromise: as known to others.
    const caKey = fingerprint();
    await ds.query(
      `INSERT INTO cert.ca_revocation (issuer_ca_id, serial, ca_id, role, subject, certificate, spki_sha256, not_after, revoked_at, reason)
       VALUES ('p256-issuing', '7f01', 'old-ca', 'ocsp', 'CN=old', '\\x00', $1, now() + interval '1 day', now(), 'cACompromise')`,
      [caKey],
    );
    await expect(insertIssuedCertificate(ds.manager, certificate(who, caKey), who)).rejects.toMatchObject({ status: 400, code: ProblemCode.keyCompromised });
    expect(await rowsOf(who.accountNo)).toEqual(before);
    // Superseded is no compromise: a key may be certified again.
    const renewed = certificate(who);
    await insertIssuedCertificate(ds.manager, renewed, who);
    await ds.query(`UPDATE cert.certificate SET status = 'revoked', revoked_at = now(), revocation_reason = 'superseded' WHERE serial = $1`, [renewed.serial]);
    await insertIssuedCertificate(ds.manager, certificate(who, renewed.spkiSha256!), who);
  });

  it("in a caller's transaction, holds the account's lock the caller took and goes with its rollback", async () => {
    const who = account();
    const c = certificate(who);
    await ds
      .transaction(async (m) => {
        await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [accountLockKey(who)]);
        await insertIssuedCertificate(m, c, who);
        expect(c.createdAt).toBeInstanceOf(Date);
        expect(c.version).toBe(1);
        throw new Error('the caller gives up');
      })
      .catch((e: Error) => expect(e.message).toBe('the caller gives up'));
    expect(await rowsOf(who.accountNo)).toEqual({ certificates: 0, history: 0, events: 0 });
  });
});
