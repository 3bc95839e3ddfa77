import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { auditMac, signAuditCheckpoint, verifyAuditCheckpoint, type AuditCheckpoint, type AuditKeys, type EcertConfig, type SignedAuditCheckpoint } from '@ecert/common';
import { GATEWAY_CONFIG, GATEWAY_DATA_SOURCE, GATEWAY_LOGGER } from '../gateway.tokens';
import { AUDIT_KEYS } from './audit-keys.provider';
import { readAuditHead } from './audit-chain-reader';
import { auditChainName, writeAuditCheckpointFile } from './audit-checkpoint-files';

const CHECKPOINT_LOCK = 'ecert-audit-checkpoint';
/** Stored checkpoints read per query, and at most per run, looking for the newest one that verifies. */
const SCAN_PAGE = 100;
const SCAN_LIMIT = 1000;

type StoredCheckpointRow = { seq: string; checkpoint: AuditCheckpoint; algorithm: SignedAuditCheckpoint['algorithm']; signature: string };

/**
 * Signs the chain head (seq, hash, time) every ECERT_AUDIT_CHECKPOINT_INTERVAL_SECONDS when it
 * has moved, and at shutdown. Each checkpoint is written as a file to ECERT_AUDIT_CHECKPOINT_DIR
 * first (the copy a second party keeps), then to `audit_checkpoint`, which the API serves to
 * auditors. A cut tail is detectable back to the newest checkpoint someone kept.
 *
 * The table is writable by whoever attacks the database, so only rows that verify (signed by the
 * checkpoint key, for this chain and MAC key, under their own seq) count: a junk row cannot stop
 * checkpointing, and a chain head below the newest genuine checkpoint (a cut tail) or a record no
 * longer matching it (a rewrite) is logged as a SECURITY error while checkpointing goes on.
 */
@Injectable()
export class AuditCheckpointer {
  private timer?: NodeJS.Timeout;
  private running?: Promise<SignedAuditCheckpoint | undefined>;
  /** The head this process signed last, so a head that cannot be stored in the table is not re-signed every round. */
  private lastSigned?: { seq: number; hash: string };
  private boundaryChecked = false;
  readonly chain: string;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    @Inject(GATEWAY_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
    @Inject(AUDIT_KEYS) private readonly keys: AuditKeys,
  ) {
    this.chain = auditChainName(config.DATABASE_URL);
  }

