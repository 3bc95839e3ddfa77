/**
 * CrlGenerator against the real PostgreSQL (the cert schema with all its migrations): CRLs are read
 * in a stored snapshot and take no lock that status changes hold, so a change in flight while a
 * complete CRL is built neither holds the build back nor falls between that CRL and its delta.
 * The CA is a real one (openssl, libs/pki's test PKI); the registry is a stand-in that hands it out.
 */
import { newSerialNumber, serialKey } from '@ecert/pki';
import pg from 'pg';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificateList, CRLReason, id_ce_cRLReasons } from '@peculiar/asn1-x509';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import pino from 'pino';
import { loadConfig } from '@ecert/common';
import { createServiceDataSource, dropDatabase, prepareServiceDatabase } from '@ecert/database';
import { InboxRecord, OutboxMessage } from '@ecert/messaging';
import { TestPki } from '../../../../libs/pki/src/revocation/test-pki.spec-helper';
import { CERT_ENTITIES, CERT_MIGRATIONS } from '../cert-service.module';
import type { CaRegistry } from '../ca/ca-registry.service';
import { CrlGenerator } from './crl-generator.service';

const config = loadConfig(process.env);
const CA_ID = 'ecdsa-issuing';
let ds: DataSource;
let pki: TestPki;
let generator: CrlGenerator;

beforeAll(async () => {
  ds = createServiceDataSource({ url: config.DATABASE_URL, schema: 'cert', entities: [OutboxMessage, InboxRecord, ...CERT_ENTITIES], migrations: CERT_MIGRATIONS });
  await prepareServiceDatabase(ds, 'cert');
  pki = TestPki.create('ec');
  await ds.query(
    `INSERT INTO cert.ca (id, family, role, key_id, key_store, key_algorithm, certificate, subject, serial, not_before, not_after)
     VALUES ($1, 'ecdsa', 'issuing', 'k', 'soft', 'EC-P256', $2, 'CN=Test CA ec', '01', now(), now() + interval '30 days')`,
    [CA_ID, Buffer.from(pki.ca.der)],
  );
  const registry = { get: () => ({ id: CA_ID, role: 'issuing', certificate: Buffer.from(pki.ca.der) }), signer: async () => pki.ca.signer } as unknown as CaRegistry;
  generator = new CrlGenerator(ds, config, pino({ level: 'silent' }), registry);
});

afterAll(async () => {
  await ds?.destroy();
  pki?.cleanup();
  await dropDatabase(config.DATABASE_URL, /^ecert_t[a-z0-9]+$/);
});

beforeEach(async () => {
  await ds.query('DELETE FROM cert.crl');
  await ds.query('DELETE FROM cert.certificate');
});

async function insert(status: 'active' | 'frozen' | 'revoked' = 'active'): Promise<string> {
  const serial = serialKey(newSerialNumber());
  await ds.query(
    `INSERT INTO cert.certificate (serial, ca_id, profile, key_algorithm, status, subject, uscc, account_no, region_code, unit_name,
       not_before, not_after, der, status_changed_at, version, frozen_at, revoked_at, revocation_reason)
     VALUES ($1, $2, 'unit', 'EC-P256', $3, 'CN=unit', '91450100MA5L000000', '4501000001', '450100', '测试单位',
       now() - interval '1 day', now() + interval '300 days', '\\x00', now(), 1, $4, $5, $6)`,
    [serial, CA_ID, status, status === 'frozen' ? new Date() : null, status === 'revoked' ? new Date() : null, status === 'revoked' ? 'keyCompromise' : null],
  );
  return serial;
}

/** serial (lower-case hex, no leading zeros) → reason name of each entry. */
function entriesOf(der: Uint8Array): Map<string, string> {
  const list = AsnConvert.parse(der, CertificateList);
  const out = new Map<string, string>();
  for (const e of list.tbsCertList.revokedCertificates ?? []) {
    const serial = Buffer.from(e.userCertificate).toString('hex').replace(/^0+/, '');
    const ext = e.crlEntryExtensions?.find((x) => x.extnID === id_ce_cRLReasons);
    const reason = ext ? AsnConvert.parse(ext.extnValue, CRLReason).reason : -1;
    out.set(serial, REASON_NAMES[reason] ?? String(reason));
  }
  return out;
}
const REASON_NAMES: Record<number, string> = { [-1]: 'unspecified', 1: 'keyCompromise', 6: 'certificateHold', 8: 'removeFromCRL' };
const key = (serial: string) => serial.replace(/^0+/, '');

