import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { CONFIG, DATA_SOURCE, LOGGER } from '@ecert/messaging';
import { buildCrl, issuerFromCertificate, type CrlEntry, type ReasonCode } from '@ecert/pki';
import { CaRegistry } from '../ca/ca-registry.service';
import { pkiLinks } from '../ca/ca-naming';
import { crlLockKey } from '../certificates/certificate-transition.runner';
import { CrlEntity } from './crl.entity';

interface EntryRow {
  serial: string;
  status: 'active' | 'frozen' | 'revoked' | 'invalid';
  revoked_at: Date | null;
  revocation_reason: string | null;
  frozen_at: Date | null;
}

export interface GeneratedCrl {
  caId: string;
  number: bigint;
  delta: boolean;
  entryCount: number;
  der: Uint8Array;
  nextUpdate: Date;
}

/**
 * Builds complete and delta CRLs from the certificate table in one consistent snapshot.
 *
 * Delta semantics (RFC 5280 5.2.4): a delta names its base, the newest complete CRL, and lists
 * every certificate whose status changed after that base was built, as it is now; a hold that the
 * base (or any later complete CRL) listed and that has since been lifted is listed as
 * removeFromCRL. A hold placed and lifted with no complete CRL in between simply does not appear.
 */
@Injectable()
export class CrlGenerator {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: EcertConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: CaRegistry,
  ) {}

  async generate(caId: string, delta: boolean): Promise<GeneratedCrl> {
    const ca = this.registry.get(caId);
    const signer = await this.registry.signer(caId);
    const issuer = issuerFromCertificate(new Uint8Array(ca.certificate));
    const links = pkiLinks(this.config.ECERT_PUBLIC_URL);
    const started = Date.now();
    // The snapshot under the lock, the building and signing after it: the lock is held for the
    // SELECT only, so status changes (a freeze, a chunk of invalidations) wait for the read of the
    // entries, never for encoding and signing a CRL of a million of them. The number is taken
    // under the lock too; a CRL that then fails to sign leaves a gap, which CRL numbers allow.
    const snapshot = await this.ds.transaction('READ COMMITTED', async (m) => {
      // Exclusive against in-flight status changes (they hold it shared): every change is either
      // fully visible to this CRL or stamped after its thisUpdate.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [crlLockKey(caId)]);
      const [{ t }] = await m.query('SELECT clock_timestamp() AS t');
      const now: Date = t;
      const [{ number }] = await m.query(
        // Wrapped in a CTE: TypeORM returns [rows, count] for a bare UPDATE.
        'WITH u AS (UPDATE "cert"."ca" SET next_crl_number = next_crl_number + 1 WHERE id = $1 RETURNING next_crl_number - 1 AS number) SELECT number FROM u',
        [caId],
      );
      const crlNumber = BigInt(number);
      let entries: CrlEntry[];
      let deltaOf: bigint | undefined;
      if (delta) {
        const base = await this.latestFull(m, caId);
        if (!base) throw new Error(`no complete CRL for ${caId} yet; a delta needs a base`);
        deltaOf = BigInt(base.number);
        entries = await this.deltaEntries(m, caId, base, now);
      } else {
        entries = await this.fullEntries(m, caId, now);
        await m.query(
          `UPDATE "cert"."certificate" SET hold_listed_in_crl = $2 WHERE ca_id = $1 AND status = 'frozen' AND not_after > $3`,
          [caId, crlNumber.toString(), now],
        );
      }
      return { now, crlNumber, entries, deltaOf };
    });
    const { now, crlNumber, entries, deltaOf } = snapshot;
    const validityMs = delta ? this.config.DELTA_CRL_VALIDITY_MINUTES * 60_000 : this.config.CRL_VALIDITY_HOURS * 3_600_000;
    const thisUpdate = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const nextUpdate = new Date(thisUpdate.getTime() + validityMs);
    const der = await buildCrl({
      issuerName: issuer.name as Uint8Array,
      issuerSpki: issuer.spki,
      signer,
      crlNumber,
      thisUpdate,
      nextUpdate,
      entries,
      deltaOf,
      freshestCrlUrl: delta || ca.role === 'root' ? undefined : links.deltaCrlUrl(caId),
    });
    await this.ds.getRepository(CrlEntity).insert({
      caId,
      number: crlNumber.toString(),
      deltaBase: deltaOf?.toString() ?? null,
      thisUpdate: now,
      nextUpdate,
      entryCount: entries.length,
      der: Buffer.from(der),
    });
    const result: GeneratedCrl = { caId, number: crlNumber, delta, entryCount: entries.length, der, nextUpdate };
    this.logger.info({ caId, crlNumber: result.number.toString(), delta, entries: result.entryCount, ms: Date.now() - started }, 'CRL generated');
    return result;
  }

  async latest(caId: string, delta: boolean): Promise<CrlEntity | null> {
    return this.ds.getRepository(CrlEntity).createQueryBuilder('c')
      .where('c.ca_id = :caId', { caId })
      .andWhere(delta ? 'c.delta_base IS NOT NULL' : 'c.delta_base IS NULL')
      .orderBy('c.number', 'DESC')
      .limit(1)
      .getOne();
  }

  private async latestFull(m: EntityManager, caId: string): Promise<{ number: string; this_update: Date } | undefined> {
    const rows = await m.query(
      'SELECT number, this_update FROM "cert"."crl" WHERE ca_id = $1 AND delta_base IS NULL ORDER BY number DESC LIMIT 1',
      [caId],
    );
    return rows[0];
  }

  private async fullEntries(m: EntityManager, caId: string, now: Date): Promise<CrlEntry[]> {
    const rows: EntryRow[] = await m.query(
      `SELECT serial, status, revoked_at, revocation_reason, frozen_at FROM "cert"."certificate"
        WHERE ca_id = $1 AND status IN ('revoked','frozen','invalid') AND not_after > $2`,
      [caId, now],
    );
    return [...rows.map(toEntry), ...(await this.caEntries(m, caId, now))];
  }

  /** CA-held certificates this CA issued and revoked (issuing CA on the root's CRL; OCSP signer, seal maker). */
  private async caEntries(m: EntityManager, caId: string, now: Date, changedAfter?: Date): Promise<CrlEntry[]> {
    const rows: { serial: string; revoked_at: Date; reason: string }[] = await m.query(
      `SELECT serial, revoked_at, reason FROM "cert"."ca_revocation"
        WHERE issuer_ca_id = $1 AND not_after > $2 AND ($3::timestamptz IS NULL OR revoked_at > $3)`,
      [caId, now, changedAfter ?? null],
    );
    return rows.map((r) => ({ serial: r.serial, revokedAt: r.revoked_at, reason: r.reason as ReasonCode }));
  }

  private async deltaEntries(m: EntityManager, caId: string, base: { number: string; this_update: Date }, now: Date): Promise<CrlEntry[]> {
    const rows: EntryRow[] = await m.query(
      `SELECT serial, status, revoked_at, revocation_reason, frozen_at FROM "cert"."certificate"
        WHERE ca_id = $1 AND not_after > $3 AND (
          (status IN ('revoked','frozen','invalid') AND status_changed_at > $2)
          OR (status = 'active' AND hold_listed_in_crl >= $4))`,
      [caId, base.this_update, now, base.number],
    );
    const entries = rows.map((r) => (r.status === 'active' ? { serial: r.serial, revokedAt: r.frozen_at ?? now, reason: 'removeFromCRL' as ReasonCode } : toEntry(r)));
    return [...entries, ...(await this.caEntries(m, caId, now, base.this_update))];
  }
}

function toEntry(r: EntryRow): CrlEntry {
  if (r.status === 'frozen') return { serial: r.serial, revokedAt: r.frozen_at!, reason: 'certificateHold' };
  return { serial: r.serial, revokedAt: r.revoked_at!, reason: (r.revocation_reason ?? 'unspecified') as ReasonCode };
}
