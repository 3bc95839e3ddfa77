import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildCertificate, newSerialNumber } from './certificate-builder';
import { certificateProfiles } from './certificate-profiles';
import { buildName } from './distinguished-name';
import { classifyPersonalIdCode, PERSONAL_ID_HASH_PATTERN, personalIdHash } from './personal-id-code';
import { readPersonalIdCode } from './personal-id-extension';
import { ecdsaTestKey } from './test-signers.spec-helper';

const ID = '11010519491231002X';
const SALT = 'deployment-salt-0123456789';
const links = { crlUrl: 'http://a.example/c.crl', ocspUrl: 'http://a.example/ocsp', caIssuersUrl: 'http://a.example/ca.cer' };

async function personalCertificate(idCode: string): Promise<Uint8Array> {
  const ca = ecdsaTestKey();
  const subject = ecdsaTestKey();
  const name = buildName({ C: 'CN', O: '单位', CN: '张三' });
  return buildCertificate({
    issuer: { name: buildName({ C: 'CN', CN: 'Test CA' }), spki: ca.signer.spki },
    signer: ca.signer,
    subjectName: name,
    subjectSpki: subject.signer.spki,
    serialNumber: newSerialNumber(),
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    extensions: certificateProfiles.personal({ subjectSpki: subject.signer.spki, idNumber: idCode, ...links }),
  });
}

describe('personal ID code', () => {
  it('is HMAC-SM3 of the upper-cased number keyed with the salt, as openssl computes it', () => {
    const hash = personalIdHash(ID.toLowerCase(), SALT);
    expect(hash).toMatch(PERSONAL_ID_HASH_PATTERN);
    expect(hash).toBe(personalIdHash(ID, SALT));
    const openssl = execFileSync('openssl', ['dgst', '-sm3', '-hmac', SALT], { input: ID }).toString().trim().split('= ')[1];
    expect(hash).toBe(`hmac-sm3:${openssl}`);
  });

  it('depends on the salt and on every digit', () => {
    expect(personalIdHash(ID, `${SALT}x`)).not.toBe(personalIdHash(ID, SALT));
    expect(personalIdHash('110105194912310029', SALT)).not.toBe(personalIdHash(ID, SALT));
    expect(() => personalIdHash('1101051949', SALT)).toThrow();
    expect(() => personalIdHash(ID, '')).toThrow();
  });

  it('tells the two forms apart', () => {
    expect(classifyPersonalIdCode(ID)).toEqual({ kind: 'clear', idNumber: ID });
    const hash = personalIdHash(ID, SALT);
    expect(classifyPersonalIdCode(hash)).toEqual({ kind: 'hash', hash });
    expect(classifyPersonalIdCode('hmac-sm3:abc')).toBeUndefined();
  });

  it('a certificate in hash mode carries the hash and none of the ID digits; the reader gets it back', async () => {
    const hash = personalIdHash(ID, SALT);
    const der = await personalCertificate(hash);
    expect(readPersonalIdCode(der)).toEqual({ kind: 'hash', hash });
    const bytes = Buffer.from(der);
    expect(bytes.includes(Buffer.from(ID))).toBe(false);
    // Not even the birth date or the sequence digits.
    expect(bytes.includes(Buffer.from(ID.slice(6, 14)))).toBe(false);
    expect(bytes.includes(Buffer.from(ID.slice(10)))).toBe(false);
  });

  it('a certificate in clear mode carries the number', async () => {
    expect(readPersonalIdCode(await personalCertificate(ID))).toEqual({ kind: 'clear', idNumber: ID });
  });

  it('the profile refuses anything that is neither form', () => {
    const spki = ecdsaTestKey().signer.spki;
    for (const bad of ['hmac-sm3:ABC', `hmac-sm3:${'0'.repeat(63)}`, 'sha256:' + '0'.repeat(64), '1101051949123100']) {
      expect(() => certificateProfiles.personal({ subjectSpki: spki, idNumber: bad, ...links })).toThrow(/idNumber/);
    }
  });
});
