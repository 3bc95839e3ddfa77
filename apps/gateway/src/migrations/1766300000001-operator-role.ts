import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 12 §5: the `operator` staff role (the operators' view: queues, metrics, overview). */
export class OperatorRole1766300000001 implements MigrationInterface {
  name = 'OperatorRole1766300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "gateway"."staff" DROP CONSTRAINT IF EXISTS "staff_role_check"`);
    await q.query(
      `ALTER TABLE "gateway"."staff" ADD CONSTRAINT "staff_role_check" CHECK ("role" IN ('county_acceptor','city_reviewer','province_approver','ca_operator','auditor','operator','admin'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "gateway"."staff" DROP CONSTRAINT IF EXISTS "staff_role_check"`);
    await q.query(
      `ALTER TABLE "gateway"."staff" ADD CONSTRAINT "staff_role_check" CHECK ("role" IN ('county_acceptor','city_reviewer','province_approver','ca_operator','auditor','admin'))`,
    );
  }
}
