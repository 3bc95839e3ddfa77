import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { loadAuditKeys, requestContext, verifyAuditChain, type StoredAuditRecord } from '@ecert/common';
import { AuditTrail, AuditWriteError } from './audit-trail.service';
import { AnonymousRefusals } from './anonymous-refusals.service';
import { toStoredRecord } from './audit-chain-reader';

const keys = loadAuditKeys('unit-test audit secret');
const logger = pino({ level: 'silent' });

/** Just enough of PostgreSQL for the chain writer: the lock and the head (one message), the multi-row INSERT. */
class FakeDatabase {
  rows: Record<string, unknown>[] = [];
  transactions = 0;
  inserts: number[] = [];
  fail?: (params: unknown[]) => Error | undefined;

  async transaction<T>(cb: (m: { query: (sql: string, params?: unknown[]) => Promise<unknown> }) => Promise<T>): Promise<T> {
    this.transactions++;
    const staged: Record<string, unknown>[] = [];
    const head = () => this.rows.slice(-1).map((r) => ({ seq: String(r.seq), hash: r.hash }));
    // The transaction's own client: the lock and the head come as one multi-statement message.
    const client = {
      query: async (sql: string) => {
        await new Promise((r) => setImmediate(r));
        if (!/^SELECT pg_advisory_xact_lock\(.*\); SELECT seq, hash FROM/.test(sql)) throw new Error(`unexpected SQL ${sql}`);
        return [{ rows: [{}] }, { rows: head() }];
      },
    };
    const m = {
      queryRunner: { isTransactionActive: true, connect: async () => client },
      query: async (sql: string, params: unknown[] = []) => {
        await new Promise((r) => setImmediate(r)); // a round trip: lets other appends queue up meanwhile
        if (sql.includes('pg_advisory_xact_lock')) return [];
        if (sql.startsWith('SELECT seq, hash')) return head();
        if (sql.startsWith('INSERT')) {
          const err = this.fail?.(params);
          if (err) throw err;
          const cols = /\(([^)]*)\) VALUES/.exec(sql)![1].split(', ');
          for (let i = 0; i < params.length; i += cols.length) {
            const row = Object.fromEntries(cols.map((c, j) => [c, params[i + j]]));
            staged.push({ ...row, at: new Date(row.at as string), details: JSON.parse(row.details as string) });
          }
          this.inserts.push(params.length / cols.length);
          return [];
        }
        throw new Error(`unexpected SQL ${sql}`);
      },
    };
    const result = await cb(m);
    this.rows.push(...staged);
    return result;
  }

  async *records(): AsyncGenerator<StoredAuditRecord> {
    for (const r of this.rows) yield toStoredRecord(r);
  }
}

function trail(db: FakeDatabase): AuditTrail {
  return new AuditTrail(db as unknown as DataSource, logger, keys);
}

describe('AuditTrail', () => {
  it('writes concurrent appends in a few batches, one chain lock each, strictly in order', async () => {
    const db = new FakeDatabase();
    const t = trail(db);
    const receipts = await Promise.all(Array.from({ length: 1200 }, (_, i) => requestContext.run({ requestId: `r${i}` }, () => t.append({ action: `a${i}`, outcome: 'success', details: { i } }))));
    expect(receipts.map((r) => r.seq)).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
    // the first append goes alone, the rest wait for it and go together (500 at most per INSERT)
    expect(db.transactions).toBeLessThanOrEqual(4);
    expect(Math.max(...db.inserts)).toBe(500);
    expect(db.rows.map((r) => r.action)).toEqual(Array.from({ length: 1200 }, (_, i) => `a${i}`));
    expect(db.rows[7].request_id).toBe('r7');
    const v = await verifyAuditChain(db.records(), { chain: 'x', macKey: keys.macKey });
    expect(v.break).toBeUndefined();
    expect(v.checked).toBe(1200);
  });

  it('rejects the appends of a batch that could not be written, and carries on afterwards', async () => {
    const db = new FakeDatabase();
    const t = trail(db);
    db.fail = () => Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' });
    const failed = await Promise.allSettled([t.append({ action: 'x', outcome: 'success' }), t.append({ action: 'y', outcome: 'success' })]);
    expect(failed.every((f) => f.status === 'rejected' && f.reason instanceof AuditWriteError)).toBe(true);
    db.fail = undefined;
    expect((await t.append({ action: 'z', outcome: 'success' })).seq).toBe(1);
  });

  it('does not let one record PostgreSQL refuses sink the others in its batch', async () => {
    const db = new FakeDatabase();
    const t = trail(db);
    db.fail = (params) => (params.includes('poison') ? Object.assign(new Error('invalid input syntax'), { code: '22P02' }) : undefined);
    await t.append({ action: 'first', outcome: 'success' });
    const settled = await Promise.allSettled(['a', 'poison', 'b'].map((action) => t.append({ action, outcome: 'success' })));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(db.rows.map((r) => r.action)).toEqual(['first', 'a', 'b']);
    expect((await verifyAuditChain(db.records(), { chain: 'x', macKey: keys.macKey })).break).toBeUndefined();
  });

  it('stores what PostgreSQL can take: no NUL, masked personal data', async () => {
    const db = new FakeDatabase();
    await trail(db).append({ action: 'POST /x', target: 'a\u0000b', outcome: 'success', details: { body: { idNumber: '110101199003070011', note: 'x\u0000' } } });
    expect(db.rows[0].target).toBe('a\uFFFDb');
    expect(JSON.stringify(db.rows[0].details)).not.toContain('199003070011');
  });
});

describe('AnonymousRefusals', () => {
  it('records the first refusal of an address at once and the rest of its minute as one summary', async () => {
    const db = new FakeDatabase();
    const refusals = new AnonymousRefusals(trail(db), logger);
    const r = (address: string, reason = 'no credential') => refusals.record({ action: 'access.refused', address, target: 'GET /api/v1/certificates', reason, status: 401 });
    await Promise.all(Array.from({ length: 500 }, (_, i) => r('203.0.113.9', i % 2 ? 'no credential' : 'unknown API key')));
    expect(db.rows).toHaveLength(1);
    expect(db.rows[0].details).toMatchObject({ address: '203.0.113.9', status: 401 });
    await refusals.flush();
    expect(db.rows).toHaveLength(2);
    expect(db.rows[1].details).toMatchObject({ address: '203.0.113.9', repeated: 499, reasons: { 'no credential': 250, 'unknown API key': 249 } });
  });

  it('bounds the records per minute however many addresses call', async () => {
    const db = new FakeDatabase();
    const refusals = new AnonymousRefusals(trail(db), logger);
    await Promise.all(Array.from({ length: 3000 }, (_, i) => refusals.record({ action: 'access.refused', address: `10.0.${i >> 8}.${i & 255}`, target: null, reason: 'x', status: 401 })));
    await refusals.flush();
    // 1,000 addresses in full, then everyone else shares one bucket: its first in full, the rest summarised
    expect(db.rows).toHaveLength(1002);
    expect(db.rows.at(-1)!.details).toMatchObject({ address: '*', repeated: 1999 });
  });
});