describe('CrlGenerator: snapshots instead of a lock', () => {
  it('a freeze still in flight while a complete CRL is built does not hold the build back, and the next delta lists it', async () => {
    const serial = await insert();
    let full!: Awaited<ReturnType<CrlGenerator['generate']>>;
    const other = new pg.Client({ connectionString: config.DATABASE_URL });
    await other.connect();
    try {
      // The freeze is stamped (status_changed_at) before the complete CRL's thisUpdate and commits after it.
      await other.query('BEGIN');
      await other.query(`UPDATE cert.certificate SET status = 'frozen', frozen_at = clock_timestamp(), status_changed_at = clock_timestamp() WHERE serial = $1`, [serial]);
      await new Promise((r) => setTimeout(r, 1100));
      const started = Date.now();
      full = await generator.generate(CA_ID, false);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(entriesOf(full.der).has(key(serial))).toBe(false);
      await other.query('COMMIT');
    } finally {
      await other.end();
    }
    const [{ changed, base }] = await ds.query(
      `SELECT c.status_changed_at AS changed, (SELECT this_update FROM cert.crl WHERE delta_base IS NULL) AS base FROM cert.certificate c WHERE serial = $1`,
      [serial],
    );
    // What the CRL lock used to promise, kept without it: a change missing from a CRL is never
    // dated before that CRL's thisUpdate (thisUpdate is pulled back to the open transaction's start).
    expect(new Date(changed).getTime()).toBeGreaterThanOrEqual(new Date(base).getTime());
    expect(AsnConvert.parse(full.der, CertificateList).tbsCertList.thisUpdate.getTime().getTime()).toBeLessThanOrEqual(new Date(changed).getTime());
    const delta = await generator.generate(CA_ID, true);
    expect(entriesOf(delta.der).get(key(serial))).toBe('certificateHold');
  });

  it('a hold on the base and lifted since is removeFromCRL on the delta; what the base had and did not change is not repeated', async () => {
    const lifted = await insert('frozen');
    const kept = await insert('frozen');
    const revoked = await insert('revoked');
    const full = await generator.generate(CA_ID, false);
    expect(Object.fromEntries(entriesOf(full.der))).toEqual({ [key(lifted)]: 'certificateHold', [key(kept)]: 'certificateHold', [key(revoked)]: 'keyCompromise' });
    await ds.query(`UPDATE cert.certificate SET status = 'active' WHERE serial = $1`, [lifted]);
    const fresh = await insert();
    await ds.query(`UPDATE cert.certificate SET status = 'revoked', revoked_at = now(), revocation_reason = 'keyCompromise' WHERE serial = $1`, [fresh]);
    const delta = await generator.generate(CA_ID, true);
    expect(Object.fromEntries(entriesOf(delta.der))).toEqual({ [key(lifted)]: 'removeFromCRL', [key(fresh)]: 'keyCompromise' });
    expect(delta.number).toBeGreaterThan(full.number);
  });

  it('the trigger stamps every status change, whichever statement makes it, and nothing else', async () => {
    const serial = await insert();
    const xid = async () => (await ds.query('SELECT status_xid::text AS x FROM cert.certificate WHERE serial = $1', [serial]))[0].x as string | null;
    expect(await xid()).toBeNull();
    await ds.query(`UPDATE cert.certificate SET last_activity_at = now() WHERE serial = $1`, [serial]);
    expect(await xid()).toBeNull();
    await ds.query(`UPDATE cert.certificate SET status = 'frozen', frozen_at = now() WHERE serial = $1`, [serial]);
    const first = await xid();
    expect(first).not.toBeNull();
    await ds.query(`UPDATE cert.certificate SET status = 'active' WHERE serial = $1`, [serial]);
    expect(BigInt((await xid())!)).toBeGreaterThan(BigInt(first!));
    // The deltas' index, built concurrently by its own migration, is there and valid.
    const [idx] = await ds.query(`SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'certificate_ca_status_xid_idx'`);
    expect(idx?.valid).toBe(true);
  });

  it('builders of one CA take turns: concurrent builds get distinct numbers, and a later number never has an older snapshot', async () => {
    await insert('revoked');
    await generator.generate(CA_ID, false);
    const builds = await Promise.all([generator.generate(CA_ID, false), generator.generate(CA_ID, true), generator.generate(CA_ID, false), generator.generate(CA_ID, true)]);
    const numbers = builds.map((b) => b.number);
    expect(new Set(numbers).size).toBe(4);
    const rows: { number: string; xmin: string }[] = await ds.query(`SELECT number, pg_snapshot_xmin(snapshot)::text AS xmin FROM cert.crl ORDER BY number`);
    for (let i = 1; i < rows.length; i++) expect(BigInt(rows[i]!.xmin)).toBeGreaterThanOrEqual(BigInt(rows[i - 1]!.xmin));
  });

  it('a base whose snapshot is from another cluster (a logical restore) gets a complete CRL first, and the delta is built against that', async () => {
    const revoked = await insert('revoked');
    // As restored from a dump: transaction ids far ahead of this cluster's.
    await ds.query(
      `INSERT INTO cert.crl (ca_id, number, delta_base, this_update, next_update, entry_count, der, snapshot)
       VALUES ($1, 900, NULL, now() - interval '1 hour', now() + interval '1 day', 0, '\\x00', '900000000000:900000000000:'::pg_snapshot)`,
      [CA_ID],
    );
    await ds.query(`UPDATE cert.ca SET next_crl_number = 901 WHERE id = $1`, [CA_ID]);
    const delta = await generator.generate(CA_ID, true);
    expect(delta.base?.delta).toBe(false);
    expect(entriesOf(delta.base!.der).get(key(revoked))).toBe('keyCompromise');
    expect(delta.delta).toBe(true);
    expect(delta.number).toBeGreaterThan(delta.base!.number);
    const list = AsnConvert.parse(delta.der, CertificateList);
    const indicator = list.tbsCertList.crlExtensions!.find((e) => e.extnID === '2.5.29.27')!;
    expect(BigInt(`0x${Buffer.from(indicator.extnValue.buffer).subarray(2).toString('hex')}`)).toBe(delta.base!.number);
    // The next delta needs no second complete CRL.
    expect((await generator.generate(CA_ID, true)).base).toBeUndefined();
  });
});
