import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asNationalOperator, startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeUscc, opensslAsync, opensslCsr, TempDir } from '../support/fixtures';
import { api } from '../support/http';
import { InitializeCasUseCase } from '../../apps/cert-service/src/ca/initialize-cas.use-case';
import { OcspResponder } from '../../apps/cert-service/src/ocsp/ocsp-responder.service';
import { FreezeCertificateUseCase } from '../../apps/cert-service/src/certificates/usecases/freeze-certificate.use-case';
import { startCertService } from '../../apps/cert-service/src/main';
import { waitFor } from '../support/http';

let p: TestPlatform;
const dir = new TempDir();
beforeAll(async () => {
  p = await startTestPlatform({ services: ['cert', 'gateway'] });
});
afterAll(async () => {
  await p?.close();
  dir.remove();
});

describe('OCSP signer renewal', () => {
  it('re-keys an OCSP signer close to expiry, and the responder signs with the new one at once', async () => {
    const { csr } = opensslCsr(dir, 'p256');
    const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: { name: '续期测试', uscc: makeUscc(), regionCode: '450100', accountNo: 'R1' } });
    expect(r.status).toBe(201);
    const init = p.services.cert!.get(InitializeCasUseCase);
    expect((await init.execute()).renewed).toEqual([]);

    const before = await p.db.query("SELECT serial FROM cert.ca WHERE id = 'ecdsa-ocsp'");
    await p.db.query("UPDATE cert.ca SET not_after = now() + interval '2 days' WHERE id = 'ecdsa-ocsp'");
    const result = await init.execute();
    expect(result.renewed).toEqual(['ecdsa-ocsp']);
    const after = await p.db.query("SELECT serial, not_after FROM cert.ca WHERE id = 'ecdsa-ocsp'");
    expect(after.rows[0].serial).not.toBe(before.rows[0].serial);
    expect(new Date(after.rows[0].not_after).getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);

    const leaf = dir.file('leaf.pem', r.body.certificatePem);
    const issuing = dir.file('issuing.pem', r.body.chainPem[0]);
    const bundle = dir.file('bundle.pem', r.body.chainPem[1] + r.body.chainPem[0]);
    const resp = dir.file('resp.der');
    // Nonce-less: signed by the cert-service's responder (a nonce would be signed by the gateway's own key).
    const o = await opensslAsync(['ocsp', '-issuer', issuing, '-cert', leaf, '-no_nonce', '-url', `${p.baseUrl}/pki/ocsp`, '-CAfile', bundle, '-respout', resp, '-resp_text']);
    expect(o.out).toContain('Response verify OK');
    expect(o.out).toMatch(/: good/);
    const newSerial = (after.rows[0].serial as string).toUpperCase();
    expect(o.out.replace(/:/g, '').toUpperCase()).toContain(newSerial);
    expect(readFileSync(resp).length).toBeGreaterThan(100);
  });
});

describe('several cert-service instances', () => {
  it('drop their cached OCSP answers when another instance changes a status', async () => {
    const second = await startCertService(p.config);
    try {
      const { csr } = opensslCsr(dir, 'p256');
      const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: { name: '多实例', uscc: makeUscc(), regionCode: '450100', accountNo: 'M1' } });
      expect(r.status).toBe(201);
      const leaf = dir.file('m-leaf.pem', r.body.certificatePem);
      const issuing = dir.file('m-issuing.pem', r.body.chainPem[0]);
      const req = dir.file('m-req.der');
      await opensslAsync(['ocsp', '-issuer', issuing, '-cert', leaf, '-no_nonce', '-reqout', req]);
      const der = readFileSync(req);
      const other = second.get(OcspResponder);
      const status = async () => {
        const out = dir.file(`m-resp-${Math.random()}.der`, Buffer.from((await other.respond(der)).der));
        return (await opensslAsync(['ocsp', '-respin', out, '-resp_text', '-noverify'])).out;
      };
      expect(await status()).toContain('Cert Status: good'); // now cached in the second instance
      await asNationalOperator(() => p.services.cert!.get(FreezeCertificateUseCase).execute({ serial: r.body.serial }));
      await waitFor(async () => (await status()).includes('Cert Status: revoked'), 5000);
    } finally {
      await second.close();
    }
  });
});
