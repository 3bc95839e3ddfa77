import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@ecert/common';
import { encodePem, PROFILE_OID } from '@ecert/pki';
import { createForeignSealMaker, createTestPki, type TestPki } from '../../../../libs/ses/src/test-pki.spec-helper';
import { ECERT_MAKER_LIST, FOREIGN_MAKER_LIST, LEGACY_MAKER_LIST, loadForeignMakerAnchors, SealMakerTrust } from './seal-maker-trust';

const dir = mkdtempSync(join(tmpdir(), 'ecert-maker-trust-'));
let a: Uint8Array;
let b: Uint8Array;
let pki: TestPki;

beforeAll(async () => {
  [a, b] = [(await createForeignSealMaker(new Date(), '甲省')).root.cert, (await createForeignSealMaker(new Date(), '乙省')).root.cert];
  pki = await createTestPki();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, content: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe('ECERT_SEAL_MAKER_TRUST', () => {
  it('empty: no foreign makers', () => {
    expect(loadForeignMakerAnchors('')).toEqual([]);
  });

  it('reads a PEM bundle, a DER file and a directory of them', () => {
    const bundle = file('bundle.pem', encodePem('CERTIFICATE', a) + encodePem('CERTIFICATE', b));
    expect(loadForeignMakerAnchors(bundle)).toHaveLength(2);
    const sub = mkdtempSync(join(dir, 'd-'));
    writeFileSync(join(sub, 'a.pem'), encodePem('CERTIFICATE', a));
    writeFileSync(join(sub, 'b.der'), b);
    writeFileSync(join(sub, 'README.txt'), 'not a certificate, not read');
    expect(loadForeignMakerAnchors(sub).map((d) => Buffer.from(d).toString('hex'))).toEqual([a, b].map((d) => Buffer.from(d).toString('hex')));
  });

  it('a configured path that gives no certificate stops the service (ConfigError naming the setting)', () => {
    expect(() => loadForeignMakerAnchors(join(dir, 'missing.pem'))).toThrow(ConfigError);
    expect(() => loadForeignMakerAnchors(file('junk.pem', 'hello'))).toThrow(/ECERT_SEAL_MAKER_TRUST=.*not a certificate file/);
    expect(() => loadForeignMakerAnchors(mkdtempSync(join(dir, 'empty-')))).toThrow(/no certificate found/);
  });

  it("lists ecert's makers with the purpose, the foreign anchors without, and stored seals' makers only when asked", () => {
    const trust = new SealMakerTrust(loadConfig({ ECERT_SEAL_MAKER_TRUST: file('one.pem', encodePem('CERTIFICATE', a)) }));
    const cas = [
      { role: 'root', subject: 'ecert root', certificatePem: encodePem('CERTIFICATE', pki.root.cert) },
      { role: 'issuing', subject: 'ecert issuing', certificatePem: encodePem('CERTIFICATE', pki.issuing.cert) },
    ] as never;
    const { lists, summary } = trust.lists(cas);
    expect(lists.map((l) => [l.label, l.requiredPurpose])).toEqual([
      [ECERT_MAKER_LIST, PROFILE_OID.kpEcertSealMaking],
      [FOREIGN_MAKER_LIST, undefined],
    ]);
    expect(summary[0]).toEqual({ label: ECERT_MAKER_LIST, anchors: ['ecert root'], requiredPurpose: PROFILE_OID.kpEcertSealMaking });
    expect(summary[1]!.anchors[0]).toContain('甲省');
    expect(trust.lists(cas, true).lists.map((l) => l.label)).toEqual([ECERT_MAKER_LIST, FOREIGN_MAKER_LIST, LEGACY_MAKER_LIST]);
  });
});
