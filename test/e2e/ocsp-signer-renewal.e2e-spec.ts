import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeUscc, opensslAsync, opensslCsr, TempDir } from '../support/fixtures';
import { api } from '../support/http';
import { InitializeCasUseCase } from '../../apps/cert-service/src/ca/initialize-cas.use-case';

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
    const o = await opensslAsync(['ocsp', '-issuer', issuing, '-cert', leaf, '-url', `${p.baseUrl}/pki/ocsp`, '-CAfile', bundle, '-respout', resp, '-resp_text']);
    expect(o.out).toContain('Response verify OK');
    expect(o.out).toMatch(/: good/);
    const newSerial = (after.rows[0].serial as string).toUpperCase();
    expect(o.out.replace(/:/g, '').toUpperCase()).toContain(newSerial);
    expect(readFileSync(resp).length).toBeGreaterThan(100);
  });
});
