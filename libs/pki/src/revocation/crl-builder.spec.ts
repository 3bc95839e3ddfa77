import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificateList, CRLReason, CRLReasons, Extension } from '@peculiar/asn1-x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../crypto/signature-verifier';
import { buildCrl, type BuildCrlInput, type CrlEntry } from './crl-builder';
import { planDeltaEntries } from './crl-delta-planner';
import { DerReader, contentOf, encodedOf } from '../der/der-reader';
import { derOid, derSequence, derTlv } from '../der/der-writer';
import { subjectPublicKeyBits } from './public-key-bits';
import { RevocationInputError } from './revocation-input-error';
import { serialKey } from './serial-number';
import { TestPki, toPem } from './test-pki.spec-helper';
import { generateP256Signer, generateSm2Signer, verifySm2 } from './test-signer.spec-helper';

const T0 = new Date('2026-03-01T08:00:00.789Z');
const T1 = new Date('2026-03-08T08:00:00Z');
const DAY = 86_400_000;

/** A Name with one UTF8String CN, hand-made: buildCrl copies issuer names byte for byte. */
const cnName = (cn: string): Uint8Array =>
  derSequence(derTlv(0x31, derSequence(derOid('2.5.4.3'), derTlv(0x0c, Buffer.from(cn, 'utf8')))));

/** Splits a DER CertificateList into TBS bytes and signature value. */
function splitSigned(der: Uint8Array): { tbs: Uint8Array; signature: Uint8Array } {
  const outer = DerReader.inside(der, new DerReader(der).read(0x30));
  const tbs = encodedOf(der, outer.read(0x30));
  outer.read(0x30);
  const bits = contentOf(der, outer.read(0x03));
  return { tbs, signature: bits.subarray(1) };
}

function extensionsOf(list: CertificateList): Map<string, Extension> {
  return new Map((list.tbsCertList.crlExtensions ?? []).map((e) => [e.extnID, e]));
}

