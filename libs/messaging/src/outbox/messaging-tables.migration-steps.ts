import type { QueryRunner } from 'typeorm';

/**
 * DDL of the outbox and inbox tables, called from each service's own migration so every schema
 * gets identical tables without sharing one migration class across services.
 */
export async function createMessagingTables(q: QueryRunner, schema: string): Promise<void> {
  await q.query(`
    CREATE TABLE "${schema}"."outbox" (
      "id" uuid PRIMARY KEY,
      "seq" bigserial NOT NULL,
      "subject" text NOT NULL,
      "type" text NOT NULL,
      "aggregate_id" text NOT NULL,
      "payload" jsonb NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "published_at" timestamptz,
      "attempts" int NOT NULL DEFAULT 0,
      "last_error" text
    )`);
  await q.query(`CREATE INDEX "outbox_unpublished_idx" ON "${schema}"."outbox" ("seq") WHERE "published_at" IS NULL`);
  await q.query(`
    CREATE TABLE "${schema}"."inbox" (
      "consumer" text NOT NULL,
      "event_id" uuid NOT NULL,
      "type" text NOT NULL,
      "aggregate_id" text NOT NULL,
      "payload" jsonb NOT NULL,
      "processed_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("consumer", "event_id")
    )`);
}

export async function dropMessagingTables(q: QueryRunner, schema: string): Promise<void> {
  await q.query(`DROP TABLE IF EXISTS "${schema}"."inbox"`);
  await q.query(`DROP TABLE IF EXISTS "${schema}"."outbox"`);
}
