import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from '@ecert/database';

/**
 * Complete CRLs of a million entries (issue 13):
 * - a partial covering index of exactly what a complete CRL reads, so its cursor is an index-only
 *   scan of the revoked/frozen/invalid rows of one CA instead of a heap visit per row (a
 *   certificate row carries its DER: ~1–2 KB a row, gigabytes per million);
 * - the CRL's DER compressed with lz4 rather than pglz where the server has it: storing a 47 MB
 *   CRL took 2–3 s with pglz, ~1 s with lz4, for nearly the same size (23 vs 25 MB).
 * The index is built concurrently (outside a transaction): see createIndexConcurrently.
 */
export class CrlReadPath1766200000100 implements MigrationInterface {
  name = 'CrlReadPath1766200000100';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    await createIndexConcurrently(q, 'cert', 'certificate_crl_entries_idx', `"cert"."certificate" ("ca_id", "not_after")
      INCLUDE ("status", "serial", "revoked_at", "frozen_at", "revocation_reason") WHERE "status" IN ('revoked','frozen','invalid')`);
    const [{ lz4 }] = await q.query(`SELECT coalesce('lz4' = ANY(enumvals), false) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`);
    if (lz4) await q.query(`ALTER TABLE "cert"."crl" ALTER COLUMN "der" SET COMPRESSION lz4`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cert"."crl" ALTER COLUMN "der" SET COMPRESSION default`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "cert"."certificate_crl_entries_idx"`);
  }
}
