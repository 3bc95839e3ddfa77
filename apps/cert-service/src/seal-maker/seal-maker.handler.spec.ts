import { describe, expect, it } from 'vitest';
import { buildSealV4, decodeSeal } from '@ecert/ses';
import { createTestPki, tinyPng } from '../../../../libs/ses/src/test-pki.spec-helper';
import { sealInfoProblem } from './seal-info-problem';

describe('the seal maker signs only SES_SealInfo v4', () => {
  it('accepts the SES_SealInfo of a v4 seal and refuses anything else', async () => {
    const pki = await createTestPki();
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const seal = await buildSealV4({
      vendorId: 'ECERT',
      type: 1,
      name: '测试单位',
      certList: { type: 1, certs: [pki.unit.cert] },
      createDate: now,
      validStart: now,
      validEnd: new Date(now.getTime() + 86_400_000),
      picture: { type: 'png', data: tinyPng(), widthMm: 40, heightMm: 40 },
      makerCertificate: pki.maker.cert,
      makerSigner: pki.maker.signer,
    });
    const info = decodeSeal(seal).sealInfoDer;
    expect(sealInfoProblem(info)).toBeUndefined();
    // a whole seal, a certificate (what a CA key must never sign on request), garbage, trailing bytes
    expect(sealInfoProblem(seal)).toBeDefined();
    expect(sealInfoProblem(pki.unit.cert)).toBeDefined();
    expect(sealInfoProblem(new Uint8Array([1, 2, 3]))).toBeDefined();
    expect(sealInfoProblem(new Uint8Array(0))).toBe('no data');
    expect(sealInfoProblem(Buffer.concat([info, Buffer.of(0)]))).toBe('not one DER element');
    // header version 1 (a v1 seal's info) is refused too
    const v1 = Buffer.from(info);
    const at = v1.indexOf(Buffer.from([0x16, 0x02, 0x45, 0x53, 0x02, 0x01, 0x04])); // IA5 "ES", INTEGER 4
    expect(at).toBeGreaterThan(0);
    v1[at + 6] = 1;
    expect(sealInfoProblem(v1)).toBe('header version is not 4');
  });
});
