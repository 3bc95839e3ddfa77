import type { EntityManager } from 'typeorm';
import { eventSubject } from '@ecert/contracts';
import { preparedQuery } from '@ecert/database';
import { newDomainEvent } from '@ecert/messaging';
import { KEY_COMPROMISE_REASONS } from '@ecert/pki';
import type { CertificateEntity } from './certificate.entity';
import { historyRow } from './certificate-history.writer';
import { certificateEventData } from './certificate-events';
import { accountCertificateLimit, accountLimitReached, accountLockKey } from './account-certificate-limit';
import { keyCompromised } from './compromised-key.checker';
import type { SubscriberIdentity } from './subscriber-identity';

/** The columns an issuance sets; the rest keep their defaults (NULL, now(), false). `version` is TypeORM's VersionColumn, 1 on insert. */
const CERTIFICATE_COLUMNS = [
  ['serial', (c: CertificateEntity) => c.serial],
  ['ca_id', (c) => c.caId],
  ['profile', (c) => c.profile],
  ['key_algorithm', (c) => c.keyAlgorithm],
  ['status', (c) => c.status],
  ['subject', (c) => c.subject],
  ['uscc', (c) => c.uscc],
  ['account_no', (c) => c.accountNo],
  ['region_code', (c) => c.regionCode],
  ['unit_name', (c) => c.unitName],
  ['person_name', (c) => c.personName ?? null],
  ['person_id_masked', (c) => c.personIdMasked ?? null],
  ['person_id_hash', (c) => c.personIdHash ?? null],
  ['spki_sha256', (c) => c.spkiSha256 ?? null],
  ['not_before', (c) => c.notBefore],
  ['not_after', (c) => c.notAfter],
  ['der', (c) => c.der],
  ['status_changed_at', (c) => c.statusChangedAt],
  ['ukey_serial', (c) => c.ukeySerial ?? null],
  ['platform_held', (c) => c.platformHeld ?? false],
  ['version', () => 1],
] as const satisfies readonly (readonly [string, (c: CertificateEntity) => unknown])[];

const HISTORY_COLUMNS = ['serial', 'action', 'from_status', 'to_status', 'reason', 'comment', 'request_id', 'client_id', 'actor'] as const;

const params = (from: number, n: number) => Array.from({ length: n }, (_, i) => `$${from + i}`).join(', ');

const INSERT_ISSUED = (() => {
  const c = CERTIFICATE_COLUMNS.length;
  const h = HISTORY_COLUMNS.length;
  const g = c + h + 5;
  // Each INSERT reads g: the guard has run (lock held, room counted) before any row is written, so
  // its count never includes this issuance's own row; it runs once (a CTE read thrice is materialised).
  return `WITH g AS (SELECT "cert"."issuance_guard"(${params(g + 1, 6)}) AS ok),
    c AS (
      INSERT INTO "cert"."certificate" (${CERTIFICATE_COLUMNS.map(([col]) => `"${col}"`).join(', ')}) SELECT ${params(1, c)} FROM g
      RETURNING created_at, updated_at),
    h AS (INSERT INTO "cert"."certificate_history" (${HISTORY_COLUMNS.map((col) => `"${col}"`).join(', ')}) SELECT ${params(c + 1, h)} FROM g),
    o AS (INSERT INTO "cert"."outbox" ("id", "subject", "type", "aggregate_id", "payload") SELECT ${params(c + h + 1, 5)} FROM g)
    SELECT created_at, updated_at FROM c`;
})();

/** The guard's refusals (migrations/1766400000001-issuance-guard.ts). */
const KEY_COMPROMISED = 'EC001';
const ACCOUNT_LIMIT_REACHED = 'EC002';

/**
 * An issuance's three rows — the certificate, its first history row and its `certificate.issued`
 * event in the outbox — in one statement, behind the issuance's guard (`cert.issuance_guard`: the
 * account's lock, its limit, the key not compromised), instead of a transaction of six round trips.
 * Run on its own (m = the data source's manager) the statement is its own transaction: the rows
 * commit together, durably, before it returns, or not at all. In a caller's transaction (receipts,
 * UKeys, platform keys) they commit with it; that caller takes the account's lock first itself
 * (accountLockKey: the lock order account, then UKey), which the guard then holds already.
 * The event's version is 1 without asking: the serial is new (random, inserted here under its
 * primary key), so this history row is its only one. Fills `created_at`/`updated_at`/`version` into
 * `c` as insert() would.
 */
export async function insertIssuedCertificate(m: EntityManager, c: CertificateEntity, identity: Pick<SubscriberIdentity, 'profile' | 'uscc' | 'accountNo'>): Promise<void> {
  const history = historyRow({ serial: c.serial, action: 'issue', fromStatus: null, toStatus: 'active' });
  const event = newDomainEvent('certificate.issued', c.serial, { ...certificateEventData(c), version: 1 });
  const values = [
    ...CERTIFICATE_COLUMNS.map(([, of]) => of(c)),
    history.serial, history.action, history.fromStatus, history.toStatus, history.reason, history.comment, history.requestId, history.clientId, history.actor,
    event.id, eventSubject(event.type), event.type, event.aggregateId, JSON.stringify(event),
    accountLockKey(identity), identity.uscc, identity.accountNo, accountCertificateLimit(identity), c.spkiSha256, KEY_COMPROMISE_REASONS,
  ];
  const rows = await preparedQuery<{ created_at: Date; updated_at: Date }>(m, INSERT_ISSUED, values).catch((e: unknown) => {
    const err = e as { code?: string; detail?: string; driverError?: { code?: string; detail?: string } };
    const code = err.driverError?.code ?? err.code;
    if (code === KEY_COMPROMISED) throw keyCompromised('csr');
    if (code === ACCOUNT_LIMIT_REACHED) throw accountLimitReached(identity, Number(err.driverError?.detail ?? err.detail));
    throw e;
  });
  const row = rows[0]!;
  c.createdAt = row.created_at;
  c.updatedAt = row.updated_at;
  c.version = 1;
}
