import { describe, expect, it } from 'vitest';
import { loadConfig } from '@ecert/common';
import { personalIdHash, readPersonalIdCode, type ParsedCsr } from '@ecert/pki';
import { ecdsaTestKey } from '../../../../libs/pki/src/x509/test-signers.spec-helper';
import { testIssuerRegistry } from '../testing/test-issuer-registry';
import { EndEntityIssuer } from './end-entity-issuer.service';
import type { SubscriberIdentity } from './subscriber-identity';

const ID = '11010519491231002X';
const SALT = 'unit-test-personal-id-salt';

const csr = (): ParsedCsr => ({ subjectSpki: ecdsaTestKey().signer.spki, keyFamily: 'ecdsa' }) as unknown as ParsedCsr;

const person = (extra: Partial<SubscriberIdentity>): SubscriberIdentity => ({
  profile: 'personal',
  unitName: '单位',
  uscc: '91440101MA5C00001N',
  accountNo: 'A1',
  regionCode: '440100',
  province: '广东省',
  city: '广州市',
  personName: '张三',
  ...extra,
});

async function issuer(mode: 'hash' | 'clear') {
  return new EndEntityIssuer(await testIssuerRegistry(), loadConfig({ ECERT_PERSONAL_ID_SALT: SALT, ECERT_PERSONAL_ID_IN_CERTIFICATE: mode }));
}

describe('EndEntityIssuer: the personal ID in certificates', () => {
  it('hash mode writes and returns the salted hash, never the number', async () => {
    const issued = await (await issuer('hash')).issue(person({ idNumber: ID }), csr());
    expect(issued.personIdHash).toBe(personalIdHash(ID, SALT));
    expect(readPersonalIdCode(issued.der)).toEqual({ kind: 'hash', hash: personalIdHash(ID, SALT) });
    expect(Buffer.from(issued.der).includes(Buffer.from(ID.slice(6, 14)))).toBe(false);
  });

  it('clear mode writes the number and still returns the hash for the database', async () => {
    const issued = await (await issuer('clear')).issue(person({ idNumber: ID }), csr());
    expect(readPersonalIdCode(issued.der)).toEqual({ kind: 'clear', idNumber: ID });
    expect(issued.personIdHash).toBe(personalIdHash(ID, SALT));
  });

  it('a renewal that knows only the stored hash carries it forward in either mode', async () => {
    const stored = personalIdHash(ID, 'the salt of an earlier year');
    for (const mode of ['hash', 'clear'] as const) {
      const issued = await (await issuer(mode)).issue(person({ idNumberHash: stored }), csr());
      expect(readPersonalIdCode(issued.der)).toEqual({ kind: 'hash', hash: stored });
      expect(issued.personIdHash).toBe(stored);
    }
  });

  it('unit certificates carry no personal ID', async () => {
    const issued = await (await issuer('hash')).issue({ ...person({}), profile: 'unit' }, csr());
    expect(issued.personIdHash).toBeUndefined();
    expect(readPersonalIdCode(issued.der)).toBeUndefined();
  });
});
