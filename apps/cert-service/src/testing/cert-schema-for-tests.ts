import type { DataSource } from 'typeorm';
import { createServiceDataSource, prepareServiceDatabase } from '@ecert/database';
import { InboxRecord, OutboxMessage } from '@ecert/messaging';
import { CERT_ENTITIES, CERT_MIGRATIONS } from '../cert-service.module';

/**
 * For medium specs: the cert schema with all its migrations in this run's database, and one issuing
 * CA row (`caId`, a placeholder certificate) for certificate rows to point at. `poolSize`: one
 * connection per concurrent writer, so their statements really run at the same time; waiting for a
 * lock is what such a spec does, so a busy machine must not turn a long wait into a lock timeout.
 */
export async function certSchemaForTests(url: string, poolSize: number, ca: { caId: string; family: 'sm2' | 'ecdsa'; keyAlgorithm: string }): Promise<DataSource> {
  const ds = createServiceDataSource({ url, schema: 'cert', entities: [OutboxMessage, InboxRecord, ...CERT_ENTITIES], migrations: CERT_MIGRATIONS, limits: { poolSize, lockTimeoutMs: 20_000 } });
  await prepareServiceDatabase(ds, 'cert');
  await ds.query(
    `INSERT INTO cert.ca (id, family, role, key_id, key_store, key_algorithm, certificate, subject, serial, not_before, not_after)
     VALUES ($1, $2, 'issuing', 'k', 'soft', $3, '\\x00', 'CN=x', '01', now(), now() + interval '1 day')`,
    [ca.caId, ca.family, ca.keyAlgorithm],
  );
  return ds;
}
