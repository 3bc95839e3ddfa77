import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFields, encodePem, ocspIssuerKeys } from '@ecert/pki';
import { NATIONAL_SCOPE, ProblemError, requestContext } from '@ecert/common';
import { IssueGatewayOcspSignerUseCase } from '../../apps/cert-service/src/ocsp/issue-gateway-ocsp-signer.use-case';
import { CaRegistry } from '../../apps/cert-service/src/ca/ca-registry.service';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeUscc, opensslAsync, opensslCsr, TempDir } from '../support/fixtures';
import { api, waitFor } from '../support/http';
import { OcspDelegatedSigners } from '../../apps/gateway/src/pki/ocsp-delegated-signers.service';
import { OcspNonceAnswerer } from '../../apps/gateway/src/pki/ocsp-nonce-answerer.service';

/**
 * Requests with a nonce answered by the gateway itself: its own key and delegated responder
 * certificate, statuses from its status view. openssl verifies the answers (nonce included), and
 * a freeze or unfreeze shows in the very next answer even though the view held the old status.
 */
let p: TestPlatform;
const dir = new TempDir();
beforeAll(async () => {
  p = await startTestPlatform({ services: ['cert', 'gateway'] });
});
afterAll(async () => {
  await p?.close();
  dir.remove();
});

const pemToDer = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');

async function issue(kind: 'p256' | 'rsa2048' | 'sm2') {
  const { csr } = opensslCsr(dir, kind);
  const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: { name: '网关签名', uscc: makeUscc(), regionCode: '450100', accountNo: 'G1' } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const issuing = dir.file(`${r.body.serial}-issuing.pem`, r.body.chainPem[0]);
  return {
    serial: r.body.serial as string,
    caId: r.body.caId as string,
    leaf: dir.file(`${r.body.serial}.pem`, r.body.certificatePem),
    issuing,
    bundle: dir.file(`${r.body.serial}-bundle.pem`, r.body.chainPem[1] + r.body.chainPem[0]),
    issuingDer: pemToDer(r.body.chainPem[0]),
  };
}

/** The gateway's delegated responder for this issuing CA, once it has one. */
async function gatewayResponder(issuingDer: Buffer) {
  const signers = p.gateway!.get(OcspDelegatedSigners);
  const key = ocspIssuerKeys(new Uint8Array(issuingDer))[0]!.lookupKey;
  return waitFor(async () => signers.find(key), 20_000, 100);
}

describe('OCSP requests with a nonce, signed by the gateway', () => {
  it('verify with openssl (-CAfile and -VAfile, nonce checked); freeze and unfreeze show in the next answer', async () => {
    const c = await issue('p256');
    const responder = await gatewayResponder(c.issuingDer);
    const va = dir.file('gateway-responder.pem', encodePem('CERTIFICATE', responder.certificate));
    const ask = async (trust: string[]) => (await opensslAsync(['ocsp', '-issuer', c.issuing, '-cert', c.leaf, '-url', `${p.baseUrl}/pki/ocsp`, ...trust, '-resp_text'])).out;

    let out = await ask(['-CAfile', c.bundle]);
    expect(out).toContain('Response verify OK');
    expect(out).toMatch(/: good/);
    // openssl checks the nonce unless told not to; a missing or wrong one is a warning on stderr/out.
    expect(out).not.toMatch(/WARNING: no nonce|nonce verify error/i);
    expect(out).toContain('OCSP Nonce');
    expect(out).toContain('(gateway)');
    out = await ask(['-VAfile', va]);
    expect(out).toContain('Response verify OK');
    // The gateway recorded the certificate it was given in its audit trail.
    const { rows } = await p.db.query("SELECT target, actor, details FROM gateway.audit_log WHERE action = 'ocsp.delegated-responder.issued'");
    expect(rows).toContainEqual(expect.objectContaining({ target: c.caId, actor: 'gateway' }));

    // The view holds "good" now: the freeze must not be answered from it.
    const answerer = p.gateway!.get(OcspNonceAnswerer);
    expect(answerer.view.lookup(c.caId, c.serial)).toEqual({ status: 'good' });
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${c.serial}/freeze`, {})).status).toBe(200);
    out = await ask(['-CAfile', c.bundle]);
    expect(out).toContain('Response verify OK');
    expect(out).toMatch(/: revoked/);
    expect(out).toContain('Reason: certificateHold');
    expect(out).toContain('(gateway)');

    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${c.serial}/unfreeze`, {})).status).toBe(200);
    out = await ask(['-CAfile', c.bundle]);
    expect(out).toMatch(/: good/);
    expect(out).toContain('(gateway)');
  });

  it('signs RSA and SM2 answers the same way', async () => {
    for (const kind of ['rsa2048', 'sm2'] as const) {
      const c = await issue(kind);
      await gatewayResponder(c.issuingDer);
      const args = ['ocsp', '-issuer', c.issuing, '-cert', c.leaf, '-url', `${p.baseUrl}/pki/ocsp`, '-resp_text'];
      // openssl verifies RSA; SM2 signatures it may not (sm2-signatures.e2e-spec checks those both ways).
      const out = (await opensslAsync(kind === 'sm2' ? [...args, '-noverify'] : [...args, '-CAfile', c.bundle])).out;
      if (kind !== 'sm2') expect(out).toContain('Response verify OK');
      expect(out, kind).toMatch(/: good/);
      expect(out, kind).toContain('OCSP Nonce');
      expect(out, kind).toContain('(gateway)');
    }
  });

  it('certifies only for the gateway, never a key revoked for keyCompromise, and never beyond its CA', async () => {
    const c = await issue('p256');
    const delegate = p.services.cert!.get(IssueGatewayOcspSignerUseCase);
    const spkiBase64 = Buffer.from(certificateFields(pemToDer((await api(p.baseUrl, 'GET', `/api/v1/certificates/${c.serial}`)).body.certificatePem), 'certificate').spki).toString('base64');
    const as = (caller: string) => <T>(fn: () => Promise<T>) => requestContext.run({ requestId: `delegate-${caller}`, caller, regions: [NATIONAL_SCOPE] }, fn);
    const refusal = (e: unknown) => (e instanceof ProblemError ? `${e.status} ${e.code}` : String(e));

    expect(await as('seal-service')(() => delegate.execute({ caId: c.caId, spkiBase64 })).catch(refusal)).toBe('403 bus_caller_forbidden');
    const ok = await as('gateway')(() => delegate.execute({ caId: c.caId, spkiBase64 }));
    const ca = p.services.cert!.get(CaRegistry).get(c.caId);
    expect(new Date(ok.notAfter).getTime()).toBeLessThanOrEqual(new Date(ca.notAfter).getTime());

    const revoked = await api(p.baseUrl, 'POST', `/api/v1/certificates/${c.serial}/revoke`, { reason: 'keyCompromise' });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(await as('gateway')(() => delegate.execute({ caId: c.caId, spkiBase64 })).catch(refusal)).toBe('400 key_compromised');
  });
});
