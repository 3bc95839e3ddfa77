/**
 * Certificates signed and then not kept (cert.discarded_certificate) against the real PostgreSQL:
 * what a row holds (the TBS as signed, never the signature), that a certificate stored after all is
 * not recorded, that a database failure still leaves the error log line, and that a renewal failing
 * after its successor was signed records that successor.
 */
import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import * as x509 from '@peculiar/x509';
import type { DataSource, EntityManager } from 'typeorm';
import { loadConfig, ProblemCode, ProblemError, requestContext } from '@ecert/common';
import { dropDatabase } from '@ecert/database';
import { certificateFields, type ParsedCsr } from '@ecert/pki';
import { ecdsaTestKey } from '../../../../libs/pki/src/x509/test-signers.spec-helper';
import { certSchemaForTests } from '../testing/cert-schema-for-tests';
import { testIssuerRegistry } from '../testing/test-issuer-registry';
import type { CertificateTransitionRunner, TransitionSpec } from './certificate-transition.runner';
import type { CompromisedKeyChecker } from './compromised-key.checker';
import type { CertificateViewMapper } from './certificate-view.mapper';
import type { CertificateQueries } from './queries/certificate-queries.service';
import { CertificateEntity } from './certificate.entity';
import { DiscardedCertificateRecorder, discardReasonOf, FAILED } from './discarded-certificate.recorder';
import { EndEntityIssuer, type IssuedCertificate } from './end-entity-issuer.service';
import { insertIssuedCertificate } from './issued-certificate.writer';
import { RenewCertificateUseCase } from './usecases/renew-certificate.use-case';
import type { SubscriberIdentity } from './subscriber-identity';

const config = loadConfig(process.env);
let ds: DataSource;
let issuer: EndEntityIssuer;

/** A pino logger whose lines the spec reads. */
function capturingLogger() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const unit: SubscriberIdentity = { profile: 'unit', unitName: '测试单位', uscc: '91450100MA5L000000', accountNo: 'DISCARD-1', regionCode: '450100', province: '广西壮族自治区', city: '南宁市' };

const sign = (): Promise<IssuedCertificate> => issuer.issue(unit, { subjectSpki: ecdsaTestKey().signer.spki, keyFamily: 'ecdsa' } as unknown as ParsedCsr);

async function rowOf(serial: string): Promise<Record<string, unknown> | undefined> {
  return (await ds.query(`SELECT * FROM cert.discarded_certificate WHERE serial = $1`, [serial]))[0];
}

beforeAll(async () => {
  ds = await certSchemaForTests(config.DATABASE_URL, 3, { caId: 'ecdsa-issuing', family: 'ecdsa', keyAlgorithm: 'P-256' });
  issuer = new EndEntityIssuer(await testIssuerRegistry(), loadConfig({}));
});

afterAll(async () => {
  await ds?.destroy();
  await dropDatabase(config.DATABASE_URL, /^ecert_t[a-z0-9]+$/);
});

