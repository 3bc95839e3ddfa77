/**
 * IssueCertificateUseCase against the real PostgreSQL, on the paths where the CA has signed and the
 * certificate is then not kept: the guard refusing inside the receipt's transaction, a repeated
 * refusal (checked before signing, so nothing more is signed), and a concurrent retry with the same
 * idempotency key that committed first. Each signed-and-not-kept certificate is one row of
 * cert.discarded_certificate; a kept one is never such a row.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import * as x509 from '@peculiar/x509';
import type { DataSource } from 'typeorm';
import { loadConfig, ProblemError, requestContext } from '@ecert/common';
import type { CertificateView, IssueCertificateCommand } from '@ecert/contracts';
import { dropDatabase } from '@ecert/database';
import type { OutboxRelay } from '@ecert/messaging';
import { makeUscc } from '../../../../../test/support/fixtures';
import { certSchemaForTests } from '../../testing/cert-schema-for-tests';
import { testIssuerRegistry } from '../../testing/test-issuer-registry';
import { certificateReceipts } from '../certificate-command-receipts';
import { CompromisedKeyChecker } from '../compromised-key.checker';
import type { CertificateViewMapper } from '../certificate-view.mapper';
import type { CertificateQueries } from '../queries/certificate-queries.service';
import type { UkeyMedium } from '../../ukeys/ukey-medium.service';
import { DiscardedCertificateRecorder, RETRY_ANSWERED } from '../discarded-certificate.recorder';
import { EndEntityIssuer } from '../end-entity-issuer.service';
import { IssueCertificateUseCase } from './issue-certificate.use-case';

const config = loadConfig(process.env);
let ds: DataSource;
let useCase: IssueCertificateUseCase;
let recorder: DiscardedCertificateRecorder;

const asCaller = <T>(requestId: string, fn: () => Promise<T>) => requestContext.run({ requestId, regions: ['000000'] }, fn);

async function csrPem(): Promise<string> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=requested', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } }, webcrypto as never);
  return csr.toString('pem');
}

async function command(unit: { uscc: string; accountNo: string }, extra: Partial<IssueCertificateCommand> = {}): Promise<IssueCertificateCommand> {
  return { profile: 'unit', csr: await csrPem(), unit: { name: '测试单位', uscc: unit.uscc, regionCode: '450100', accountNo: unit.accountNo }, ...extra };
}

async function discardedFor(requestId: string): Promise<{ serial: string; reason: string; detail: string | null }[]> {
  await recorder.beforeApplicationShutdown();
  return ds.query(`SELECT serial, reason, detail FROM cert.discarded_certificate WHERE request_id = $1`, [requestId]);
}

const stored = async (serial: string) => (await ds.query(`SELECT count(*)::int AS n FROM cert.certificate WHERE serial = $1`, [serial]))[0].n as number;

beforeAll(async () => {
  ds = await certSchemaForTests(config.DATABASE_URL, 4, { caId: 'ecdsa-issuing', family: 'ecdsa', keyAlgorithm: 'P-256' });
  const registry = await testIssuerRegistry();
  recorder = new DiscardedCertificateRecorder(ds, pino({ level: 'silent' }));
  const views = { toView: (c: { serial: string }) => ({ serial: c.serial }) as CertificateView } as unknown as CertificateViewMapper;
  const queries = { get: async (serial: string) => ({ serial }) as CertificateView } as unknown as CertificateQueries;
  useCase = new IssueCertificateUseCase(
    ds,
    { kick: () => undefined } as unknown as OutboxRelay,
    new EndEntityIssuer(registry, loadConfig({})),
    views,
    queries,
    {} as UkeyMedium,
    recorder,
    new CompromisedKeyChecker(ds),
  );
});

afterAll(async () => {
  await ds?.destroy();
  await dropDatabase(config.DATABASE_URL, /^ecert_t[a-z0-9]+$/);
});

describe('IssueCertificateUseCase: certificates signed and not kept', () => {
  it('records the one the guard refused inside the receipt transaction; a repeat is refused before signing', async () => {
    const unit = { uscc: makeUscc(), accountNo: `FULL-${process.pid}` };
    for (let i = 0; i < 4; i++) await asCaller(`fill-${i}`, async () => useCase.execute(await command(unit)));
    const refused = await asCaller('full-1', async () => useCase.execute(await command(unit, { idempotencyKey: `full-key-${process.pid}` })).catch((e: unknown) => e));
    expect(refused).toBeInstanceOf(ProblemError);
    expect((refused as ProblemError).code).toBe('certificate_limit_reached');
    const rows = await discardedFor('full-1');
    expect(rows).toEqual([{ serial: expect.stringMatching(/^[0-9a-f]+$/), reason: 'certificate_limit_reached', detail: expect.stringContaining('limit 4') }]);
    expect(await stored(rows[0]!.serial)).toBe(0);
    // No receipt either: a retry with the key is judged afresh.
    expect((await ds.query(`SELECT count(*)::int AS n FROM cert.command_receipt WHERE idempotency_key = $1`, [`full-key-${process.pid}`]))[0].n).toBe(0);
    // The same account again: refused alike, but nothing was signed for it, so nothing is recorded.
    const again = await asCaller('full-2', async () => useCase.execute(await command(unit)).catch((e: unknown) => e));
    expect((again as ProblemError).code).toBe('certificate_limit_reached');
    expect(await discardedFor('full-2')).toEqual([]);
  });

  it('records the one a concurrent retry with the same idempotency key made unnecessary, and answers with the first', async () => {
    const unit = { uscc: makeUscc(), accountNo: `RETRY-${process.pid}` };
    const cmd = await command(unit, { idempotencyKey: `retry-key-${process.pid}` });
    const first = await asCaller('retry-1', () => useCase.execute(cmd));
    expect(await stored(first.serial)).toBe(1);
    // The retry looked for a receipt before the first attempt committed (none yet), then signed.
    const look = vi.spyOn(certificateReceipts, 'find').mockResolvedValueOnce(undefined);
    try {
      const second = await asCaller('retry-2', () => useCase.execute(cmd));
      expect(second.serial).toBe(first.serial);
    } finally {
      look.mockRestore();
    }
    const rows = await discardedFor('retry-2');
    expect(rows).toEqual([{ serial: expect.not.stringMatching(`^${first.serial}$`), reason: RETRY_ANSWERED, detail: `answered with ${first.serial}` }]);
    expect(await stored(rows[0]!.serial)).toBe(0);
    expect(await discardedFor('retry-1')).toEqual([]);
  });
});
