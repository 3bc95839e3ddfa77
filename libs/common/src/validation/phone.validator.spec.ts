import { describe, expect, it } from 'vitest';
import { maskPhone, validatePhone } from './phone.validator';

describe('validatePhone – mobile', () => {
  it.each([
    ['13812345678', '13812345678'],
    ['13012345678', '13012345678'],
    ['14512345678', '14512345678'],
    ['15012345678', '15012345678'],
    ['16612345678', '16612345678'],
    ['17012345678', '17012345678'],
    ['18912345678', '18912345678'],
    ['19912345678', '19912345678'],
    ['138 1234 5678', '13812345678'],
    ['138-1234-5678', '13812345678'],
    ['+86 138 1234 5678', '13812345678'],
    ['+86-13812345678', '13812345678'],
    ['+8613812345678', '13812345678'],
    ['008613812345678', '13812345678'],
    ['8613812345678', '13812345678'],
    ['(+86) 138-1234-5678', '13812345678'],
    ['１３８１２３４５６７８', '13812345678'],
    ['  13812345678\n', '13812345678'],
  ])('%j → %s', (input, value) => {
    expect(validatePhone(input)).toEqual({ ok: true, value, parts: { type: 'mobile' } });
  });

  it.each([
    '12812345678', // 12x is not a mobile prefix
    '11812345678',
    '10812345678',
    '1381234567', // 10 digits
    '138123456789', // 12 digits
    '23812345678',
    '1381234567a',
    '+1 13812345678',
    '+8713812345678',
    '86-1381234567',
    '4001234567', // service numbers
    '95588',
    '12345',
    '138.1234.5678',
    '138_1234_5678',
  ])('rejects %j → format', (input) => {
    const r = validatePhone(input);
    expect(r).toMatchObject({ ok: false, reason: 'format' });
    if (!r.ok) expect(r.message).toMatch(/手机号码.*mobile/);
  });

  it.each([undefined, null, '', '   ', 13812345678])('required: %j', (input) => {
    expect(validatePhone(input)).toMatchObject({ ok: false, reason: 'required' });
  });

  it.each(['010-87654321', '0771-5551234'])('a landline without allowLandline → landline_not_allowed (%s)', (input) => {
    expect(validatePhone(input)).toMatchObject({ ok: false, reason: 'landline_not_allowed' });
  });
});

describe('validatePhone – landline (allowLandline)', () => {
  const opts = { allowLandline: true };

  it.each([
    ['010-87654321', '010-87654321', '010', '87654321', undefined],
    ['01087654321', '010-87654321', '010', '87654321', undefined],
    ['020-38765432', '020-38765432', '020', '38765432', undefined],
    ['0771-5551234', '0771-5551234', '0771', '5551234', undefined],
    ['07715551234', '0771-5551234', '0771', '5551234', undefined],
    ['0771 555 1234', '0771-5551234', '0771', '5551234', undefined],
    ['(0771)5551234', '0771-5551234', '0771', '5551234', undefined],
    ['（0771）55512345', '0771-55512345', '0771', '55512345', undefined],
    ['0632-3311234', '0632-3311234', '0632', '3311234', undefined],
    ['010-87654321-123', '010-87654321-123', '010', '87654321', '123'],
    ['010-87654321转8001', '010-87654321-8001', '010', '87654321', '8001'],
    ['010-87654321 ext. 8', '010-87654321-8', '010', '87654321', '8'],
    ['+86 10 8765 4321', '010-87654321', '010', '87654321', undefined],
    ['+86 771 5551234', '0771-5551234', '0771', '5551234', undefined],
    ['0086-771-5551234', '0771-5551234', '0771', '5551234', undefined],
  ])('%j → %s', (input, value, areaCode, subscriber, extension) => {
    const r = validatePhone(input, opts);
    expect(r).toMatchObject({ ok: true, value, parts: { type: 'landline', areaCode, subscriber } });
    if (r.ok) expect(r.parts.extension).toBe(extension);
  });

  it('still accepts and prefers mobiles', () => {
    expect(validatePhone('+86 138 1234 5678', opts)).toEqual({ ok: true, value: '13812345678', parts: { type: 'mobile' } });
  });

  it.each([
    '020-12345678', // subscriber cannot start with 1
    '010-07654321', // or 0
    '0771-555123', // 6-digit subscriber
    '010-876543210', // 9-digit subscriber
    '001-87654321',
    '10-87654321',
    '400-123-4567',
    '800-820-8820',
    '12345',
    '010-87654321-1234567',
  ])('rejects %j → format', (input) => {
    const r = validatePhone(input, opts);
    expect(r).toMatchObject({ ok: false, reason: 'format' });
    if (!r.ok) expect(r.messages.en).toMatch(/mobile or landline/);
  });
});

describe('maskPhone', () => {
  it.each([
    ['13812345678', '138****5678'],
    ['138 1234 5678', '138****5678'],
    ['+86 138-1234-5678', '138****5678'],
    ['008613812345678', '138****5678'],
    ['0771-5551234', '077****1234'],
    ['010-87654321', '010****4321'],
    ['1234567', '*******'],
    ['12345', '*****'],
    ['', ''],
    ['abc', ''],
  ])('%j → %j', (input, masked) => {
    expect(maskPhone(input)).toBe(masked);
  });

  it('never throws and never echoes non-strings', () => {
    expect(maskPhone(undefined)).toBe('');
    expect(maskPhone(null)).toBe('');
    expect(maskPhone(13812345678)).toBe('');
  });
});
