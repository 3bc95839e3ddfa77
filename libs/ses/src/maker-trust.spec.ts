/**
 * Only seal makers make seals: a seal whose maker signature and chain are perfect but whose maker
 * is not a seal maker (a unit's or a person's UKey key, an OCSP signer, a CA nobody trusts to make
 * seals) fails, and the report names why. A foreign seal-making system on the trust list passes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSealV4, buildSesSignatureV4, decodeSeal, verifySeal, verifySesSignature, type SealMakerTrustList, type SesSealInfo } from './index';
import { createForeignSealMaker, createTestPki, ecertMakerTrust, signSeal, tinyPng, type TestCertificate, type TestPki } from './test-pki.spec-helper';

const DAY = 86_400_000;
let pki: TestPki;
let foreign: { root: TestCertificate; maker: TestCertificate };
let info: SesSealInfo;

beforeAll(async () => {
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  pki = await createTestPki(now);
  foreign = await createForeignSealMaker(now);
  // A real ecert seal's contents: an official seal named after someone else, bound to a third party.
  const genuine = await buildSealV4({
    vendorId: 'ECERT',
    type: 1,
    name: '某市人民政府',
    certList: { type: 1, certs: [pki.otherUnit.cert] },
    createDate: now,
    validStart: now,
    validEnd: new Date(now.getTime() + 365 * DAY),
    picture: { type: 'PNG', data: tinyPng(), widthMm: 42, heightMm: 42 },
    makerCertificate: pki.maker.cert,
    makerSigner: pki.maker.signer,
  });
  info = decodeSeal(genuine).sealInfo;
});

const ecertOnly = (): SealMakerTrustList[] => [ecertMakerTrust(pki)];
const withForeign = (): SealMakerTrustList[] => [ecertMakerTrust(pki), { label: 'foreign seal-making systems', anchors: [foreign.root.cert] }];
const check = (r: { checks: readonly { name: string; result: string; detail: string }[] }, name: string) => r.checks.find((c) => c.name === name);

describe('who may make seals (maker-authorised)', () => {
  it("ecert's seal maker (id-kp-ecertSealMaking) passes", async () => {
    const report = await verifySeal(await signSeal(info, 4, pki.maker), { makerTrust: ecertOnly() });
    expect(report.indication, JSON.stringify(report.checks)).toBe('TOTAL_PASSED');
    expect(check(report, 'maker-authorised')).toMatchObject({ result: 'passed' });
  });

  it.each([
    ['a unit UKey key', 'unit', /chains to "ecert seal maker" but is not a seal-maker certificate.*1\.3\.6\.1\.5\.5\.7\.3\.2.*id-kp-ecertSealMaking.*subscriber UKey certificate/],
    ['a personal UKey key', 'personal', /chains to "ecert seal maker" but is not a seal-maker certificate.*id-kp-ecertSealMaking.*subscriber UKey certificate/],
    ['the OCSP signer', 'ocspSigner', /chains to "ecert seal maker" but is not a seal-maker certificate.*1\.3\.6\.1\.5\.5\.7\.3\.9.*OCSP signer/],
  ] as const)('a seal made with %s is TOTAL_FAILED although its signature and chain are fine', async (_what, who, reason) => {
    const report = await verifySeal(await signSeal(info, 4, pki[who]), { makerTrust: withForeign() });
    expect(check(report, 'maker-signature')?.result).toBe('passed');
    expect(check(report, 'maker-certificate')?.result).toBe('passed');
    expect(check(report, 'maker-key-usage')?.result).toBe('passed'); // key usage cannot tell a maker from a UKey
    expect(check(report, 'maker-authorised')).toMatchObject({ result: 'failed', detail: expect.stringMatching(reason) });
    expect(report.indication).toBe('TOTAL_FAILED');
  });

  it('a seal made by a foreign CA not on the trust list is TOTAL_FAILED (not merely unknown)', async () => {
    const report = await verifySeal(await signSeal(info, 4, foreign.maker), { makerTrust: ecertOnly() });
    expect(check(report, 'maker-signature')?.result).toBe('passed');
    expect(check(report, 'maker-certificate')?.result).toBe('indeterminate');
    expect(check(report, 'maker-authorised')).toMatchObject({
      result: 'failed',
      detail: expect.stringMatching(/某省电子印章制作系统.*is not under any trusted seal-making list \("ecert seal maker"\): not an authorised seal maker/),
    });
    expect(report.indication).toBe('TOTAL_FAILED');
  });

  it('a foreign seal maker on the trust list passes; the list does not make it an ecert maker', async () => {
    const report = await verifySeal(await signSeal(info, 4, foreign.maker), { makerTrust: withForeign() });
    expect(report.indication, JSON.stringify(report.checks)).toBe('TOTAL_PASSED');
    expect(check(report, 'maker-authorised')?.detail).toMatch(/seal maker of "foreign seal-making systems"/);
    expect(check(report, 'maker-certificate')?.detail).toMatch(/\[foreign seal-making systems\]/);
    // the foreign anchors do not admit ecert's own UKey certificates
    expect((await verifySeal(await signSeal(info, 4, pki.unit), { makerTrust: withForeign() })).indication).toBe('TOTAL_FAILED');
  });

  it('a seal-maker certificate under ecert without the purpose (made before it existed) fails under the purpose rule', async () => {
    // certificateProfiles.sealMaker before the EKU: a maker that key usage alone cannot tell from a UKey
    const report = await verifySeal(await signSeal(info, 4, pki.otherUnit), { makerTrust: ecertOnly() });
    expect(check(report, 'maker-authorised')?.result).toBe('failed');
  });

  it('v1 seals are judged the same way', async () => {
    const v1 = { ...info, header: { ...info.header, version: 1 } };
    expect((await verifySeal(await signSeal(v1, 1, pki.unit), { makerTrust: ecertOnly() })).indication).toBe('TOTAL_FAILED');
    expect((await verifySeal(await signSeal(v1, 1, pki.maker), { makerTrust: ecertOnly() })).indication).toBe('TOTAL_PASSED');
  });

  it('without a trust list only the chain is known: INDETERMINATE, never TOTAL_PASSED', async () => {
    const report = await verifySeal(await signSeal(info, 4, pki.unit), { trustAnchors: [pki.root.cert], intermediates: [pki.issuing.cert] });
    expect(check(report, 'maker-certificate')?.result).toBe('passed');
    expect(check(report, 'maker-authorised')).toMatchObject({ result: 'indeterminate', detail: expect.stringMatching(/no seal-maker trust list given/) });
    expect(report.indication).toBe('INDETERMINATE');
  });

  it('an empty trust list admits nobody', async () => {
    const report = await verifySeal(await signSeal(info, 4, pki.maker), { makerTrust: [] });
    expect(check(report, 'maker-authorised')).toMatchObject({ result: 'failed', detail: expect.stringMatching(/none configured/) });
  });

  it('an SES_Signature embedding a seal its signer made with its own key fails on the embedded seal', async () => {
    const forged = await signSeal({ ...info, property: { ...info.property, certList: { type: 1, certs: [pki.unit.cert] } } }, 4, pki.unit);
    const document = new TextEncoder().encode('<Signature/>');
    const signature = await buildSesSignatureV4({ seal: forged, signerCertificate: pki.unit.cert, signer: pki.unit.signer, document, propertyInfo: '/Doc_0/Signs/Sign_0/Signature.xml' });
    const report = await verifySesSignature(signature, { trustAnchors: [pki.root.cert], intermediates: [pki.issuing.cert], makerTrust: ecertOnly(), document });
    expect(check(report, 'signer-signature')?.result).toBe('passed');
    expect(check(report, 'signer-certificate')?.result).toBe('passed');
    expect(check(report, 'seal')?.result).toBe('failed');
    expect(check(report.seal!, 'maker-authorised')?.result).toBe('failed');
    expect(report.indication).toBe('TOTAL_FAILED');
  });
});

describe("a list's revocation check (the list owner knows its CAs' revocations)", () => {
  it('a maker whose path the owner reports revoked is not authorised: TOTAL_FAILED, the reason named', async () => {
    const seal = await signSeal(info, 4, pki.maker);
    let seen: string[] = [];
    const revoked = (path: readonly { subject: string }[]) => {
      seen = path.map((c) => c.subject);
      return 'the seal-maker certificate is revoked (keyCompromise)';
    };
    const report = await verifySeal(seal, { makerTrust: [{ ...ecertMakerTrust(pki), revoked }] });
    expect(seen).toEqual([expect.stringContaining('电子印章制作系统'), expect.stringContaining('签发CA'), expect.stringContaining('根CA')]); // maker first, anchor last
    expect(check(report, 'maker-signature')?.result).toBe('passed');
    expect(check(report, 'maker-certificate')).toMatchObject({ result: 'passed', detail: expect.stringMatching(/revoked: see maker-authorised/) });
    expect(check(report, 'maker-authorised')).toMatchObject({
      result: 'failed',
      detail: expect.stringMatching(/chains to "ecert seal maker" but is no longer a seal maker there: the seal-maker certificate is revoked \(keyCompromise\)/),
    });
    expect(report.indication).toBe('TOTAL_FAILED');
  });

  it('nothing revoked: passes and says revocation was checked; another list that admits the maker still may', async () => {
    const seal = await signSeal(info, 4, pki.maker);
    const clean = await verifySeal(seal, { makerTrust: [{ ...ecertMakerTrust(pki), revoked: () => undefined }] });
    expect(clean.indication).toBe('TOTAL_PASSED');
    expect(check(clean, 'maker-certificate')?.detail).toMatch(/\(none revoked\)/);
    const second = await verifySeal(seal, { makerTrust: [{ ...ecertMakerTrust(pki), revoked: () => 'revoked' }, { ...ecertMakerTrust(pki), label: 'other' }] });
    expect(check(second, 'maker-authorised')?.detail).toMatch(/seal maker of "other"/);
  });

  it('a maker without the purpose is refused for that, not asked about revocation', async () => {
    let asked = false;
    const report = await verifySeal(await signSeal(info, 4, pki.unit), { makerTrust: [{ ...ecertMakerTrust(pki), revoked: () => ((asked = true), 'revoked') }] });
    expect(asked).toBe(false);
    expect(check(report, 'maker-authorised')?.detail).toMatch(/not a seal-maker certificate/);
  });
});
