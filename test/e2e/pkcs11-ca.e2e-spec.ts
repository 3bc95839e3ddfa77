import { execFileSync } from 'node:child_process';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asNationalOperator, startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeUscc, opensslCsr, opensslResult, TempDir } from '../support/fixtures';
import { onPath, requireTool } from '../support/optional-tool';
import { IssueCertificateUseCase } from '../../apps/cert-service/src/certificates/usecases/issue-certificate.use-case';
import { CaRegistry } from '../../apps/cert-service/src/ca/ca-registry.service';
import { IssuePlatformHeldCertificateUseCase } from '../../apps/cert-service/src/platform-keys/issue-platform-held-certificate.use-case';
import { SignWithPlatformKeyUseCase } from '../../apps/cert-service/src/platform-keys/sign-with-platform-key.use-case';
import { NATIONAL_SCOPE, requestContext } from '@ecert/common';
import { Subjects } from '@ecert/contracts';
import { derOid, derTlv } from '@ecert/pki';

/** The CA with its ECDSA and RSA keys on a PKCS#11 token (SoftHSM2), SM2 keys in the soft store. */
const LIBRARY = '/usr/lib/softhsm/libsofthsm2.so';
const HAVE_SOFTHSM = requireTool({
  name: `SoftHSM2 (${LIBRARY} and softhsm2-util)`,
  present: existsSync(LIBRARY) && onPath('softhsm2-util'),
  apt: 'softhsm2',
  tests: 'PKCS#11 CA e2e tests',
});

describe.skipIf(!HAVE_SOFTHSM)('CA keys on a PKCS#11 token', () => {
  let dir: TempDir;
  let p: TestPlatform;

  beforeAll(async () => {
    dir = new TempDir();
    const conf = path.join(dir.path, 'softhsm2.conf');
    execFileSync('mkdir', ['-p', path.join(dir.path, 'tokens')]);
    writeFileSync(conf, `directories.tokendir = ${path.join(dir.path, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    process.env.SOFTHSM2_CONF = conf;
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'ecert-ca', '--pin', '11223344', '--so-pin', '55667788'], { env: process.env, stdio: 'pipe' });
    p = await startTestPlatform({
      services: ['cert'],
      env: { ECERT_KEYSTORE: 'pkcs11', PKCS11_LIBRARY: LIBRARY, PKCS11_TOKEN_LABEL: 'ecert-ca', PKCS11_PIN: '11223344' },
    });
  }, 180_000);

  afterAll(async () => {
    await p?.close();
    dir?.remove();
  });

  it('keeps ECDSA and RSA CA keys on the token and SM2 keys in the soft store', () => {
    const cas = p.services.cert!.get(CaRegistry).all();
    expect(cas).toHaveLength(12);
    for (const ca of cas) expect(ca.keyStore).toBe(ca.family === 'sm2' ? 'soft' : 'pkcs11');
    expect(cas.filter((c) => c.keyStore === 'pkcs11')).toHaveLength(8);
  });

  it('issues a P-256 certificate signed on the token that openssl verifies', async () => {
    const { csr } = opensslCsr(dir, 'p256');
    const issueUc = p.services.cert!.get(IssueCertificateUseCase);
    const cert = await asNationalOperator(() => issueUc.execute({
      profile: 'unit',
      csr,
      unit: { name: '令牌测试单位', uscc: makeUscc(), regionCode: '370481', accountNo: 'HSM-1' },
    }));
    const leaf = dir.file('leaf.pem', cert.certificatePem);
    const issuing = dir.file('issuing.pem', cert.chainPem[0]);
    const root = dir.file('root.pem', cert.chainPem[1]);
    expect(opensslResult(['verify', '-CAfile', root, '-untrusted', issuing, leaf]).out).toContain(': OK');
    const { rows } = await p.db.query('SELECT count(*)::int AS n FROM cert.ca_key_blob');
    expect(rows[0].n).toBe(4); // only the four SM2 keys are in the software store
  });

  it('generates a platform-held P-256 key on the token, and it signs a document\'s signed attributes there', async () => {
    const cert = await asNationalOperator(() =>
      p.services.cert!.get(IssuePlatformHeldCertificateUseCase).execute({ unit: { name: '某市人力资源和社会保障局', uscc: makeUscc(), regionCode: '370481', accountNo: 'HSM-2' }, keyAlgorithm: 'EC-P256' }),
    );
    expect(cert.platformHeld).toBe(true);
    const { rows } = await p.db.query('SELECT key_id, key_store FROM cert.platform_key WHERE serial = $1', [cert.serial]);
    expect(rows).toEqual([{ key_id: expect.stringMatching(/^platform:/), key_store: 'pkcs11' }]);
    const attrs = derTlv(
      0x31,
      derTlv(0x30, derOid('1.2.840.113549.1.9.3'), derTlv(0x31, derOid('1.2.840.113549.1.7.1'))),
      derTlv(0x30, derOid('1.2.840.113549.1.9.4'), derTlv(0x31, derTlv(0x04, createHash('sha256').update('a reply').digest()))),
    );
    // What the cert-service sees when the seal-service forwards the gateway's document-sealing request.
    const sealing = { requestId: 'pkcs11-sign', caller: 'seal-service', origin: 'gateway', gatewayToken: 'forwarded', upstreamSubject: Subjects.seal.documentSeal, operations: ['documents:seal'], regions: [NATIONAL_SCOPE] };
    const reply = await requestContext.run(sealing, () => p.services.cert!.get(SignWithPlatformKeyUseCase).execute({ certificateSerial: cert.serial, dataToSign: Buffer.from(attrs).toString('base64'), purpose: 'document' }));
    expect(verify('sha256', attrs, { key: new X509Certificate(cert.certificatePem).publicKey, dsaEncoding: 'der' }, Buffer.from(reply.signature, 'base64'))).toBe(true);
  });
});
