import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { loadConfig } from '@ecert/common';
import { createServiceDataSource, prepareServiceDatabase } from '@ecert/database';
import { buildCertificate, buildName, certificateProfiles, newSerialNumber, publicKeyFingerprint } from '@ecert/pki';
import { dropRunState } from '../../../../scripts/run-isolation';
import { ecdsaTestKey } from '../../../../libs/pki/src/x509/test-signers.spec-helper';
import { InitCertSchema1763900000000 } from './1763900000000-init-cert-schema';
import { PersonalIdHash1764300000000 } from './1764300000000-personal-id-hash';
import { CertificateKeyFingerprint1764300000001 } from './1764300000001-certificate-key-fingerprint';

/** The fingerprint migration fills existing rows from their DER (against the real PostgreSQL). */
const config = loadConfig(process.env);
let ds: DataSource;

beforeAll(async () => {
  ds = createServiceDataSource({ url: config.DATABASE_URL, schema: 'cert', entities: [], migrations: [InitCertSchema1763900000000, PersonalIdHash1764300000000] });
  await prepareServiceDatabase(ds, 'cert');
});

afterAll(async () => {
  await ds?.destroy();
  await dropRunState(config, /^ecert_t[a-z0-9]+$/);
});

async function certificateDer(subjectSpki: Uint8Array): Promise<Buffer> {
  const ca = ecdsaTestKey();
  const name = buildName({ C: 'CN', CN: 'Migration Test CA' });
  return Buffer.from(
    await buildCertificate({
      issuer: { name, spki: ca.signer.spki },
      signer: ca.signer,
      subjectName: buildName({ C: 'CN', CN: 'unit' }),
      subjectSpki,
      serialNumber: newSerialNumber(),
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
      extensions: certificateProfiles.unit({ subjectSpki, uscc: '91440101MA5C00001N', crlUrl: 'http://a/c.crl', ocspUrl: 'http://a/ocsp', caIssuersUrl: 'http://a/ca.crt' }),
    }),
  );
}

describe('CertificateKeyFingerprint migration', () => {
  it('fingerprints the key of every existing certificate and leaves unreadable rows null', async () => {
    await ds.query(
      `INSERT INTO cert.ca (id, family, role, key_id, key_store, key_algorithm, certificate, subject, serial, not_before, not_after)
       VALUES ('ecdsa-issuing', 'ecdsa', 'issuing', 'k', 'soft', 'EC-P256', '\\x00', 'CN=x', '01', now(), now() + interval '1 day')`,
    );
    const keys = Array.from({ length: 3 }, () => ecdsaTestKey().signer.spki);
    const rows: [string, Buffer][] = [];
    for (const [i, spki] of keys.entries()) rows.push([`0${i + 1}`, await certificateDer(spki)]);
    rows.push(['04', Buffer.from([0])]);
    for (const [serial, der] of rows) {
      await ds.query(
        `INSERT INTO cert.certificate (serial, ca_id, profile, key_algorithm, status, subject, uscc, account_no, region_code, unit_name, not_before, not_after, der, status_changed_at, version)
         VALUES ($1, 'ecdsa-issuing', 'unit', 'ECDSA', 'active', 'CN=unit', '91440101MA5C00001N', 'A', '440100', 'unit', now(), now() + interval '1 day', $2, now(), 1)`,
        [serial, der],
      );
    }
    const runner = ds.createQueryRunner();
    try {
      await new CertificateKeyFingerprint1764300000001().up(runner);
    } finally {
      await runner.release();
    }
    const got: { serial: string; spki_sha256: string | null }[] = await ds.query('SELECT serial, spki_sha256 FROM cert.certificate ORDER BY serial');
    expect(got).toEqual([...keys.map((k, i) => ({ serial: `0${i + 1}`, spki_sha256: publicKeyFingerprint(k) })), { serial: '04', spki_sha256: null }]);
    const [index] = await ds.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'cert' AND indexname = 'certificate_spki_sha256_idx'`);
    expect(index.indexdef).toContain('spki_sha256');
  });
});
