import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { canonicalJson, ProblemCode, ProblemError, requestContext, type RequestContext } from '@ecert/common';
import { IDEMPOTENCY_KEY_PATTERN, type IdempotentCommand } from '@ecert/contracts';

/** One command with an idempotency key, as its receipt records it. */
export interface CommandClaim<C extends string = string> {
  caller: string;
  key: string;
  command: C;
  /** SHA-256 of the canonical JSON of the command without its key. */
  requestHash: string;
}

/** Something that runs SQL: a DataSource for a look outside a transaction, an EntityManager inside one. */
interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

/**
 * Command receipts of one service (`<schema>.command_receipt`): a command given an idempotency
 * key is carried out once per (caller, key), and a retry gets the id of what the first run made or
 * changed, from which the service answers with its current view. The receipt is written in the
 * transaction of the change, so there is one exactly when the change committed; a command that
 * failed leaves none and may be retried. Receipts are kept at least 30 days (longer than any
 * caller retries; a purge, when there is one, goes by created_at).
 */
export class CommandReceipts<C extends string = string> {
  /** `table` is the schema-qualified receipt table, `resultColumn` its column naming the outcome (serial, seal_id). */
  constructor(
    private readonly table: string,
    private readonly resultColumn: string,
  ) {}

  /**
   * The claim of a command, or undefined when it has no key; a malformed key is a 400 before
   * anything is done. The caller comes from the admitted request context.
   */
  claimOf(command: C, body: IdempotentCommand | undefined, ctx: RequestContext | undefined = requestContext.getStore()): CommandClaim<C> | undefined {
    const key = body?.idempotencyKey;
    if (key === undefined || key === null) return undefined;
    if (typeof key !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
      throw ProblemError.badRequest(ProblemCode.validationFailed, 'idempotencyKey', 'idempotencyKey must be 8-128 letters, digits or . _ : -');
    }
    const { idempotencyKey: _key, ...rest } = body as IdempotentCommand & Record<string, unknown>;
    return { caller: receiptCaller(ctx), key, command, requestHash: createHash('sha256').update(canonicalJson(rest)).digest('hex') };
  }

  /**
   * What an earlier run of this claim resulted in, or undefined if there was none (that committed).
   * The same key with another command or body is a 422. Without a lock: the look a service takes
   * before expensive work (signing), to be repeated with `lockAndFind` in the transaction.
   */
  async find(q: Queryable, claim: CommandClaim<C>): Promise<string | undefined> {
    const rows: { command: string; request_hash: string; result: string }[] = await q.query(
      `SELECT command, request_hash, "${this.resultColumn}" AS result FROM ${this.table} WHERE caller = $1 AND idempotency_key = $2`,
      [claim.caller, claim.key],
    );
    const prior = rows[0];
    if (!prior) return undefined;
    if (prior.command !== claim.command || prior.request_hash !== claim.requestHash) {
      throw new ProblemError(
        422,
        ProblemCode.idempotencyKeyReused,
        '幂等键已用于其他请求 (idempotency key reused)',
        `This idempotencyKey was used for ${prior.command === claim.command ? 'a different request' : `another command (${prior.command})`}`,
        'idempotencyKey',
      );
    }
    return prior.result;
  }

  /**
   * `find` inside the transaction that will make the change, after taking a lock on (caller, key)
   * held until it ends: of concurrent requests with one key, one does the work and the others,
   * queued here, then find its receipt.
   */
  async lockAndFind(m: EntityManager, claim: CommandClaim<C>): Promise<string | undefined> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${this.table}:${claim.caller}:${claim.key}`]);
    return this.find(m, claim);
  }

  /** Writes the receipt in the transaction of the change (after `lockAndFind` found none). */
  async record(m: EntityManager, claim: CommandClaim<C>, result: string): Promise<void> {
    try {
      await m.query(
        `INSERT INTO ${this.table} (caller, idempotency_key, command, request_hash, "${this.resultColumn}") VALUES ($1, $2, $3, $4, $5)`,
        [claim.caller, claim.key, claim.command, claim.requestHash, result],
      );
    } catch (e) {
      // Only if someone wrote a receipt without the lock: the change is undone, the retry will find it.
      const err = e as { code?: string; driverError?: { code?: string } };
      if ((err.driverError?.code ?? err.code) === '23505') {
        throw ProblemError.conflict(ProblemCode.concurrentModification, 'A request with this idempotencyKey is being processed; retry it');
      }
      throw e;
    }
  }
}

/**
 * Whose key space a key is in. The gateway relays many callers, so its keys are per acting client
 * (or staff member); a service's keys are its own, whatever gateway request it happens to act in:
 * a saga step retried from a timer must meet the receipt of the attempt made inside a request.
 */
function receiptCaller(ctx: RequestContext | undefined): string {
  const principal = ctx?.caller ?? 'in-process';
  if (principal !== 'gateway') return principal;
  if (ctx?.clientId) return `gateway:${ctx.clientId}`;
  return ctx?.actor ? `gateway:staff:${ctx.actor}` : 'gateway';
}
