import { describe, expect, it } from 'vitest';
import type { EntityManager } from 'typeorm';
import { auditMac, loadAuditKeys } from '@ecert/common';
import { writeAuditBatch, type PendingAuditRecord } from './audit-chain-writer';

const keys = loadAuditKeys('unit-test audit secret');
const record: PendingAuditRecord = { at: '2026-12-01T00:00:00.000Z', clientId: null, staffId: null, actor: 'test', action: 'a', target: null, outcome: 'success', requestId: null, details: {} };

describe('writeAuditBatch', () => {
  it('takes the chain lock and reads the head in one message on the transaction client, then chains onto that head', async () => {
    const sent: string[] = [];
    const queries: { sql: string; params: unknown[] }[] = [];
    const m = {
      queryRunner: {
        isTransactionActive: true,
        connect: async () => ({
          query: async (sql: string) => {
            sent.push(sql);
            return [{ rows: [{ pg_advisory_xact_lock: '' }] }, { rows: [{ seq: '41', hash: 'ab'.repeat(32) }] }];
          },
        }),
      },
      query: async (sql: string, params: unknown[]) => {
        queries.push({ sql, params });
        return [];
      },
    } as unknown as EntityManager;
    const [receipt] = await writeAuditBatch(m, keys.macKey, [record]);
    expect(sent).toHaveLength(1);
    // The lock first, the head second: one statement each, so the head's snapshot follows the lock.
    expect(sent[0]).toMatch(/^SELECT pg_advisory_xact_lock\(hashtext\('ecert-audit-chain'\)\); SELECT seq, hash FROM "gateway"\."audit_log" ORDER BY seq DESC LIMIT 1$/);
    expect(queries).toHaveLength(1);
    expect(receipt).toEqual({ seq: 42, hash: auditMac(keys.macKey, { ...record, seq: 42, prevHash: 'ab'.repeat(32) }) });
  });

  it('refuses to write outside a transaction, where the chain lock would end at once', async () => {
    const m = { query: async () => [] } as unknown as EntityManager;
    await expect(writeAuditBatch(m, keys.macKey, [record])).rejects.toThrow(/transaction/);
  });
});
