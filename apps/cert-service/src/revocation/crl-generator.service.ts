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
  /** A complete CRL built first, when the delta's base could not serve (publish it before the delta). */
  base?: GeneratedCrl;
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
    const started = performance.now();
    // Builders of one CA take turns (several cert-service instances): the next builder's snapshot
    // sees this CRL as its base, and the key is looked up once the turn is ours (a re-key or CA
    // revocation while we waited is then seen). Status changes take no lock at all: they never
    // wait for a CRL, and a CRL never waits for them.
    return withSessionLock(dataSourceUrl(this.ds), crlBuildLockKey(caId), async () => {
      const lockMs = performance.now() - started;
      const read = await this.readSnapshot(caId, delta);
      if ('foreignBase' in read) {
        // The base's snapshot is not of this cluster (a logical restore): its transaction ids say
        // nothing here. A complete CRL is always right; the delta is then built against it.
        this.logger.error({ caId, base: read.foreignBase }, 'newest complete CRL has a snapshot from another database cluster (restored from a dump?); building a complete CRL first');
        const base = await this.build(caId, false, await this.readSnapshotOrFail(caId, false), started);
        return { ...(await this.build(caId, true, await this.readSnapshotOrFail(caId, true), started)), base };
      }
      read.phases.lockMs = lockMs;
      return this.build(caId, delta, read, started);
    }, { lockTimeoutMs: BUILDER_LOCK_TIMEOUT_MS });
  }

  /** Encodes, signs and records one CRL from its snapshot; the caller holds the builders' turn. */
  private async build(caId: string, delta: boolean, read: SnapshotRead, started: number): Promise<GeneratedCrl> {
    const { now, crlNumber, revoked, deltaOf, snapshot, phases } = read;
    const ca = this.registry.get(caId);
    const signer = await this.registry.signer(caId);
    const issuer = issuerFromCertificate(new Uint8Array(ca.certificate));
    const links = pkiLinks(this.config.ECERT_PUBLIC_URL);
    const validityMs = delta ? this.config.DELTA_CRL_VALIDITY_MINUTES * 60_000 : this.config.CRL_VALIDITY_HOURS * 3_600_000;
    const thisUpdate = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const nextUpdate = new Date(thisUpdate.getTime() + validityMs);
    let t = performance.now();
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
  }

  private async readSnapshotOrFail(caId: string, delta: boolean): Promise<SnapshotRead> {
    const read = await this.readSnapshot(caId, delta);
    if ('foreignBase' in read) throw new Error(`CRL base of ${caId} still from another cluster after a complete CRL`);
    return read;
  }

  /**
   * The CRL's number and entries, read in one REPEATABLE READ snapshot that is stored with the CRL.
   *
   * thisUpdate is taken before the snapshot: the earlier of now and the start of every transaction
   * then open in this database. Every change on this CRL committed before its snapshot; every
   * change not on it belongs to a transaction that was open at the snapshot — so it started, and
   * was stamped, no earlier than thisUpdate (the guarantee the old CRL lock gave: a revocation
   * missing from a CRL is never dated before that CRL's thisUpdate). Such a change has no lock to
   * wait for: its transaction id is not visible in this snapshot, so the next delta lists it.
   */
  private async readSnapshot(caId: string, delta: boolean, attempt = 1): Promise<SnapshotRead | { foreignBase: string }> {
    const phases: CrlBuildPhases = { lockMs: 0, selectMs: 0, entriesMs: 0, tbsMs: 0, signMs: 0, insertMs: 0 };
    const started = performance.now();
    try {
      const [{ t }] = await this.ds.query(
        `SELECT LEAST(clock_timestamp(), (SELECT min(xact_start) FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL)) AS t`,
      );
      const now: Date = t;
      const read = await this.ds.transaction('REPEATABLE READ', async (m): Promise<SnapshotRead | { foreignBase: string }> => {
        // The first statement fixes the snapshot and takes the number: a later number never has an
        // older snapshot (a builder whose snapshot predates the previous one's commit gets 40001 here).
        const [{ number, snapshot }] = await m.query(
          // Wrapped in a CTE: TypeORM returns [rows, count] for a bare UPDATE.
          `WITH u AS (UPDATE "cert"."ca" SET next_crl_number = next_crl_number + 1 WHERE id = $1 RETURNING next_crl_number - 1 AS number)
           SELECT number, pg_current_snapshot()::text AS snapshot FROM u`,
          [caId],
        );
        const crlNumber = BigInt(number);
        if (!delta) return { now, crlNumber, revoked: await this.fullEntries(m, caId, now, phases), snapshot, phases };
        const base = await this.latestFull(m, caId);
        if (!base) throw new Error(`no complete CRL for ${caId} yet; a delta needs a base`);
        if (base.snapshot && (await m.query('SELECT pg_snapshot_xmax($1::pg_snapshot) > pg_snapshot_xmax($2::pg_snapshot) AS foreign', [base.snapshot, snapshot]))[0].foreign) {
          return { foreignBase: base.number };
        }
        return { now, crlNumber, revoked: await this.deltaEntries(m, caId, base, now, phases), deltaOf: BigInt(base.number), snapshot, phases };
      });
      phases.selectMs = performance.now() - started - phases.entriesMs;
      return read;
    } catch (e) {
      // 40001: the CA row changed after the snapshot (a re-key; builders take turns). 55P03: the CA
      // row locked past lock_timeout (a CA revocation in progress). Either way, read again.
      const code = (e as { driverError?: { code?: string } }).driverError?.code;
      if ((code === '40001' || code === '55P03') && attempt < 3) return this.readSnapshot(caId, delta, attempt + 1);
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

/** What one CRL is made of, read in its snapshot. */
interface SnapshotRead {
  now: Date;
  crlNumber: bigint;
  revoked: EncodedRevokedCertificates;
  deltaOf?: bigint;
  snapshot: string;
  phases: CrlBuildPhases;
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
