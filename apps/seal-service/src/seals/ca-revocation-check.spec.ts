import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@ecert/common';
import type { CaView, RevokedCaCertificateView } from '@ecert/contracts';
import { encodePem, serialKey } from '@ecert/pki';
import { buildSealV4, decodeSeal, parseCertificate, verifySeal, type SesSealInfo } from '@ecert/ses';
import { createTestPki, signSeal, tinyPng, type TestPki } from '../../../../libs/ses/src/test-pki.spec-helper';
import { SealMakerTrust } from './seal-maker-trust';

const DAY = 86_400_000;
let pki: TestPki;
let info: SesSealInfo;
const trust = new SealMakerTrust(loadConfig({ ECERT_SEAL_MAKER_TRUST: '' }));

beforeAll(async () => {
  pki = await createTestPki();
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const seal = await buildSealV4({
    vendorId: 'ECERT',
    type: 1,
    name: '南宁市某某科技有限公司',
    certList: { type: 1, certs: [pki.unit.cert] },
    createDate: now,
    validStart: now,
    validEnd: new Date(now.getTime() + 30 * DAY),
    picture: { type: 'PNG', data: tinyPng(), widthMm: 42, heightMm: 42 },
    makerCertificate: pki.maker.cert,
    makerSigner: pki.maker.signer,
  });
  info = decodeSeal(seal).sealInfo;
});

const serialOf = (der: Uint8Array) => serialKey(parseCertificate(der).serialNumberHex);

/** ecert's CA list as the cert-service answers cert.ca.list: root and issuing CA, with what each revoked. */
function caList(revokedByRoot: Partial<RevokedCaCertificateView>[] = [], revokedByIssuing: Partial<RevokedCaCertificateView>[] = []): CaView[] {
  const entry = (e: Partial<RevokedCaCertificateView>): RevokedCaCertificateView => ({
    caId: 'sm2-seal-maker', role: 'seal-maker', serial: '01', subject: 'x', notAfter: new Date(Date.now() + DAY).toISOString(), revokedAt: new Date().toISOString(), revocationReason: 'keyCompromise', ...e,
  });
  const view = (caId: string, role: CaView['role'], der: Uint8Array, revoked: Partial<RevokedCaCertificateView>[]): CaView => ({
    caId, role, family: 'sm2', subject: parseCertificate(der).subject, serial: parseCertificate(der).serialNumberHex, notBefore: '', notAfter: '', certificatePem: encodePem('CERTIFICATE', der), revokedCertificates: revoked.map(entry),
  });
  return [view('sm2-root', 'root', pki.root.cert, revokedByRoot), view('sm2-issuing', 'issuing', pki.issuing.cert, revokedByIssuing)];
}

async function verify(cas: CaView[], createDate = info.property.createDate, storedHere = false) {
  const seal = await signSeal({ ...info, property: { ...info.property, createDate } }, 4, pki.maker);
  const report = await verifySeal(seal, { makerTrust: trust.lists(cas, storedHere, createDate).lists });
  return { indication: report.indication, authorised: report.checks.find((c) => c.name === 'maker-authorised')! };
}

describe("ecert's seal makers and the cert-service's CA revocations", () => {
  it('nothing revoked (or another certificate revoked): TOTAL_PASSED', async () => {
    expect((await verify(caList())).indication).toBe('TOTAL_PASSED');
    expect((await verify(caList([], [{ serial: 'abcdef' }]))).indication).toBe('TOTAL_PASSED');
  });

  it.each(['keyCompromise', 'cACompromise'])('a maker revoked for %s fails maker-authorised whatever date the seal states, stored here or not', async (reason) => {
    const revokedAt = new Date(Date.now() + DAY).toISOString(); // even a seal claiming to predate the revocation
    const cas = caList([], [{ serial: serialOf(pki.maker.cert), revokedAt, revocationReason: reason }]);
    for (const storedHere of [false, true]) {
      const r = await verify(cas, info.property.createDate, storedHere);
      expect(r.indication).toBe('TOTAL_FAILED');
      expect(r.authorised).toMatchObject({
        result: 'failed',
        detail: expect.stringMatching(new RegExp(`the seal-maker certificate .*was revoked by sm2-issuing .*\\(${reason}\\); its key is compromised`)),
      });
    }
  });

  it('a maker revoked for another reason: seals made before the revocation stand, seals made at or after it fail', async () => {
    const revokedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    const cas = caList([], [{ serial: serialOf(pki.maker.cert), revokedAt: revokedAt.toISOString(), revocationReason: 'superseded' }]);
    expect((await verify(cas, new Date(revokedAt.getTime() - 60_000))).indication).toBe('TOTAL_PASSED');
    const after = await verify(cas, revokedAt);
    expect(after.indication).toBe('TOTAL_FAILED');
    expect(after.authorised.detail).toMatch(/\(superseded\); the seal was made at .*, after that/);
  });

  it('a revoked issuing CA above the maker fails it too (listed by the root, or shown revoked itself)', async () => {
    const byRoot = await verify(caList([{ caId: 'sm2-issuing', role: 'issuing', serial: serialOf(pki.issuing.cert), revocationReason: 'cACompromise' }]));
    expect(byRoot.indication).toBe('TOTAL_FAILED');
    expect(byRoot.authorised.detail).toMatch(/CA certificate ".*签发CA.*" \(serial .*\) was revoked by sm2-root/);
    const cas = caList();
    cas[1] = { ...cas[1]!, revokedAt: new Date().toISOString(), revocationReason: 'keyCompromise' };
    expect((await verify(cas)).indication).toBe('TOTAL_FAILED');
  });
});
