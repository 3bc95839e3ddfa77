import { describe, expect, it } from 'vitest';
import { validateEmail } from './email.validator';

describe('validateEmail', () => {
  it.each([
    ['user@example.com', 'user@example.com'],
    ['first.last+tag@sub.example.co.uk', 'first.last+tag@sub.example.co.uk'],
    ['USER@EXAMPLE.COM', 'USER@example.com'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['a_b-c=d@mail-server.example.org', 'a_b-c=d@mail-server.example.org'],
    ['12345@qq.com', '12345@qq.com'],
    ['zhangsan@hrss.gxzf.gov.cn', 'zhangsan@hrss.gxzf.gov.cn'],
    ['x@a.cn', 'x@a.cn'],
    ['test@例子.中国', 'test@xn--fsqu00a.xn--fiqs8s'],
    ['test@xn--fsqu00a.xn--fiqs8s', 'test@xn--fsqu00a.xn--fiqs8s'],
    ['ｕｓｅｒ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'user@example.com'],
    ['  user@example.com\t', 'user@example.com'],
    [`${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`],
  ])('%j → %s', (input, value) => {
    const r = validateEmail(input);
    expect(r).toMatchObject({ ok: true, value });
    if (r.ok) expect(`${r.parts.local}@${r.parts.domain}`).toBe(value);
  });

  it.each([
    'plainaddress',
    '@example.com',
    'user@@example.com',
    '.user@example.com',
    'user.@example.com',
    'us..er@example.com',
    'user name@example.com',
    '"quoted"@example.com',
    '用户@example.com',
    'user(comment)@example.com',
    `${'a'.repeat(65)}@example.com`,
    'user@',
  ])('rejects %j → format', (input) => {
    expect(validateEmail(input)).toMatchObject({ ok: false, reason: 'format' });
  });

  it.each([
    'user@example',
    'user@-example.com',
    'user@example-.com',
    'user@exa_mple.com',
    'user@example..com',
    'user@.example.com',
    'user@example.com.',
    'user@example.c',
    'user@example.123',
    'user@123.123.123.123',
    'user@[127.0.0.1]',
    'user@0x7f.1',
    'user@exa mple.com',
    'user@example.com/path',
    'user@example.com:25',
    'user@example.com?x=1',
    `user@${'a'.repeat(64)}.com`,
  ])('rejects %j → domain', (input) => {
    const r = validateEmail(input);
    expect(r).toMatchObject({ ok: false, reason: 'domain' });
    if (!r.ok) expect(r.message).toMatch(/域名.*domain/);
  });

  it('rejects addresses longer than 254 characters → length', () => {
    const long = `user@${'a'.repeat(61)}.${'b'.repeat(61)}.${'c'.repeat(61)}.${'d'.repeat(61)}.com`;
    expect(long.length).toBeGreaterThan(254);
    expect(validateEmail(long)).toMatchObject({ ok: false, reason: 'length' });
    expect(validateEmail(`a@${'x'.repeat(5000)}.com`)).toMatchObject({ ok: false, reason: 'length' });
  });

  it.each([undefined, null, '', '  ', 42, ['user@example.com']])('required: %j', (input) => {
    expect(validateEmail(input)).toMatchObject({ ok: false, reason: 'required' });
  });
});
