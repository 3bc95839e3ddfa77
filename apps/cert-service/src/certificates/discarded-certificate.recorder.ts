import { createHash } from 'node:crypto';
import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { ProblemError, requestContext, WritesUnderWay } from '@ecert/common';
import { DATA_SOURCE, LOGGER } from '@ecert/messaging';
import { certificateFields, signedDigest, type SignedDigest } from '@ecert/pki';
import type { IssuedCertificate } from './end-entity-issuer.service';

/** A concurrent attempt with the same idempotency key committed first: its certificate is the answer. */
export const RETRY_ANSWERED = 'retry_answered';
/** Anything that is not one of the API's refusals (a database failure, a lost connection…). */
export const FAILED = 'failed';

const MAX_DETAIL = 500;

/** What was being done, for whom: the command and the subscriber's region (the list is scoped by it). */
export interface DiscardCommand {
  name: 'issue' | 'renew';
  regionCode: string;
}

export interface DiscardReason {
  reason: string;
  detail: string | null;
}

/**
 * Why a signed certificate was not kept: the problem code the client was answered with, or
 * `failed` with the error's message.
 */
export function discardReasonOf(e: unknown): DiscardReason {
  if (e instanceof ProblemError) return { reason: String(e.code), detail: e.detail?.slice(0, MAX_DETAIL) ?? null };
  const message = e instanceof Error ? e.message : String(e);
  return { reason: FAILED, detail: message.slice(0, MAX_DETAIL) };
}

/**
 * Records a certificate the CA signed that was then not stored nor returned (cert.discarded_certificate,
 * migration 1766500000001), so every signature in an HSM's log matches a row. Its own statement,
 * outside the transaction that refused it (whose rollback would take the row along). When the
 * database is what failed, the error log line is the record.
 */
@Injectable()
export class DiscardedCertificateRecorder implements BeforeApplicationShutdown {
  private readonly writes = new WritesUnderWay();

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Records it without holding the caller up: the client gets its refusal at once, not after the
   * write (which, when the database is what failed, could wait out the bus's request timeout and turn
   * the real error into a timeout). Writes under way finish before the service shuts down.
   */
  discard(issued: IssuedCertificate, command: DiscardCommand, why: DiscardReason): void {
    this.writes.track(this.record(issued, command, why));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.writes.settled();
  }

  /** The record, written when this resolves. Never throws. */
  async record(issued: IssuedCertificate, command: DiscardCommand, why: DiscardReason): Promise<void> {
    const ctx = requestContext.getStore();
    let tbs: Uint8Array;
    try {
      tbs = certificateFields(issued.der).tbs;
    } catch (e) {
      // The issuer's own output: unreadable DER is a bug, recorded as such rather than lost.
      this.logger.error({ serial: issued.serial, caId: issued.caId, err: (e as Error).message }, 'a discarded certificate could not be read');
      tbs = new Uint8Array(0);
    }
    const digest = this.digestOf(issued, tbs);
    const row = {
      serial: issued.serial,
      caId: issued.caId,
      command: command.name,
      regionCode: command.regionCode,
      reason: why.reason,
      detail: why.detail,
      tbsSha256: createHash('sha256').update(tbs).digest('hex'),
      certificateSha256: createHash('sha256').update(issued.der).digest('hex'),
      signedDigest: digest ? Buffer.from(digest.digest).toString('hex') : null,
      signedDigestAlgorithm: digest?.algorithm ?? null,
      requestId: ctx?.requestId ?? null,
      clientId: ctx?.clientId ?? null,
      actor: ctx?.actor ?? null,
      signedAt: issued.signedAt,
    };
    let inserted: unknown[];
    try {
      // Not when the certificate is stored after all: an error raised after the commit (or a
      // COMMIT whose answer was lost) leaves it issued, and then it is not discarded.
      inserted = await this.ds.query(
        `INSERT INTO "cert"."discarded_certificate"
           (serial, ca_id, command, reason, detail, tbs_der, tbs_sha256, certificate_sha256, request_id, client_id, actor, signed_at, region_code, signed_digest, signed_digest_algorithm)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15
         WHERE NOT EXISTS (SELECT 1 FROM "cert"."certificate" WHERE serial = $1)
         ON CONFLICT (serial) DO NOTHING
         RETURNING serial`,
        [row.serial, row.caId, row.command, row.reason, row.detail, Buffer.from(tbs), row.tbsSha256, row.certificateSha256, row.requestId, row.clientId, row.actor, row.signedAt, row.regionCode, row.signedDigest, row.signedDigestAlgorithm],
      );
    } catch (e) {
      // The message only: the driver's error carries the statement's parameters, the TBS (a name, a
      // resident ID in clear mode) among them.
      this.logger.error({ discardedCertificate: row, err: (e as Error).message }, 'signed certificate discarded, and it could not be recorded in the database: this log line is its record');
      return;
    }
    if (inserted.length) this.logger.warn({ discardedCertificate: row }, 'signed certificate discarded: not stored, not returned');
    else this.logger.warn({ serial: row.serial, caId: row.caId, reason: row.reason }, 'a certificate whose request failed is stored after all: not recorded as discarded');
  }

  /** What the CA key signed (SM2: Z from the key that signed this one). Undefined when it cannot be told. */
  private digestOf(issued: IssuedCertificate, tbs: Uint8Array): SignedDigest | undefined {
    try {
      return signedDigest(tbs, issued.issuerSpki);
    } catch (e) {
      this.logger.warn({ serial: issued.serial, caId: issued.caId, err: (e as Error).message }, 'the digest a discarded certificate was signed over could not be computed');
      return undefined;
    }
  }
}
