import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { dataSourceUrl, withSessionLock } from '@ecert/database';
import { CONFIG, DATA_SOURCE, LOGGER } from '@ecert/messaging';
import { encodeTbsCertList, issuerFromCertificate, RevokedCertificatesEncoder, signCrl, type CrlEntry, type EncodedRevokedCertificates, type ReasonCode } from '@ecert/pki';
import { CaRegistry } from '../ca/ca-registry.service';
import { pkiLinks } from '../ca/ca-naming';
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
  /** Where the build's time went (ms), logged with it and reported by the bench. */
  phases: CrlBuildPhases;
}

export interface CrlBuildPhases {
  /** Waiting for this CA's builder turn (another builder of the same CA). */
  lockMs: number;
  /** The snapshot transaction: the CRL number and reading the rows, less `entriesMs`. */
  selectMs: number;
  /** Rows to revokedCertificates entries. */
  entriesMs: number;
  /** TBSCertList encoding. */
  tbsMs: number;
  signMs: number;
  /** INSERT of the CRL row. */
  insertMs: number;
}

/**
 * Builds complete and delta CRLs from the certificate table in one consistent snapshot.
 *
 * Delta semantics (RFC 5280 5.2.4): a delta names its base, the newest complete CRL, and lists
 * every certificate whose status changed where that base's snapshot did not see it, as it is now;
 * a hold lifted since is listed as removeFromCRL. Each status change carries the id of its
 * transaction (`status_xid`, set by a trigger), each CRL its snapshot, so no change can fall
 * between a base and its delta however long it was in flight (docs/decisions.md, "CRLs without a
 * lock").
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
    const started = performance.now();
    const phases: CrlBuildPhases = { lockMs: 0, selectMs: 0, entriesMs: 0, tbsMs: 0, signMs: 0, insertMs: 0 };
    // Builders of one CA take turns (several cert-service instances): a CRL's number then follows
    // its snapshot, and the next builder's snapshot sees this CRL as a base. Status changes take
    // no lock at all: they never wait for a CRL, and a CRL never waits for them.
    return withSessionLock(dataSourceUrl(this.ds), crlBuildLockKey(caId), async () => {
      let t = performance.now();
      phases.lockMs = t - started;
      const { now, crlNumber, revoked, deltaOf, snapshot } = await this.readSnapshot(caId, delta, phases);
      phases.selectMs = performance.now() - t - phases.entriesMs;
      const validityMs = delta ? this.config.DELTA_CRL_VALIDITY_MINUTES * 60_000 : this.config.CRL_VALIDITY_HOURS * 3_600_000;
      const thisUpdate = new Date(Math.floor(now.getTime() / 1000) * 1000);
      const nextUpdate = new Date(thisUpdate.getTime() + validityMs);
      t = performance.now();
      const tbs = encodeTbsCertList({
        issuerName: issuer.name as Uint8Array,
        issuerSpki: issuer.spki,
        signer,
        crlNumber,
        thisUpdate,
        nextUpdate,
        entries: [],
        revokedCertificates: revoked,
        deltaOf,
        freshestCrlUrl: delta || ca.role === 'root' ? undefined : links.deltaCrlUrl(caId),
      });
      phases.tbsMs = performance.now() - t;
      t = performance.now();
      const der = await signCrl(tbs, signer);
      phases.signMs = performance.now() - t;
      t = performance.now();
      await this.ds.query(
        `INSERT INTO "cert"."crl" (ca_id, number, delta_base, this_update, next_update, entry_count, der, snapshot)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::pg_snapshot)`,
        [caId, crlNumber.toString(), deltaOf?.toString() ?? null, now, nextUpdate, revoked.count, Buffer.from(der.buffer, der.byteOffset, der.length), snapshot],
      );
      phases.insertMs = performance.now() - t;
      const result: GeneratedCrl = { caId, number: crlNumber, delta, entryCount: revoked.count, der, nextUpdate, phases };
      const ms = Math.round(performance.now() - started);
      this.logger.info({ caId, crlNumber: result.number.toString(), delta, entries: result.entryCount, ms, phases: roundPhases(phases) }, 'CRL generated');
      return result;
    }, { lockTimeoutMs: BUILDER_LOCK_TIMEOUT_MS });
  }

  /**
   * The CRL's number and entries, read in one REPEATABLE READ snapshot that is stored with the CRL.
   * The first statement takes the number and fixes the snapshot; its time (taken at that
   * statement's start, before the snapshot) becomes thisUpdate, so every change committed before
   * thisUpdate is on this CRL. A change still in flight then is not, and has no lock to wait for:
   * its transaction id is not visible in this snapshot, so the next delta lists it.
   */
  private async readSnapshot(caId: string, delta: boolean, phases: CrlBuildPhases, attempt = 1): Promise<{ now: Date; crlNumber: bigint; revoked: EncodedRevokedCertificates; deltaOf?: bigint; snapshot: string }> {
    try {
      return await this.ds.transaction('REPEATABLE READ', async (m) => {
        const [{ number, snapshot, t }] = await m.query(
          // Wrapped in a CTE: TypeORM returns [rows, count] for a bare UPDATE.
          `WITH u AS (UPDATE "cert"."ca" SET next_crl_number = next_crl_number + 1 WHERE id = $1 RETURNING next_crl_number - 1 AS number)
           SELECT number, pg_current_snapshot()::text AS snapshot, statement_timestamp() AS t FROM u`,
          [caId],
        );
        const now: Date = t;
        const crlNumber = BigInt(number);
        if (!delta) return { now, crlNumber, revoked: await this.fullEntries(m, caId, now, phases), snapshot };
        const base = await this.latestFull(m, caId);
        if (!base) throw new Error(`no complete CRL for ${caId} yet; a delta needs a base`);
        return { now, crlNumber, revoked: await this.deltaEntries(m, caId, base, now, phases), deltaOf: BigInt(base.number), snapshot };
      });
    } catch (e) {
      // The CA row changed by someone other than a builder (they take turns) after the snapshot: read again.
      if ((e as { driverError?: { code?: string } }).driverError?.code === '40001' && attempt < 3) return this.readSnapshot(caId, delta, phases, attempt + 1);
      throw e;
    }
  }

  async latest(caId: string, delta: boolean): Promise<CrlEntity | null> {
    return this.ds.getRepository(CrlEntity).createQueryBuilder('c')
      .where('c.ca_id = :caId', { caId })
      .andWhere(delta ? 'c.delta_base IS NOT NULL' : 'c.delta_base IS NULL')
      .orderBy('c.number', 'DESC')
      .limit(1)
      .getOne();
  }

  private async latestFull(m: EntityManager, caId: string): Promise<Base | undefined> {
    const rows = await m.query(
      'SELECT number, this_update, snapshot::text AS snapshot FROM "cert"."crl" WHERE ca_id = $1 AND delta_base IS NULL ORDER BY number DESC LIMIT 1',
      [caId],
    );
    return rows[0];
  }

  /**
   * Every revoked, frozen or invalid certificate of the CA, encoded as it streams in: a cursor in
   * this transaction (so the same snapshot), fetched in batches as plain arrays of text — no row
   * objects, no Dates; the time comes as whole epoch seconds, the reason as its name — and each
   * row written straight into the CRL's DER. A million rows stay a few batches in memory, and each
   * FETCH is its own statement under the statement timeout.
   */
  private async fullEntries(m: EntityManager, caId: string, now: Date, phases: CrlBuildPhases): Promise<EncodedRevokedCertificates> {
    const encoder = new RevokedCertificatesEncoder({ delta: false });
    const client = (await m.queryRunner!.connect()) as pg.PoolClient;
    await client.query(
      `DECLARE crl_entries NO SCROLL CURSOR FOR
         SELECT serial,
                floor(extract(epoch FROM CASE WHEN status = 'frozen' THEN frozen_at ELSE revoked_at END))::int8::text,
                CASE WHEN status = 'frozen' THEN 'certificateHold' ELSE coalesce(revocation_reason, 'unspecified') END
           FROM "cert"."certificate"
          WHERE ca_id = $1 AND status IN ('revoked','frozen','invalid') AND not_after > $2`,
      [caId, now],
    );
    const fetch = (): Promise<pg.QueryResult<[string, string | null, string]>> =>
      client.query<[string, string | null, string]>({ text: `FETCH ${FETCH_ROWS} FROM crl_entries`, rowMode: 'array', types: AS_TEXT });
    let next: Promise<pg.QueryResult<[string, string | null, string]>> | undefined = fetch();
    while (next) {
      const { rows }: pg.QueryResult<[string, string | null, string]> = await next;
      // The next batch is asked for before this one is encoded: PostgreSQL reads it meanwhile.
      next = rows.length === FETCH_ROWS ? fetch() : undefined;
      const t = performance.now();
      try {
        for (let i = 0; i < rows.length; i++) {
          const row = rows[i]!;
          // A revoked or frozen row without its time would be a bug elsewhere; never list it as 1970.
          if (row[1] === null) throw new Error(`certificate ${row[0]} is ${row[2] === 'certificateHold' ? 'frozen' : 'revoked'} without a time`);
          encoder.add(row[0], Number(row[1]), row[2] as ReasonCode);
        }
      } catch (e) {
        next?.catch(() => undefined); // the transaction rolls back; the batch in flight is not wanted
        throw e;
      }
      phases.entriesMs += performance.now() - t;
    }
    await client.query('CLOSE crl_entries');
    for (const e of await this.caEntries(m, caId, now)) encoder.addEntry(e);
    return encoder.finish();
  }

  /** CA-held certificates this CA issued and revoked (issuing CA on the root's CRL; OCSP signer, seal maker). */
  private async caEntries(m: EntityManager, caId: string, now: Date, since?: Base): Promise<CrlEntry[]> {
    const rows: { serial: string; revoked_at: Date; reason: string }[] = await m.query(
      `SELECT serial, revoked_at, reason FROM "cert"."ca_revocation"
        WHERE issuer_ca_id = $1 AND not_after > $2 AND (
          $3::pg_snapshot IS NULL AND ($4::timestamptz IS NULL OR revoked_at > $4)
          OR NOT pg_visible_in_snapshot(created_xid, $3::pg_snapshot))`,
      [caId, now, since?.snapshot ?? null, since?.this_update ?? null],
    );
    return rows.map((r) => ({ serial: r.serial, revokedAt: r.revoked_at, reason: r.reason as ReasonCode }));
  }

  /**
   * Every certificate whose status changed where the base's snapshot could not see it, as it is
   * now: listed, or (a hold lifted since) removeFromCRL. A certificate frozen and unfrozen both
   * after the base gets a removeFromCRL it did not need; clients ignore a removal of what their
   * base does not list, and no lifted hold can be missed.
   */
  private async deltaEntries(m: EntityManager, caId: string, base: Base, now: Date, phases: CrlBuildPhases): Promise<EncodedRevokedCertificates> {
    const rows: EntryRow[] = base.snapshot
      ? await m.query(
          `SELECT serial, status, revoked_at, revocation_reason, frozen_at FROM "cert"."certificate"
            WHERE ca_id = $1 AND status_xid >= pg_snapshot_xmin($2::pg_snapshot) AND not_after > $3
              AND NOT pg_visible_in_snapshot(status_xid, $2::pg_snapshot)
              AND (status IN ('revoked','frozen','invalid') OR (status = 'active' AND frozen_at IS NOT NULL))`,
          [caId, base.snapshot, now],
        )
      : // A base from before snapshots were stored (migration 1766200000000): by time, and the holds it marked.
        await m.query(
          `SELECT serial, status, revoked_at, revocation_reason, frozen_at FROM "cert"."certificate"
            WHERE ca_id = $1 AND not_after > $3 AND (
              (status IN ('revoked','frozen','invalid') AND status_changed_at > $2)
              OR (status = 'active' AND hold_listed_in_crl >= $4))`,
          [caId, base.this_update, now, base.number],
        );
    const t = performance.now();
    const encoder = new RevokedCertificatesEncoder({ delta: true });
    for (const r of rows) encoder.addEntry(r.status === 'active' ? { serial: r.serial, revokedAt: r.frozen_at ?? now, reason: 'removeFromCRL' } : toEntry(r));
    phases.entriesMs += performance.now() - t;
    for (const e of await this.caEntries(m, caId, now, base)) encoder.addEntry(e);
    return encoder.finish();
  }
}

/** The complete CRL a delta is built against. */
interface Base {
  number: string;
  this_update: Date;
  /** Null for CRLs built before snapshots were stored. */
  snapshot: string | null;
}

/** Only CRL builders take it, one CA at a time; status changes do not. */
const crlBuildLockKey = (caId: string) => `crl-build:${caId}`;

/** Rows per FETCH of a complete CRL's cursor: a few MB of text per round trip. */
const FETCH_ROWS = 50_000;
/** Every column as the text PostgreSQL sent (the query casts what it needs). */
const AS_TEXT = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

/** A builder waits this long for the one before it (a complete CRL of a million entries takes seconds). */
const BUILDER_LOCK_TIMEOUT_MS = 120_000;

function roundPhases(p: CrlBuildPhases): Record<keyof CrlBuildPhases, number> {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Math.round(v)])) as Record<keyof CrlBuildPhases, number>;
}

function toEntry(r: EntryRow): CrlEntry {
  if (r.status === 'frozen') return { serial: r.serial, revokedAt: r.frozen_at!, reason: 'certificateHold' };
  return { serial: r.serial, revokedAt: r.revoked_at!, reason: (r.revocation_reason ?? 'unspecified') as ReasonCode };
}
