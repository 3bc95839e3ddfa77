import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12 §5: the operators' overview and /metrics count and list dead letters (webhook
 * deliveries and handler e-mails that used up their attempts) on every call; small partial
 * indexes keep that from scanning every delivery ever made.
 */
export class DeadLetterIndexes1766300000100 implements MigrationInterface {
  name = 'DeadLetterIndexes1766300000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS "webhook_delivery_dead_idx" ON "gateway"."webhook_delivery" ("dead_at", "seq") WHERE "status" = 'dead'`);
    await q.query(`CREATE INDEX IF NOT EXISTS "mail_delivery_dead_idx" ON "gateway"."mail_delivery" ("created_at", "id") WHERE "status" = 'dead'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "gateway"."mail_delivery_dead_idx"`);
    await q.query(`DROP INDEX IF EXISTS "gateway"."webhook_delivery_dead_idx"`);
  }
}
