import { describe, expect, it } from 'vitest';
import { decodeSeal } from '@ecert/ses';
import { createTestPki, testSealV4 } from '../../../../libs/ses/src/test-pki.spec-helper';
import { sealInfoProblem } from './seal-info-problem';

describe('the seal maker signs only SES_SealInfo v4', () => {
  it('accepts the SES_SealInfo of a v4 seal and refuses anything else', async () => {
    const pki = await createTestPki();
    const seal = await testSealV4(pki);
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