describe('DiscardedCertificateRecorder', () => {
  it('records the refused certificate: its TBS as signed and hashes, the reason, the caller; not the signature', async () => {
    const { logger, lines } = capturingLogger();
    const issued = await sign();
    const refusal = ProblemError.conflict(ProblemCode.certificateLimitReached, 'the account holds 4 active certificates');
    await requestContext.run({ requestId: 'req-discard-1', clientId: 'client-1', actor: 'staff:7' }, () =>
      new DiscardedCertificateRecorder(ds, logger).record(issued, { name: 'issue', regionCode: unit.regionCode }, discardReasonOf(refusal)),
    );
    const row = await rowOf(issued.serial);
    const tbs = certificateFields(issued.der).tbs;
    expect(row).toMatchObject({
      ca_id: 'ecdsa-issuing',
      command: 'issue',
      region_code: '450100',
      reason: 'certificate_limit_reached',
      detail: 'the account holds 4 active certificates',
      tbs_sha256: createHash('sha256').update(tbs).digest('hex'),
      certificate_sha256: createHash('sha256').update(issued.der).digest('hex'),
      // The test CA is ECDSA P-256 with SHA-256: what its key signed is the TBS's SHA-256.
      signed_digest: createHash('sha256').update(tbs).digest('hex'),
      signed_digest_algorithm: 'SHA-256',
      request_id: 'req-discard-1',
      client_id: 'client-1',
      actor: 'staff:7',
    });
    expect(Buffer.compare(row!.tbs_der as Buffer, Buffer.from(tbs))).toBe(0);
    // The TBS names the serial that was signed; the signature value is nowhere in the row.
    expect(Buffer.from(certificateFields(issued.der).serialNumber).toString('hex').replace(/^00/, '')).toBe(issued.serial.replace(/^00/, ''));
    // The DER ends in the signature value (its last 32 bytes are the end of s): no column holds them.
    const signatureTail = Buffer.from(issued.der).subarray(-32);
    expect(Object.values(row!).some((v) => Buffer.isBuffer(v) && v.includes(signatureTail))).toBe(false);
    expect((row!.signed_at as Date).getTime()).toBe(issued.signedAt.getTime());
    expect(lines.find((l) => l.msg.startsWith('signed certificate discarded'))).toMatchObject({ level: 40, discardedCertificate: { serial: issued.serial, reason: 'certificate_limit_reached' } });
    // The certificate itself was never stored.
    expect(await ds.getRepository(CertificateEntity).countBy({ serial: issued.serial })).toBe(0);
  });

  it('does not record a certificate that is stored after all (an error raised after its commit)', async () => {
    const { logger, lines } = capturingLogger();
    const issued = await sign();
    const stored = ds.manager.create(CertificateEntity, {
      ...issued,
      profile: 'unit',
      status: 'active',
      uscc: unit.uscc,
      accountNo: unit.accountNo,
      regionCode: unit.regionCode,
      unitName: unit.unitName,
      der: Buffer.from(issued.der),
      statusChangedAt: new Date(),
    });
    await insertIssuedCertificate(ds.manager, stored, unit);
    await new DiscardedCertificateRecorder(ds, logger).record(issued, { name: 'issue', regionCode: unit.regionCode }, discardReasonOf(new Error('the reply could not be sent')));
    expect(await rowOf(issued.serial)).toBeUndefined();
    expect(lines.some((l) => l.msg.includes('stored after all'))).toBe(true);
  });

  it('with the database gone, does not throw and leaves the error line with everything the row would hold', async () => {
    const { logger, lines } = capturingLogger();
    const issued = await sign();
    const broken = { query: async () => Promise.reject(new Error('connection terminated unexpectedly')) } as unknown as DataSource;
    await expect(new DiscardedCertificateRecorder(broken, logger).record(issued, { name: 'issue', regionCode: unit.regionCode }, discardReasonOf(new Error('connection terminated unexpectedly')))).resolves.toBeUndefined();
    const line = lines.find((l) => l.level === 50);
    expect(line?.msg).toContain('this log line is its record');
    expect(line).toMatchObject({ discardedCertificate: { serial: issued.serial, caId: 'ecdsa-issuing', reason: FAILED, tbsSha256: createHash('sha256').update(certificateFields(issued.der).tbs).digest('hex') } });
  });
});

describe('RenewCertificateUseCase and discarded successors', () => {
  const old = (): CertificateEntity =>
    Object.assign(new CertificateEntity(), { serial: 'ab12', caId: 'ecdsa-issuing', profile: 'unit', uscc: unit.uscc, accountNo: unit.accountNo, regionCode: unit.regionCode, unitName: unit.unitName, der: Buffer.alloc(0), ukeySerial: null });

  const recorder = () => new DiscardedCertificateRecorder(ds, capturingLogger().logger);

  async function renewal(runner: Pick<CertificateTransitionRunner, 'run'>, discarded: DiscardedCertificateRecorder) {
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=renewal', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } }, webcrypto as never);
    const useCase = new RenewCertificateUseCase(
      ds,
      runner as CertificateTransitionRunner,
      issuer,
      {} as CertificateViewMapper,
      { assertNotCompromised: async () => undefined } as unknown as CompromisedKeyChecker,
      {} as CertificateQueries,
      discarded,
    );
    return useCase.execute({ serial: 'ab12', csr: csr.toString('pem') });
  }

  it('records the successor it signed when the transaction then fails', async () => {
    let signedSerial: string | undefined;
    const failingManager = {
      create: (_: unknown, fields: { serial: string }) => {
        signedSerial = fields.serial;
        return fields;
      },
      save: async () => Promise.reject(new Error('could not serialize access')),
    } as unknown as EntityManager;
    const runner = { run: async (_serial: unknown, spec: TransitionSpec) => spec.after(failingManager, old(), 'active') as Promise<CertificateEntity> };
    const discarded = recorder();
    await expect(renewal(runner, discarded)).rejects.toThrow('could not serialize access');
    await discarded.beforeApplicationShutdown();
    expect(signedSerial).toMatch(/^[0-9a-f]+$/);
    expect(await rowOf(signedSerial!)).toMatchObject({ command: 'renew', reason: FAILED, detail: 'could not serialize access' });
  });

  it('records nothing when the renewal is refused before anything is signed', async () => {
    const before = (await ds.query(`SELECT count(*)::int AS n FROM cert.discarded_certificate`))[0].n;
    const runner = { run: async () => Promise.reject(ProblemError.conflict(ProblemCode.illegalTransition, 'revoked')) };
    const discarded = recorder();
    await expect(renewal(runner, discarded)).rejects.toThrow('revoked');
    await discarded.beforeApplicationShutdown();
    expect((await ds.query(`SELECT count(*)::int AS n FROM cert.discarded_certificate`))[0].n).toBe(before);
  });
});