describe('buildCrl (structure)', () => {
  const signer = generateP256Signer();
  const issuerName = cnName('Test CA P-256 测试');
  const base = (over: Partial<BuildCrlInput> = {}): BuildCrlInput => ({
    issuerName,
    issuerSpki: signer.spki,
    signer,
    crlNumber: 42n,
    thisUpdate: T0,
    nextUpdate: T1,
    entries: [],
    ...over,
  });

  it('writes a v2 CRL with AKI and CRL number, issuer bytes unchanged, and no revokedCertificates when empty', async () => {
    const der = await buildCrl(base());
    const list = AsnConvert.parse(der, CertificateList);
    expect(list.tbsCertList.version).toBe(1); // v2
    expect(list.tbsCertList.revokedCertificates).toBeUndefined();
    expect(Buffer.from(AsnConvert.serialize(list.tbsCertList.issuer))).toEqual(Buffer.from(issuerName));
    expect(list.tbsCertList.nextUpdate?.getTime().getTime()).toBe(T1.getTime());
    // Milliseconds are dropped: DER times are whole seconds.
    expect(list.tbsCertList.thisUpdate.getTime().getTime()).toBe(Math.floor(T0.getTime() / 1000) * 1000);
    const exts = extensionsOf(list);
    expect([...exts.keys()]).toEqual(['2.5.29.35', '2.5.29.20']);
    const keyId = createHash('sha1').update(subjectPublicKeyBits(signer.spki)).digest('hex');
    expect(Buffer.from(exts.get('2.5.29.35')!.extnValue.buffer).toString('hex')).toBe(`30168014${keyId}`);
    expect(Buffer.from(exts.get('2.5.29.20')!.extnValue.buffer).toString('hex')).toBe('02012a');
    expect(exts.get('2.5.29.20')!.critical).toBe(false);
  });

  it('encodes entries: serial normalisation, reason codes (none for unspecified), invalidity date, hold instruction', async () => {
    const entries: CrlEntry[] = [
      { serial: 'a1', revokedAt: T0, reason: 'keyCompromise', invalidityDate: new Date('2026-02-27T00:00:00Z') },
      { serial: '00007f', revokedAt: T0, reason: 'unspecified' },
      { serial: Uint8Array.of(0x01, 0x02, 0x03), revokedAt: T0 },
      { serial: 'ABC', revokedAt: T0, reason: 'certificateHold', holdInstruction: 'callIssuer' },
      { serial: 'ff'.repeat(19), revokedAt: T0, reason: 'superseded' },
    ];
    const list = AsnConvert.parse(await buildCrl(base({ entries })), CertificateList);
    const revoked = list.tbsCertList.revokedCertificates!;
    expect(revoked.map((r) => Buffer.from(r.userCertificate).toString('hex'))).toEqual([
      '00a1',
      '7f',
      '010203',
      '0abc',
      `00${'ff'.repeat(19)}`,
    ]);
    const reasonOf = (i: number): number | undefined => {
      const ext = revoked[i]!.crlEntryExtensions?.find((e) => e.extnID === '2.5.29.21');
      return ext ? AsnConvert.parse(ext.extnValue, CRLReason).reason : undefined;
    };
    expect(reasonOf(0)).toBe(CRLReasons.keyCompromise);
    expect(revoked[1]!.crlEntryExtensions).toBeUndefined(); // unspecified → no extension at all
    expect(revoked[2]!.crlEntryExtensions).toBeUndefined();
    expect(reasonOf(3)).toBe(CRLReasons.certificateHold);
    expect(reasonOf(4)).toBe(CRLReasons.superseded);
    const invalidity = revoked[0]!.crlEntryExtensions!.find((e) => e.extnID === '2.5.29.24')!;
    expect(Buffer.from(invalidity.extnValue.buffer).toString('latin1')).toContain('20260227000000Z'); // GeneralizedTime
    const hold = revoked[3]!.crlEntryExtensions!.find((e) => e.extnID === '2.5.29.23')!;
    expect(Buffer.from(hold.extnValue.buffer).toString('hex')).toBe('06072a8648ce380202'); // id-holdinstruction-callissuer
  });

  it('repeats an imported CA\'s own SKI as AKI when given, and is verifiable with crypto/verifySignature', async () => {
    const ski = Uint8Array.of(0xca, 0xfe, 0xba, 0xbe);
    const der = await buildCrl(base({ issuerKeyIdentifier: ski }));
    const aki = extensionsOf(AsnConvert.parse(der, CertificateList)).get('2.5.29.35')!;
    expect(Buffer.from(aki.extnValue.buffer).toString('hex')).toBe('30068004cafebabe');
    const { tbs, signature } = splitSigned(der);
    expect(verifySignature({ spki: signer.spki, signatureAlgorithmOid: signer.signatureAlgorithmOid, data: tbs, signature })).toBe(true);
    expect(await buildCrl(base({ issuerKeyIdentifier: new Uint8Array(0) })).catch((e: unknown) => e)).toBeInstanceOf(RevocationInputError);
  });

  it('uses UTCTime before 2050 and GeneralizedTime from 2050 (RFC 5280 §5.1.2.4)', async () => {
    const late = new Date('2050-01-01T00:00:00Z');
    const der = await buildCrl(
      base({ thisUpdate: new Date('2049-12-31T23:59:59Z'), nextUpdate: late, entries: [{ serial: '01', revokedAt: late }] }),
    );
    const hex = Buffer.from(der).toString('hex');
    expect(hex).toContain(`170d${Buffer.from('491231235959Z').toString('hex')}`);
    expect(hex).toContain(`180f${Buffer.from('20500101000000Z').toString('hex')}`);
  });

  it('marks a delta CRL with a critical delta CRL indicator and writes IDP and Freshest CRL', async () => {
    const delta = AsnConvert.parse(
      await buildCrl(
        base({
          crlNumber: 43n,
          deltaOf: 42n,
          entries: [{ serial: '05', revokedAt: T0, reason: 'removeFromCRL' }],
          issuingDistributionPoint: { urls: ['http://crl.ecert.test/p1.crl'], onlyContainsUserCerts: true },
        }),
      ),
      CertificateList,
    );
    const exts = extensionsOf(delta);
    expect(exts.get('2.5.29.27')!.critical).toBe(true);
    expect(Buffer.from(exts.get('2.5.29.27')!.extnValue.buffer).toString('hex')).toBe('02012a');
    expect(exts.get('2.5.29.28')!.critical).toBe(true);
    const idp = Buffer.from(exts.get('2.5.29.28')!.extnValue.buffer);
    expect(idp.toString('hex')).toBe(
      `3025a020a01e861c${Buffer.from('http://crl.ecert.test/p1.crl').toString('hex')}8101ff`,
    );

    const complete = AsnConvert.parse(await buildCrl(base({ freshestCrlUrl: 'http://crl.ecert.test/delta.crl' })), CertificateList);
    const freshest = extensionsOf(complete).get('2.5.29.46')!;
    expect(freshest.critical).toBe(false);
    expect(Buffer.from(freshest.extnValue.buffer).toString('hex')).toBe(
      `3027 3025 a023 a021 861f ${Buffer.from('http://crl.ecert.test/delta.crl').toString('hex')}`.replace(/ /g, ''),
    );
  });

  it('rejects what must not be signed', async () => {
    const bad: Array<[Partial<BuildCrlInput>, string]> = [
      [{ entries: [{ serial: '01', revokedAt: T0 }, { serial: Uint8Array.of(0, 1), revokedAt: T0 }] }, 'entries[1].serial'],
      [{ entries: [{ serial: '01', revokedAt: T0, reason: 'removeFromCRL' }] }, 'entries[0].reason'],
      [{ entries: [{ serial: 'xyz', revokedAt: T0 }] }, 'entries[0].serial'],
      [{ entries: [{ serial: '', revokedAt: T0 }] }, 'entries[0].serial'],
      [{ entries: [{ serial: '0000', revokedAt: T0 }] }, 'entries[0].serial'],
      [{ entries: [{ serial: 'ff'.repeat(20), revokedAt: T0 }] }, 'entries[0].serial'], // 21 octets with sign byte
      [{ entries: [{ serial: '01', revokedAt: new Date(Number.NaN) }] }, 'entries[0].revokedAt'],
      [{ entries: [{ serial: '01', revokedAt: T0, reason: 'keyCompromise', holdInstruction: 'reject' }] }, 'entries[0].holdInstruction'],
      [{ entries: [{ serial: '01', revokedAt: T0, reason: 'bogus' as never }] }, 'entries[0].reason'],
      [{ nextUpdate: T0 }, 'nextUpdate'],
      [{ crlNumber: -1n }, 'crlNumber'],
      [{ crlNumber: 1n << 160n }, 'crlNumber'],
      [{ deltaOf: 42n }, 'deltaOf'],
      [{ crlNumber: 43n, deltaOf: 42n, freshestCrlUrl: 'http://x.test/d.crl' }, 'freshestCrlUrl'],
      [{ issuingDistributionPoint: {} }, 'issuingDistributionPoint'],
      [{ issuingDistributionPoint: { onlyContainsCACerts: true, onlyContainsUserCerts: true } }, 'issuingDistributionPoint'],
      [{ issuingDistributionPoint: { urls: ['not a url'] } }, 'issuingDistributionPoint.urls'],
      [{ freshestCrlUrl: 'http://例子.test/d.crl' }, 'freshestCrlUrl'],
      [{ issuerSpki: generateP256Signer().spki }, 'signer'],
      [{ issuerName: Uint8Array.of(0x30, 0x05, 0x00) }, 'issuerName'],
    ];
    for (const [over, field] of bad) {
      const error = await buildCrl(base(over)).catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(RevocationInputError);
      expect((error as RevocationInputError).field, JSON.stringify(over, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).toBe(field);
    }
  });

  it('builds 100,000 entries into a well-formed list (no timing here; see the report for measurements)', async () => {
    const entries: CrlEntry[] = Array.from({ length: 100_000 }, (_, i) => ({
      serial: (0x1000_0000_0000_0000n + BigInt(i) * 7919n).toString(16),
      revokedAt: new Date(T0.getTime() - (i % 1000) * DAY),
      reason: i % 3 === 0 ? 'keyCompromise' : i % 3 === 1 ? 'certificateHold' : undefined,
    }));
    const der = await buildCrl(base({ entries }));
    const tbs = DerReader.inside(der, DerReader.inside(der, new DerReader(der).read(0x30)).read(0x30));
    for (let i = 0; i < 5; i++) tbs.read(); // version, signature, issuer, thisUpdate, nextUpdate
    const list = DerReader.inside(der, tbs.read(0x30));
    let count = 0;
    while (!list.done) {
      list.read(0x30);
      count++;
    }
    expect(count).toBe(100_000);
  });
});

describe.each(['ec', 'rsa'] as const)('buildCrl against openssl (%s CA)', (kind) => {
  let pki: TestPki;
  let good: ReturnType<TestPki['issueLeaf']>;
  let revoked: ReturnType<TestPki['issueLeaf']>;
  let held: ReturnType<TestPki['issueLeaf']>;
  let later: ReturnType<TestPki['issueLeaf']>;
  let partitioned: ReturnType<TestPki['issueLeaf']>;

  beforeAll(() => {
    pki = TestPki.create(kind);
    good = pki.issueLeaf('good', '1a2b3c4d5e6f7081');
    revoked = pki.issueLeaf('revoked', '8a2b3c4d5e6f7082'); // top bit set: sign byte needed
    held = pki.issueLeaf('held', '3a2b3c4d5e6f7083');
    later = pki.issueLeaf('later', '4a2b3c4d5e6f7084');
    partitioned = pki.issueLeaf('partitioned', '5a2b3c4d5e6f7085', { crlDistributionPoint: true });
  });
  afterAll(() => pki.cleanup());

  const now = (): Date => new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const crlInput = (over: Partial<BuildCrlInput>): BuildCrlInput => ({
    issuerName: pki.ca.subject,
    issuerSpki: pki.ca.spki,
    signer: pki.ca.signer,
    crlNumber: 1n,
    thisUpdate: now(),
    nextUpdate: new Date(Date.now() + DAY),
    entries: [],
    ...over,
  });
  const writeCrl = (name: string, der: Uint8Array): string => pki.write(name, toPem('X509 CRL', der));
  const verify = (leaf: { pem: string }, crlFiles: string[], extra: string[] = []): string =>
    pki.run(['verify', '-crl_check', ...extra, '-CAfile', pki.ca.pem, ...crlFiles.flatMap((f) => ['-CRLfile', f]), leaf.pem]).output;

  it('is accepted by openssl crl: signature, number, AKI = CA SKI, reasons', async () => {
    const der = await buildCrl(
      crlInput({
        crlNumber: 7n,
        freshestCrlUrl: 'http://crl.ecert.test/delta.crl',
        entries: [
          { serial: '8a2b3c4d5e6f7082', revokedAt: now(), reason: 'keyCompromise', invalidityDate: new Date('2026-01-02T03:04:05Z') },
          { serial: '3a2b3c4d5e6f7083', revokedAt: now(), reason: 'certificateHold', holdInstruction: 'callIssuer' },
        ],
      }),
    );
    const file = pki.write('full.der', der);
    expect(pki.run(['crl', '-inform', 'DER', '-in', file, '-CAfile', pki.ca.pem, '-noout']).output).toContain('verify OK');
    const text = pki.run(['crl', '-inform', 'DER', '-in', file, '-text', '-noout']).output;
    expect(text).toMatch(/X509v3 CRL Number:\s*\n\s*7\b/);
    expect(text).toContain('Version 2 (0x1)');
    expect(text).toContain('Serial Number: 8A2B3C4D5E6F7082');
    expect(text).toContain('Key Compromise');
    expect(text).toContain('Invalidity Date');
    expect(text).toContain('Certificate Hold');
    expect(text).toContain('Hold Instruction Code');
    expect(text).toMatch(/Freshest CRL:\s*\n\s*Full Name:\s*\n\s*URI:http:\/\/crl\.ecert\.test\/delta\.crl/);
    const ski = pki.run(['x509', '-in', pki.ca.pem, '-noout', '-ext', 'subjectKeyIdentifier']).output.split('\n')[1]!.trim();
    expect(text).toContain(ski);
  });

  it('makes openssl verify -crl_check report listed leaves revoked and unlisted ones OK', async () => {
    const crl = writeCrl(
      'full.pem',
      await buildCrl(
        crlInput({
          entries: [
            { serial: '8a2b3c4d5e6f7082', revokedAt: now(), reason: 'keyCompromise' },
            { serial: '3a2b3c4d5e6f7083', revokedAt: now(), reason: 'certificateHold' },
          ],
        }),
      ),
    );
    expect(verify(revoked, [crl])).toContain('certificate revoked');
    expect(verify(held, [crl])).toContain('certificate revoked');
    const ok = verify(good, [crl]);
    expect(ok).toContain(`${good.pem}: OK`);
  });

  it('combines base and delta in openssl -use_deltas: lifted hold is OK again, new revocation is revoked', async () => {
    const t = now();
    const baseEntries: CrlEntry[] = [
      { serial: '8a2b3c4d5e6f7082', revokedAt: t, reason: 'keyCompromise' },
      { serial: '3a2b3c4d5e6f7083', revokedAt: t, reason: 'certificateHold' },
    ];
    const baseCrl = writeCrl(
      'base.pem',
      await buildCrl(crlInput({ crlNumber: 10n, entries: baseEntries, freshestCrlUrl: 'http://crl.ecert.test/delta.crl' })),
    );
    // Since the base: the hold was lifted and `later` was revoked.
    const deltaEntries = planDeltaEntries({
      baseListed: new Map(baseEntries.map((e) => [e.serial as string, e])),
      current: new Map([
        ['8a2b3c4d5e6f7082', baseEntries[0]!],
        ['4a2b3c4d5e6f7084', { serial: '4a2b3c4d5e6f7084', revokedAt: t, reason: 'superseded' }],
      ]),
      at: t,
    });
    const deltaDer = await buildCrl(crlInput({ crlNumber: 11n, deltaOf: 10n, entries: deltaEntries }));
    const deltaCrl = writeCrl('delta.pem', deltaDer);
    const text = pki.run(['crl', '-in', deltaCrl, '-text', '-noout']).output;
    expect(text).toMatch(/X509v3 Delta CRL Indicator: critical\s*\n\s*10\b/);
    expect(text).toContain('Remove From CRL');
    expect(text).toContain('Superseded');
    expect(text).not.toContain('8A2B3C4D5E6F7082'); // unchanged since the base: not repeated

    expect(verify(held, [baseCrl])).toContain('certificate revoked'); // base alone
    expect(verify(held, [baseCrl, deltaCrl], ['-use_deltas'])).toContain(`${held.pem}: OK`);
    expect(verify(later, [baseCrl])).toContain(`${later.pem}: OK`);
    expect(verify(later, [baseCrl, deltaCrl], ['-use_deltas'])).toContain('certificate revoked');
    expect(verify(revoked, [baseCrl, deltaCrl], ['-use_deltas'])).toContain('certificate revoked');
    expect(verify(good, [baseCrl, deltaCrl], ['-use_deltas'])).toContain(`${good.pem}: OK`);
  });

  it('scopes a partitioned CRL with its issuing distribution point', async () => {
    const entries: CrlEntry[] = [{ serial: '5a2b3c4d5e6f7085', revokedAt: now(), reason: 'affiliationChanged' }];
    const matching = writeCrl(
      'p1.pem',
      await buildCrl(crlInput({ entries, issuingDistributionPoint: { urls: ['http://crl.ecert.test/part-1.crl'], onlyContainsUserCerts: true } })),
    );
    expect(verify(partitioned, [matching])).toContain('certificate revoked');
    const other = writeCrl(
      'p2.pem',
      await buildCrl(crlInput({ entries, issuingDistributionPoint: { urls: ['http://crl.ecert.test/part-2.crl'] } })),
    );
    // A CRL for another partition does not cover this certificate: openssl refuses it, never says OK.
    expect(verify(partitioned, [other])).toContain('different CRL scope');
  });

  it('writes a 100,000-entry CRL that openssl reads and verifies', async () => {
    const entries: CrlEntry[] = Array.from({ length: 100_000 }, (_, i) => ({
      serial: (0x7000_0000_0000_0000n + BigInt(i)).toString(16),
      revokedAt: now(),
      reason: 'keyCompromise',
    }));
    entries.push({ serial: '8a2b3c4d5e6f7082', revokedAt: now(), reason: 'keyCompromise' });
    const file = pki.write('big.der', await buildCrl(crlInput({ entries })));
    expect(pki.run(['crl', '-inform', 'DER', '-in', file, '-CAfile', pki.ca.pem, '-noout']).output).toContain('verify OK');
    const pem = pki.run(['crl', '-inform', 'DER', '-in', file, '-out', 'big.pem']);
    expect(pem.status).toBe(0);
    expect(verify(revoked, [pki.path('big.pem')])).toContain('certificate revoked');
  });
});

describe('buildCrl with an SM2 CA key', () => {
  it('signs SM2-with-SM3 over the TBS bytes, verifiable by sm-crypto-v2 and openssl dgst with the standard ID', async () => {
    const signer = generateSm2Signer();
    const issuerName = cnName('Test SM2 CA');
    const der = await buildCrl({
      issuerName,
      issuerSpki: signer.spki,
      signer,
      crlNumber: 3n,
      thisUpdate: T0,
      nextUpdate: T1,
      entries: [{ serial: '0123456789abcdef', revokedAt: T0, reason: 'certificateHold' }],
    });
    const { tbs, signature } = splitSigned(der);
    expect(verifySm2(signer.publicKeyHex, tbs, signature)).toBe(true);
    expect(verifySignature({ spki: signer.spki, signatureAlgorithmOid: signer.signatureAlgorithmOid, data: tbs, signature })).toBe(true);
    const tampered = Uint8Array.from(tbs);
    tampered[tampered.length - 1]! ^= 1;
    expect(verifySm2(signer.publicKeyHex, tampered, signature)).toBe(false);
    expect(Buffer.from(der).toString('hex')).toContain('300a06082a811ccf55018375'); // sm2-with-SM3, no parameters

    const pki = TestPki.create('ec'); // only for its temp dir and openssl runner
    try {
      pki.write('tbs.der', tbs);
      pki.write('sig.der', signature);
      pki.write('pub.pem', toPem('PUBLIC KEY', signer.spki));
      const r = pki.run(['dgst', '-sm3', '-sigopt', 'distid:1234567812345678', '-verify', 'pub.pem', '-signature', 'sig.der', 'tbs.der']);
      expect(r.output).toContain('Verified OK');
      const text = pki.run(['crl', '-inform', 'DER', '-in', pki.write('sm2.der', der), '-text', '-noout']).output;
      expect(text).toContain('SM2-with-SM3');
      expect(text).toContain('Certificate Hold');
    } finally {
      pki.cleanup();
    }
  });

  it('keys serials canonically', () => {
    expect(serialKey('00A1')).toBe('a1');
    expect(serialKey(Uint8Array.of(0, 0, 0xa1))).toBe('a1');
    expect(serialKey('abc')).toBe('0abc');
    expect(serialKey('00')).toBe('00');
    expect(() => serialKey('0x12')).toThrow(RevocationInputError);
  });
});
