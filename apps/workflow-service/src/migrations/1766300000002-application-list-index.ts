import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from '@ecert/database';

/**
 * The application list's order (created_at DESC, id): its keyset pages (`after`) and first pages
 * read an index range instead of sorting the table. Built concurrently (writes go on meanwhile).
 */
export class ApplicationListIndex1766300000002 implements MigrationInterface {
  name = 'ApplicationListIndex1766300000002';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    await createIndexConcurrently(q, 'workflow', 'application_list_order_idx', `"workflow"."application" ("created_at" DESC, "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "workflow"."application_list_order_idx"`);
  }
}
