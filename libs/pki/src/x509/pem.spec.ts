import { describe, expect, it } from 'vitest';
import { PemError, decodePem, decodePemAll, encodePem, looksLikePem } from './pem';

const der = Uint8Array.from({ length: 100 }, (_, i) => i);

describe('pem', () => {
  it('round-trips with 64-character lines', () => {
    const pem = encodePem('CERTIFICATE', der);
    const lines = pem.trimEnd().split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----');
    expect(lines.at(-1)).toBe('-----END CERTIFICATE-----');
    expect(lines.slice(1, -1).every((l) => l.length <= 64)).toBe(true);
    expect(decodePem(pem)).toEqual({ label: 'CERTIFICATE', der });
  });

  it('tolerates CRLF and text around blocks, and picks the wanted label', () => {
    const text = `subject=CN = x\r\n${encodePem('PUBLIC KEY', der.subarray(0, 3)).replace(/\n/g, '\r\n')}${encodePem('CERTIFICATE REQUEST', der)}`;
    expect(decodePemAll(text).map((b) => b.label)).toEqual(['PUBLIC KEY', 'CERTIFICATE REQUEST']);
    expect(decodePem(text, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']).der).toEqual(der);
    expect(() => decodePem(text, 'CERTIFICATE')).toThrow(PemError);
  });

  it('rejects truncated blocks, mismatched labels, bad base64 and encrypted headers', () => {
    const pem = encodePem('CERTIFICATE', der);
    expect(() => decodePem(pem.slice(0, pem.length - 20))).toThrow(/truncated/);
    expect(() => decodePem(pem.replace('END CERTIFICATE', 'END X509 CRL'))).toThrow(PemError);
    expect(() => decodePem(pem.replace(/\n[A-Za-z0-9+/]{4}/, '\n*!*!'))).toThrow(/base64/);
    expect(() => decodePem(pem.replace('-----\n', '-----\nProc-Type: 4,ENCRYPTED\n\n'))).toThrow(/headers/);
    expect(() => decodePem('no pem here')).toThrow(PemError);
    expect(() => encodePem('bad--label', der)).toThrow(PemError);
  });

  it('tells PEM from DER', () => {
    expect(looksLikePem('  \n-----BEGIN CERTIFICATE-----')).toBe(true);
    expect(looksLikePem(new TextEncoder().encode('-----BEGIN X'))).toBe(true);
    expect(looksLikePem(der)).toBe(false);
  });
});
