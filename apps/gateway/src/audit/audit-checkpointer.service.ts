import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { auditMac, signAuditCheckpoint, type AuditKeys, type EcertConfig, type SignedAuditCheckpoint } from '@ecert/common';
import { GATEWAY_CONFIG, GATEWAY_DATA_SOURCE, GATEWAY_LOGGER } from '../gateway.tokens';
import { AUDIT_KEYS } from './audit-keys.provider';
import { readAuditHead } from './audit-chain-reader';
import { auditChainName, writeAuditCheckpointFile } from './audit-checkpoint-files';

const CHECKPOINT_LOCK = 'ecert-audit-checkpoint';

/**
 * Signs the chain head (seq, hash, time) every ECERT_AUDIT_CHECKPOINT_INTERVAL_SECONDS when it
 * has moved, and at shutdown. Each checkpoint is written as a file to ECERT_AUDIT_CHECKPOINT_DIR
 * first (the copy a second party keeps), then to `audit_checkpoint`, which the API serves to
 * auditors. A cut tail is detectable back to the newest checkpoint someone kept.
 */
@Injectable()
export class AuditCheckpointer {
  private timer?: NodeJS.Timeout;
  private running?: Promise<SignedAuditCheckpoint | undefined>;
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
      const [{ last }] = await m.query('SELECT coalesce(max(seq), 0)::bigint AS last FROM "gateway"."audit_checkpoint"');
      if (Number(last) >= head.seq) return undefined;
      // Never vouch for a head that was tampered with: its MAC must verify before it is signed.
      const { hash, alg, ...body } = head;
      if (alg !== 'hmac-sha256' || auditMac(this.keys.macKey, body) !== hash) {
        this.logger.error({ seq: head.seq, alg }, 'SECURITY: the audit chain head does not verify; not checkpointing it (run npm run audit:verify)');
        return undefined;
      }
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
      await m.query(
        `INSERT INTO "gateway"."audit_checkpoint" (seq, hash, at, checkpoint, algorithm, signature) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (seq) DO NOTHING`,
        [signed.checkpoint.seq, hash, signed.checkpoint.at, JSON.stringify(signed.checkpoint), signed.algorithm, signed.signature],
      );
      this.logger.debug({ seq: head.seq }, 'audit chain checkpointed');
      return signed;
    });
  }
}

/** Checkpoints as stored in the database, in the form verifyAuditChain takes. */
export async function readStoredCheckpoints(ds: Pick<DataSource, 'query'>, after = 0, limit = 100_000): Promise<SignedAuditCheckpoint[]> {
  const rows: { checkpoint: SignedAuditCheckpoint['checkpoint']; algorithm: SignedAuditCheckpoint['algorithm']; signature: string }[] = await ds.query(
    'SELECT checkpoint, algorithm, signature FROM "gateway"."audit_checkpoint" WHERE seq > $1 ORDER BY seq LIMIT $2',
    [after, limit],
  );
  return rows.map((r) => ({ checkpoint: r.checkpoint, algorithm: r.algorithm, signature: r.signature }));
}
