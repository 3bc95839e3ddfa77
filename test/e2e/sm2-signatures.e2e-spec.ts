import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeUscc, opensslCsr, opensslResult, TempDir } from '../support/fixtures';
import { api, waitFor } from '../support/http';
import { basicOcspResponse, sm2PublicKeyHex, sm2VerifyIndependently, splitSigned } from '../support/signed-structure';

/**
 * Every SM2 signature the CA makes — certificates, CRLs, OCSP responses — checked two ways:
 * `openssl dgst -sm3` with the standard ID, and sm-crypto-v2 (an independent SM2 implementation).
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

const pem = (der: Buffer) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;

function checkBothWays(label: string, signedDer: Buffer, signerCertDer: Buffer) {
  const { tbs, signature } = splitSigned(signedDer);
  const tbsFile = dir.file(`${label}.tbs`, tbs);
  const sigFile = dir.file(`${label}.sig`, signature);
  const certFile = dir.file(`${label}-signer.pem`, pem(signerCertDer));
  const pub = dir.file(`${label}-signer-pub.pem`);
  opensslResult(['x509', '-in', certFile, '-pubkey', '-noout', '-out', pub]);
  const v = opensslResult(['dgst', '-sm3', '-sigopt', 'distid:1234567812345678', '-verify', pub, '-signature', sigFile, tbsFile]);
  expect(v.out, `${label}: openssl`).toContain('Verified OK');
  expect(sm2VerifyIndependently(tbs, signature, sm2PublicKeyHex(signerCertDer)), `${label}: sm-crypto-v2`).toBe(true);
  // And a control: one flipped byte of the signed data fails in both.
  const bad = Buffer.from(tbs);
  bad[bad.length - 1] ^= 1;
  expect(sm2VerifyIndependently(bad, signature, sm2PublicKeyHex(signerCertDer))).toBe(false);
}

async function caDer(caId: string): Promise<Buffer> {
  const r = await fetch(`${p.baseUrl}/pki/ca/${caId}.crt`);
  expect(r.status).toBe(200);
  return Buffer.from(await r.arrayBuffer());
}

describe('SM2 signatures made by the CA', () => {
  it('CA certificates, an issued certificate, the CRLs and an OCSP response all verify', async () => {
    const root = await caDer('sm2-root');
    const issuing = await caDer('sm2-issuing');
    const ocspSigner = await caDer('sm2-ocsp');
    const sealMaker = await caDer('sm2-seal-maker');
    checkBothWays('root-self', root, root);
    checkBothWays('issuing', issuing, root);
    checkBothWays('ocsp-signer', ocspSigner, issuing);
    checkBothWays('seal-maker', sealMaker, issuing);

    const { csr } = opensslCsr(dir, 'sm2');
    const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: { name: '国密测试单位', uscc: makeUscc(), regionCode: '450100', accountNo: 'SM2-1' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const leafDer = Buffer.from(r.body.certificatePem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    checkBothWays('leaf', leafDer, issuing);

    const fr = await api(p.baseUrl, 'POST', `/api/v1/certificates/${r.body.serial}/freeze`, {});
    expect(fr.status).toBe(200);
    const crl = await waitFor(async () => {
      const res = await fetch(`${p.baseUrl}/pki/crl/sm2-issuing.crl`);
      const der = Buffer.from(await res.arrayBuffer());
      return der.includes(Buffer.from(r.body.serial, 'hex')) && der;
    });
    checkBothWays('crl', crl, issuing);
    const delta = Buffer.from(await (await fetch(`${p.baseUrl}/pki/crl/sm2-issuing-delta.crl`)).arrayBuffer());
    checkBothWays('delta-crl', delta, issuing);
    const rootCrl = Buffer.from(await (await fetch(`${p.baseUrl}/pki/crl/sm2-root.crl`)).arrayBuffer());
    checkBothWays('root-crl', rootCrl, root);

    // OCSP: a request made by openssl (with a nonce), answered by an SM2 delegated responder: the
    // gateway's own once it has one (ocsp-gateway-signing.e2e-spec), else the cert-service's.
    const leafFile = dir.file('leaf.pem', r.body.certificatePem);
    const issuingFile = dir.file('issuing.pem', pem(issuing));
    const reqFile = dir.file('req.der');
    opensslResult(['ocsp', '-issuer', issuingFile, '-cert', leafFile, '-reqout', reqFile]);
    const res = await fetch(`${p.baseUrl}/pki/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: dir.read('req.der') });
    expect(res.headers.get('content-type')).toBe('application/ocsp-response');
    const respDer = Buffer.from(await res.arrayBuffer());
    const { basic, responderCert } = basicOcspResponse(respDer);
    expect(responderCert).toBeDefined();
    if (!responderCert!.equals(ocspSigner)) checkBothWays('gateway-ocsp-signer', responderCert!, issuing);
    checkBothWays('ocsp-response', basic, responderCert!);
    const text = opensslResult(['ocsp', '-respin', dir.file('resp.der', respDer), '-resp_text', '-noverify']).out;
    expect(text).toContain('Cert Status: revoked');
    expect(text).toContain('Revocation Reason: certificateHold');
    expect(text).toContain('OCSP Nonce');
  });
});
