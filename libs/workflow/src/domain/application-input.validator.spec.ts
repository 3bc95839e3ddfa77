import { describe, expect, it } from 'vitest';
import { computeResidentIdCheckDigit, computeUsccCheckCharacter, computeOrganizationCodeCheckDigit, ProblemError } from '@ecert/common';
import { validateCreateApplication } from './application-input.validator';

const org8 = 'MA5K1234';
const first17 = `91370481${org8}${computeOrganizationCodeCheckDigit(org8)}`;
const USCC = first17 + computeUsccCheckCharacter(first17);
const ID17 = '37048119850312123';
const ID = ID17 + computeResidentIdCheckDigit(ID17);

const base = () => ({
  type: 'apply',
  unit: { name: '滕州市某某有限公司', address: '滕州市学院中路1066号', postalCode: '277500', uscc: USCC, regionCode: '370481', accountNo: '37048100012' },
  handler: { name: '张三', idNumber: ID, phone: '13800138000', email: 'zhangsan@example.cn' },
  seals: [{ kind: 'official', name: '滕州市某某有限公司' }],
});

function refused(input: unknown): ProblemError {
  try {
    validateCreateApplication(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemError);
    return e as ProblemError;
  }
  throw new Error('accepted');
}

describe('validateCreateApplication', () => {
  it('accepts a Tengzhou unit applying for its first certificate and official seal, masks the handler', () => {
    const v = validateCreateApplication(base());
    expect(v.type).toBe('apply');
    expect(v.channel).toBe('on_site');
    expect(v.unit.uscc).toBe(USCC);
    expect(v.handler.idNumberMasked).not.toContain(ID.slice(6, 14));
    expect(v.seals).toEqual([{ kind: 'official', name: '滕州市某某有限公司' }]);
  });

  it.each([
    [{ type: 'transfer' }, 'type'],
    [{ channel: 'by_post' }, 'channel'],
    [{ unit: { ...base().unit, uscc: USCC.slice(0, 17) + (USCC[17] === '0' ? '1' : '0') } }, 'unit.uscc'],
    [{ unit: { ...base().unit, regionCode: '999999' } }, 'unit.regionCode'],
    [{ unit: { ...base().unit, postalCode: '27750' } }, 'unit.postalCode'],
    [{ unit: { ...base().unit, extra: 1 } }, 'unit.extra'],
    [{ handler: { ...base().handler, idNumber: ID17 + (ID[17] === '1' ? '2' : '1') } }, 'handler.idNumber'],
    [{ handler: { ...base().handler, phone: '12345' } }, 'handler.phone'],
    [{ handler: { ...base().handler, email: 'not-an-email' } }, 'handler.email'],
    [{ seals: [{ kind: 'official', name: 'a' }, { kind: 'official', name: 'b' }] }, 'seals'],
    [{ seals: [{ kind: 'position', name: '法定代表人' }] }, 'seals[0].kind'],
    [{ seals: [{ kind: 'special', name: '合同专用章' }] }, 'seals[0].purpose'],
    [{ seals: [{ kind: 'official', name: 'x', widthMm: 500 }] }, 'seals[0].widthMm'],
    [{ targetSerial: 'abcd' }, 'targetSerial'],
    [{ justification: 'we need more keys' }, 'justification'],
    [{ isAdmin: true }, 'isAdmin'],
  ])('refuses %j naming %s', (patch, field) => {
    expect(refused({ ...base(), ...patch }).field).toBe(field);
  });

  it('an additional certificate needs a justification (第九条)', () => {
    expect(refused({ ...base(), type: 'additional' }).field).toBe('justification');
    expect(validateCreateApplication({ ...base(), type: 'additional', justification: '财务部门需要单独的证书办理社保缴费' }).justification).toContain('财务');
  });

  it('lifecycle types name their target certificate', () => {
    expect(refused({ ...base(), type: 'report_loss', seals: [], statement: '遗失' }).field).toBe('targetSerial');
    const v = validateCreateApplication({ ...base(), type: 'report_loss', seals: [], targetSerial: '0A1B2C3D', statement: '经办人遗失UKey' });
    expect(v.targetSerial).toBe('0a1b2c3d');
    expect(refused({ ...base(), type: 'report_loss', targetSerial: '0a', statement: 'lost' }).field).toBe('seals');
  });

  it('a change says what changed; by post is allowed; a revocation states its 第十九条 cause', () => {
    expect(refused({ ...base(), type: 'change', targetSerial: '0a' }).field).toBe('changes');
    expect(validateCreateApplication({ ...base(), type: 'change', channel: 'by_post', targetSerial: '0a', changes: ['name', 'name'] }).changes).toEqual(['name']);
    expect(refused({ ...base(), type: 'revoke', seals: [], targetSerial: '0a' }).field).toBe('revocationCause');
    expect(validateCreateApplication({ ...base(), type: 'revoke', seals: [], targetSerial: '0a', revocationCause: 'unit_dissolved' }).revocationCause).toBe('unit_dissolved');
  });

  it('medium replacement only for damage not caused by the user (第十八条)', () => {
    const m = { ...base(), type: 'medium_replacement', targetSerial: '0a', statement: '芯片损坏无法识别' };
    expect(refused(m).field).toBe('damageNotUserCaused');
    expect(validateCreateApplication({ ...m, damageNotUserCaused: true }).damageNotUserCaused).toBe(true);
  });

  it('refuses control characters and over-long text', () => {
    expect(refused({ ...base(), unit: { ...base().unit, name: 'a\u0000b' } }).field).toBe('unit.name');
    expect(refused({ ...base(), unit: { ...base().unit, address: 'x'.repeat(300) } }).field).toBe('unit.address');
  });
});
