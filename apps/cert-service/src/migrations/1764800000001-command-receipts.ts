import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Receipts of lifecycle commands sent with an idempotency key (libs/database CommandReceipts): one
 * per caller and key, written with the change, naming the certificate it resulted in (a renewal's
 * successor), so a retry gets that certificate instead of a second issuance. Kept at least 30 days.
 */
export class CommandReceipts1764800000001 implements MigrationInterface {
  name = 'CommandReceipts1764800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "cert"."command_receipt" (
        "caller" text NOT NULL,
        "idempotency_key" text NOT NULL,
        "command" text NOT NULL CHECK ("command" IN ('issue','renew','revoke','freeze','unfreeze')),
        "request_hash" text NOT NULL,
        "serial" text NOT NULL REFERENCES "cert"."certificate"("serial"),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("caller", "idempotency_key")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "cert"."command_receipt"`);
  }
}