  start(): void {
    this.timer = setInterval(() => void this.checkpoint().catch(() => undefined), this.config.ECERT_AUDIT_CHECKPOINT_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Checkpoints the head now if it moved since the last checkpoint; one run at a time. */
  checkpoint(): Promise<SignedAuditCheckpoint | undefined> {
    this.running ??= this.run()
      .catch((e) => {
        this.logger.error({ err: (e as Error).message }, 'audit checkpoint failed');
        throw e;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private run(): Promise<SignedAuditCheckpoint | undefined> {
    return this.ds.transaction(async (m) => {
      // Several gateway instances: one checkpoints, the others skip this round.
      const [{ locked }] = await m.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [CHECKPOINT_LOCK]);
      if (!locked) return undefined;
      const head = await readAuditHead(m);
      if (!head) return undefined;
      // Never vouch for a head that was tampered with: its MAC must verify before it is signed.
      const { hash, alg, ...body } = head;
      if (alg !== 'hmac-sha256' || auditMac(this.keys.macKey, body) !== hash) {
        this.logger.error({ seq: head.seq, alg }, 'SECURITY: the audit chain head does not verify; not checkpointing it (run npm run audit:verify)');
        return undefined;
      }
      await this.checkLegacyBoundary(m);
      const last = await this.newestVerifiedCheckpoint(m);
      if (last && last.seq > head.seq) {
        this.logger.error(
          { head: head.seq, checkpoint: last.seq, signedAt: last.at },
          `SECURITY: the audit chain ends at record ${head.seq} but a signed checkpoint names record ${last.seq}: records were cut off (run npm run audit:verify)`,
        );
      } else if (last && (last.seq === head.seq ? hash : await recordHash(m, last.seq)) !== last.hash) {
        this.logger.error(
          { seq: last.seq, signedAt: last.at },
          `SECURITY: audit record ${last.seq} no longer has the hash its signed checkpoint gives: the chain was rewritten (run npm run audit:verify)`,
        );
      }
      const stored = last?.seq === head.seq ? { checkpoint: last, verified: true } : await this.storedAt(m, head.seq);
      if (stored?.verified && stored.checkpoint.hash === hash) return undefined;
      if (this.lastSigned?.seq === head.seq && this.lastSigned.hash === hash) return undefined;
      const signed = signAuditCheckpoint(
        { v: 1, chain: this.chain, seq: head.seq, hash, at: new Date().toISOString(), macKeyId: this.keys.macKeyId, keyId: this.keys.publicKeyId },
        this.keys.signingKey,
      );
      try {
        await writeAuditCheckpointFile(this.config.ECERT_AUDIT_CHECKPOINT_DIR, signed);
      } catch (e) {
        // The database copy below is still served to auditors; the file store needs fixing.
        this.logger.error({ err: (e as Error).message, dir: this.config.ECERT_AUDIT_CHECKPOINT_DIR }, 'audit checkpoint file could not be written');
      }
      const values = [signed.checkpoint.seq, hash, signed.checkpoint.at, JSON.stringify(signed.checkpoint), signed.algorithm, signed.signature];
      if (!stored) {
        await m.query(`INSERT INTO "gateway"."audit_checkpoint" (seq, hash, at, checkpoint, algorithm, signature) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (seq) DO NOTHING`, values);
      } else if (!stored.verified) {
        // A row that is no checkpoint of ours sits at this seq: the genuine one takes its place.
        this.logger.error({ seq: head.seq }, 'SECURITY: an audit checkpoint row that does not verify was replaced by the signed checkpoint of the head');
        await m.query(`UPDATE "gateway"."audit_checkpoint" SET hash = $2, at = $3, checkpoint = $4, algorithm = $5, signature = $6, created_at = now() WHERE seq = $1`, values);
      }
      // else a genuine checkpoint of another record at this seq stays as evidence; the new one is in the file store.
      this.lastSigned = { seq: head.seq, hash };
      this.logger.debug({ seq: head.seq }, 'audit chain checkpointed');
      return signed;
    });
  }

  /** Whether a stored row is a checkpoint of this chain, under this MAC key, signed by the checkpoint key, stored under its own seq. */
  private verifies(row: StoredCheckpointRow): boolean {
    const cp = row.checkpoint;
    return (
      !!cp &&
      typeof cp === 'object' &&
      Number(row.seq) === cp.seq &&
      cp.chain === this.chain &&
      cp.macKeyId === this.keys.macKeyId &&
      verifyAuditCheckpoint({ checkpoint: cp, algorithm: row.algorithm, signature: row.signature }, this.keys.publicKey)
    );
  }

  /** The newest stored checkpoint that verifies; rows above it that do not are logged and ignored. */
  private async newestVerifiedCheckpoint(m: EntityManager): Promise<AuditCheckpoint | undefined> {
    const junk: number[] = [];
    let below: string | null = null;
    let found: AuditCheckpoint | undefined;
    while (!found && junk.length < SCAN_LIMIT) {
      const rows: StoredCheckpointRow[] = await m.query(
        'SELECT seq, checkpoint, algorithm, signature FROM "gateway"."audit_checkpoint" WHERE $1::bigint IS NULL OR seq < $1::bigint ORDER BY seq DESC LIMIT $2',
        [below, SCAN_PAGE],
      );
      for (const row of rows) {
        if (this.verifies(row)) {
          found = row.checkpoint;
          break;
        }
        junk.push(Number(row.seq));
      }
      if (rows.length < SCAN_PAGE) break;
      below = rows[rows.length - 1].seq;
    }
    if (junk.length) {
      this.logger.error(
        { count: junk.length, seqs: junk.slice(0, 10), lastVerified: found?.seq ?? null },
        `SECURITY: ${junk.length} rows of gateway.audit_checkpoint${found ? ` above the checkpoint of record ${found.seq}` : ''} are not signed checkpoints of this chain; ignored (run npm run audit:verify)`,
      );
    }
    return found;
  }

  private async storedAt(m: EntityManager, seq: number): Promise<{ checkpoint: AuditCheckpoint; verified: boolean } | undefined> {
    const rows: StoredCheckpointRow[] = await m.query('SELECT seq, checkpoint, algorithm, signature FROM "gateway"."audit_checkpoint" WHERE seq = $1', [seq]);
    return rows.length ? { checkpoint: rows[0].checkpoint, verified: this.verifies(rows[0]) } : undefined;
  }

  /**
   * Once per process: the record after ECERT_AUDIT_LEGACY_UNTIL must be keyed, else audit:verify
   * will call the chain downgraded; most likely the setting was not made when upgrading.
   */
  private async checkLegacyBoundary(m: EntityManager): Promise<void> {
    if (this.boundaryChecked) return;
    const until = this.config.ECERT_AUDIT_LEGACY_UNTIL;
    const rows: { alg: string }[] = await m.query('SELECT alg FROM "gateway"."audit_log" WHERE seq = $1', [until + 1]);
    if (rows[0]?.alg === 'sha256') {
      this.logger.error(
        { seq: until + 1, ECERT_AUDIT_LEGACY_UNTIL: until },
        `SECURITY: audit record ${until + 1} is unkeyed but ECERT_AUDIT_LEGACY_UNTIL is ${until}: set it to the last record written before the chain was keyed (docs/decisions.md, the audit trail), or the chain was downgraded (run npm run audit:verify)`,
      );
    }
    this.boundaryChecked = true;
  }
}

async function recordHash(m: EntityManager, seq: number): Promise<string | undefined> {
  const rows: { hash: string }[] = await m.query('SELECT hash FROM "gateway"."audit_log" WHERE seq = $1', [seq]);
  return rows[0]?.hash;
}

/** Checkpoints as stored in the database, in the form verifyAuditChain takes. */
export async function readStoredCheckpoints(ds: Pick<DataSource, 'query'>, after = 0, limit = 100_000): Promise<SignedAuditCheckpoint[]> {
  const rows: { checkpoint: SignedAuditCheckpoint['checkpoint']; algorithm: SignedAuditCheckpoint['algorithm']; signature: string }[] = await ds.query(
    'SELECT checkpoint, algorithm, signature FROM "gateway"."audit_checkpoint" WHERE seq > $1 ORDER BY seq LIMIT $2',
    [after, limit],
  );
  return rows.map((r) => ({ checkpoint: r.checkpoint, algorithm: r.algorithm, signature: r.signature }));
}
