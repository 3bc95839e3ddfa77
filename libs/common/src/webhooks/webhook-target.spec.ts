import { describe, expect, it } from 'vitest';
import { addressCategory, checkWebhookUrl, refusedAddress, type WebhookTargetPolicy } from './webhook-target';

const prod: WebhookTargetPolicy = { platform: [{ host: '127.0.0.1', port: 3000 }, { host: 'ecert.example.cn', port: 443 }, { host: '0.0.0.0', port: 4222 }], allowPrivate: false, localAddresses: ['10.1.2.3'] };
const dev: WebhookTargetPolicy = { ...prod, allowPrivate: true };

describe('webhook targets', () => {
  it('classifies addresses', () => {
    expect(addressCategory('8.8.8.8')).toBe('public');
    expect(addressCategory('127.0.0.5')).toBe('loopback');
    expect(addressCategory('::1')).toBe('loopback');
    expect(addressCategory('10.0.0.1')).toBe('private');
    expect(addressCategory('172.20.1.1')).toBe('private');
    expect(addressCategory('192.168.1.1')).toBe('private');
    expect(addressCategory('fd00::1')).toBe('private');
    expect(addressCategory('169.254.169.254')).toBe('link-local');
    expect(addressCategory('fe80::1')).toBe('link-local');
    expect(addressCategory('0.0.0.0')).toBe('reserved');
    expect(addressCategory('224.0.0.1')).toBe('reserved');
    expect(addressCategory('::ffff:127.0.0.1')).toBe('loopback');
    expect(addressCategory('::ffff:7f00:1')).toBe('loopback');
    expect(addressCategory('64:ff9b::a9fe:a9fe')).toBe('link-local');
    expect(addressCategory('2400:3200::1')).toBe('public');
    expect(addressCategory('not-an-ip')).toBe('reserved');
  });

  it('accepts public http(s) URLs', () => {
    expect(checkWebhookUrl('https://hook.example.cn/ecert?x=1', prod).ok).toBe(true);
    expect(checkWebhookUrl('http://203.119.1.1:8080/h', prod).ok).toBe(true);
  });

  it('refuses other schemes, credentials, fragments and junk', () => {
    for (const u of ['ftp://example.cn/x', 'file:///etc/passwd', 'javascript:alert(1)', 'gopher://example.cn', 'https://user:pw@example.cn/', 'https://example.cn/#x', 'not a url', '', 'https://' + 'a'.repeat(2100) + '.cn']) {
      expect(checkWebhookUrl(u, dev).ok, u).toBe(false);
    }
    expect(checkWebhookUrl(42, dev).ok).toBe(false);
  });

  it('refuses private, loopback and link-local targets unless allowed', () => {
    for (const u of ['http://127.0.0.1:9000/', 'http://[::1]:9000/', 'http://10.0.0.8/', 'http://2130706433/', 'http://0x7f.1/', 'http://localhost:9000/', 'http://intranet/']) {
      expect(checkWebhookUrl(u, prod).ok, u).toBe(false);
      expect(checkWebhookUrl(u, dev).ok, u).toBe(true);
    }
    expect(checkWebhookUrl('http://0.0.0.0:9000/', dev).ok).toBe(false);
  });

  it('never allows link-local targets (cloud metadata), not even in development', () => {
    for (const u of ['http://169.254.169.254/latest/meta-data', 'http://[fe80::1]/', 'http://[::ffff:169.254.169.254]/', 'http://[64:ff9b::a9fe:a9fe]/']) {
      expect(checkWebhookUrl(u, prod).ok, u).toBe(false);
      expect(checkWebhookUrl(u, dev).ok, u).toBe(false);
    }
    expect(refusedAddress('169.254.169.254', 80, dev)).toMatch(/link-local/);
    expect(refusedAddress('fe80::1', 80, dev)).toMatch(/link-local/);
  });

  it('refuses the IPv6 ranges that embed or translate other addresses', () => {
    for (const a of ['::8.8.8.8', '::ffff:8.8.8.8', '64:ff9b:1::808:808', '2002:808:808::1', 'fec0::1']) {
      expect(addressCategory(a), a).toBe('reserved');
      expect(refusedAddress(a, 443, dev), a).toMatch(/not a routable address/);
    }
    expect(addressCategory('64:ff9b::808:808')).toBe('public');
  });

  it('knows the platform by a trailing-dot name and by the addresses its names resolve to', () => {
    expect(checkWebhookUrl('https://ecert.example.cn./hook', dev).ok).toBe(false);
    expect(checkWebhookUrl('http://localhost.:3000/', dev).ok).toBe(false);
    const resolved: WebhookTargetPolicy = { ...prod, platformAddresses: [{ host: '8.8.4.4', port: 443 }] };
    expect(checkWebhookUrl('https://8.8.4.4/hook', resolved).ok).toBe(false);
    expect(refusedAddress('8.8.4.4', 443, resolved)).toMatch(/platform itself/);
    expect(refusedAddress('::ffff:8.8.4.4', 443, resolved)).toMatch(/platform itself/);
    expect(refusedAddress('8.8.4.4', 8443, resolved)).toBeUndefined();
  });

  it('refuses the platform itself even when private targets are allowed', () => {
    for (const u of ['http://127.0.0.1:3000/api/v1/clients', 'http://localhost:3000/', 'http://127.0.0.2:3000/', 'https://ecert.example.cn/hook', 'http://127.0.0.1:4222/', 'http://10.1.2.3:4222/']) {
      const r = checkWebhookUrl(u, dev);
      expect(r.ok, u).toBe(false);
    }
    expect(checkWebhookUrl('http://127.0.0.1:3001/', dev).ok).toBe(true);
  });

  it('checks resolved addresses at delivery', () => {
    expect(refusedAddress('93.184.216.34', 443, prod)).toBeUndefined();
    expect(refusedAddress('10.0.0.1', 443, prod)).toMatch(/private/);
    expect(refusedAddress('10.0.0.1', 443, dev)).toBeUndefined();
    expect(refusedAddress('127.0.0.1', 3000, dev)).toMatch(/platform/);
    expect(refusedAddress('::ffff:127.0.0.1', 3000, dev)).toMatch(/platform/);
  });
});
