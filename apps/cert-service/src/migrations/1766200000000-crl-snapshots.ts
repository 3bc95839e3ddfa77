import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CRLs without a lock against status changes (issues 12 and 13): each status change is stamped
 * with the id of the transaction that made it (a trigger, so no writer can forget it), and each CRL
 * stores the snapshot it was read in. A delta then lists exactly the changes its base's snapshot
 * did not see — whenever they were stamped and committed — so freezes and invalidation chunks no
 * longer take a lock that a CRL build has to wait for, or that waits for a CRL build.
 */
export class CrlSnapshots1766200000000 implements MigrationInterface {
  name = 'CrlSnapshots1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cert"."certificate" ADD COLUMN "status_xid" xid8`);
    await q.query(`CREATE FUNCTION "cert"."stamp_status_xid"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.status_xid := pg_current_xact_id();
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER "certificate_status_xid_upd" BEFORE UPDATE ON "cert"."certificate"
      FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION "cert"."stamp_status_xid"()`);
    // A certificate written straight into a listed status (an import) is a change too.
    await q.query(`CREATE TRIGGER "certificate_status_xid_ins" BEFORE INSERT ON "cert"."certificate"
      FOR EACH ROW WHEN (NEW.status <> 'active') EXECUTE FUNCTION "cert"."stamp_status_xid"()`);
    // Its index is built by the next migration, concurrently: not under this one's table lock.
    // Revocations of CA-held certificates (rare): the same stamp, as a default.
    await q.query(`ALTER TABLE "cert"."ca_revocation" ADD COLUMN "created_xid" xid8 NOT NULL DEFAULT pg_current_xact_id()`);
    await q.query(`ALTER TABLE "cert"."crl" ADD COLUMN "snapshot" pg_snapshot`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cert"."crl" DROP COLUMN IF EXISTS "snapshot"`);
    await q.query(`ALTER TABLE "cert"."ca_revocation" DROP COLUMN IF EXISTS "created_xid"`);
    await q.query(`DROP TRIGGER IF EXISTS "certificate_status_xid_ins" ON "cert"."certificate"`);
    await q.query(`DROP TRIGGER IF EXISTS "certificate_status_xid_upd" ON "cert"."certificate"`);
    await q.query(`DROP FUNCTION IF EXISTS "cert"."stamp_status_xid"()`);
    await q.query(`ALTER TABLE "cert"."certificate" DROP COLUMN IF EXISTS "status_xid"`);
  }
}
