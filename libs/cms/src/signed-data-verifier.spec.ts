import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DER_NULL, concatBytes, derExplicit, derOctetString, derOid, derSequence, derTlv } from '@ecert/pki';
import { parseCertificate } from '@ecert/ses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestChunks } from './chunk-digester';
import { CmsError } from './cms-error';
import { CMS_OID } from './cms-oids';
import type { CmsDigestAlgorithm } from './cms-types';
import { derSetOf } from './der-set-writer';
import { signDetached } from './detached-signer';
import { digestAlgorithmOf } from './digest-algorithm-reader';
import { parseSignedData } from './signed-data-parser';
import { verifySignedData } from './signed-data-verifier';
import { createCmsTestPki, opensslCmsVerify, opensslStatus, type CmsTestPki, type TestKeyKind } from './test-pki.spec-helper';

const content = new Uint8Array(randomBytes(30_000));
const pkis = new Map<TestKeyKind, CmsTestPki>();
beforeAll(() => {
  for (const kind of ['p256', 'rsa2048', 'sm2'] as const) pkis.set(kind, createCmsTestPki(kind));
});
afterAll(() => {
  for (const p of pkis.values()) p.ws.cleanup();
});

const codes = (problems: readonly string[]) => problems.map((p) => p.split(':')[0]);

/** A copy of `cms` with one bit of `part` (found inside it) flipped. */
function flipInside(cms: Uint8Array, part: Uint8Array, at: number): Uint8Array {
  const i = Buffer.from(cms).indexOf(Buffer.from(part));
  expect(i).toBeGreaterThan(0);
  const out = cms.slice();
  out[i + at]! ^= 0x01;
  return out;
}

describe.each([
  ['p256', 'pades', 'sha256'],
  ['rsa2048', 'pades', 'sha256'],
  ['sm2', 'gbt35275', 'sm3'],
] as const)('verifySignedData on ecert %s containers', (kind, family, alg) => {
  let cms: Uint8Array;
  beforeAll(async () => {
    const pki = pkis.get(kind)!;
    cms = await signDetached(digestChunks([content], alg), family, pki.signer, pki.leafDer, [pki.caDer]);
  });

  it('passes, names the digest and returns the certificates', () => {
    expect(digestAlgorithmOf(cms)).toBe(alg);
    const v = verifySignedData(cms, digestChunks([content], alg));
    expect(v).toMatchObject({ family, digestAlgorithm: alg, digestMatches: true, signatureValid: true, signingCertificateV2Matches: true, problems: [] });
    expect(v.certificates).toHaveLength(2);
    expect(v.timestampToken).toBeUndefined();
  });

  it('reports HASH_FAILURE for other content, the signature still valid', () => {
    const other = content.slice();
    other[0]! ^= 1;
    const v = verifySignedData(cms, digestChunks([other], alg));
    expect(v.digestMatches).toBe(false);
    expect(v.signatureValid).toBe(true);
    expect(codes(v.problems)).toEqual(['HASH_FAILURE']);
    expect(codes(verifySignedData(cms, new Uint8Array(20)).problems)).toEqual(['HASH_FAILURE']);
  });

  it('reports SIG_CRYPTO_FAILURE for a changed signature value and for changed signed attributes', () => {
    const si = parseSignedData(cms).signerInfos[0]!;
    const badSig = verifySignedData(flipInside(cms, si.signature, 10), digestChunks([content], alg));
    expect(badSig.signatureValid).toBe(false);
    expect(badSig.digestMatches).toBe(true);
    expect(codes(badSig.problems)).toEqual(['SIG_CRYPTO_FAILURE']);

    // a bit of the ESSCertIDv2 certHash: the signature breaks and the certificate binding too
    const certHash = digestChunks([pkis.get(kind)!.leafDer], alg);
    const badAttrs = verifySignedData(flipInside(cms, certHash, 5), digestChunks([content], alg));
    expect(badAttrs.signatureValid).toBe(false);
    expect(badAttrs.signingCertificateV2Matches).toBe(false);
    expect(codes(badAttrs.problems).sort()).toEqual(['SIGNING_CERTIFICATE_MISMATCH', 'SIG_CRYPTO_FAILURE']);
  });
});

describe('verifySignedData on containers made by openssl cms -sign (third party)', () => {
  function opensslSign(kind: TestKeyKind, args: string[], md: CmsDigestAlgorithm | 'sha1' = 'sha256'): Uint8Array {
    const pki = pkis.get(kind)!;
    pki.ws.write('data.bin', content);
    pki.ws.run(['cms', '-sign', '-binary', '-md', md, '-in', 'data.bin', '-signer', 'leaf.pem', '-inkey', 'leaf.key', '-certfile', 'ca.pem', '-outform', 'DER', '-out', 'ossl.der', ...args]);
    return new Uint8Array(readFileSync(pki.ws.path('ossl.der')));
  }

  it.each<[TestKeyKind, string[], string]>([
    ['p256', [], 'default attributes (signingTime, smimeCapabilities; no ESS)'],
    ['p256', ['-cades'], 'CAdES (signing-certificate-v2)'],
    ['p256', ['-keyid'], 'signer named by subjectKeyIdentifier'],
    ['p256', ['-stream'], 'streamed BER with indefinite lengths (openssl then encapsulates the content too)'],
    ['rsa2048', [], 'RSA PKCS#1 v1.5 (signatureAlgorithm rsaEncryption)'],
    ['rsa2048', ['-keyopt', 'rsa_padding_mode:pss'], 'RSASSA-PSS'],
  ])('%s %j: %s', (kind, args) => {
    const cms = opensslSign(kind, args);
    if (args.includes('-stream')) expect(Buffer.from(cms.subarray(0, 2)).toString('hex')).toBe('3080');
    expect(digestAlgorithmOf(cms)).toBe('sha256');
    const v = verifySignedData(cms, digestChunks([content], 'sha256'));
    expect(v.problems).toEqual(args.includes('-stream') ? [expect.stringMatching(/^FORMAT_FAILURE: the content is encapsulated/)] : []);
    expect(v).toMatchObject({ family: 'pades', oidFamily: 'pkcs7', digestAlgorithm: 'sha256', digestMatches: true, signatureValid: true });
    expect(v.signingCertificateV2Matches).toBe(args.includes('-cades') ? true : undefined);
    expect(Buffer.from(v.signerCertificate!).equals(Buffer.from(pkis.get(kind)!.leafDer))).toBe(true);

    const tampered = content.slice();
    tampered[123]! ^= 0x80;
    expect(codes(verifySignedData(cms, digestChunks([tampered], 'sha256')).problems)).toContain('HASH_FAILURE');
  });

  it('names SHA-384 so the caller digests with it', () => {
    const cms = opensslSign('p256', [], 'sha384');
    expect(digestAlgorithmOf(cms)).toBe('sha384');
    expect(verifySignedData(cms, digestChunks([content], 'sha384'))).toMatchObject({ digestMatches: true, signatureValid: true, problems: [] });
  });

  it('refuses SHA-1 (CRYPTO_CONSTRAINTS_FAILURE) and says so in digestAlgorithmOf', () => {
    const cms = opensslSign('p256', [], 'sha1');
    expect(() => digestAlgorithmOf(cms)).toThrow(expect.objectContaining({ code: 'unsupported_algorithm' }));
    const v = verifySignedData(cms, new Uint8Array(20));
    expect(v.digestAlgorithm).toBe('sha1');
    expect(codes(v.problems)).toContain('CRYPTO_CONSTRAINTS_FAILURE');
    expect(v.digestMatches).toBe(false);
  });

  it('reports SIGNING_CERTIFICATE_NOT_FOUND when the container carries no certificates', () => {
    const cms = opensslSign('p256', ['-nocerts']);
    const v = verifySignedData(cms, digestChunks([content], 'sha256'));
    expect(v.signatureValid).toBe(false);
    expect(v.digestMatches).toBe(true);
    expect(codes(v.problems)).toEqual(['SIGNING_CERTIFICATE_NOT_FOUND']);
  });

  it('flags an attached (non-detached) container', () => {
    const cms = opensslSign('p256', ['-nodetach']);
    const v = verifySignedData(cms, digestChunks([content], 'sha256'));
    expect(v.signatureValid).toBe(true);
    expect(v.digestMatches).toBe(true);
    expect(v.problems).toEqual([expect.stringMatching(/^FORMAT_FAILURE: the content is encapsulated/)]);
  });
});

describe('an SM2 signature in a PKCS#7-OID SignedData, as some Chinese products write it', () => {
  /**
   * Built here the way GM/T 0010-style products do: PKCS#7 content types, SM3 with NULL
   * parameters, signatureAlgorithm SM2-1 (1.2.156.10197.1.301.1), a signing-time, no ESS.
   */
  async function productContainer(pki: CmsTestPki): Promise<Uint8Array> {
    const cert = parseCertificate(pki.leafDer);
    const attr = (oid: string, value: Uint8Array) => derSequence(derOid(oid), derSetOf([value]));
    const sm3Alg = derSequence(derOid(CMS_OID.sm3), DER_NULL);
    const attrs = derSetOf([
      attr(CMS_OID.contentType, derOid(CMS_OID.data)),
      attr(CMS_OID.signingTime, derTlv(0x17, new TextEncoder().encode('260101000000Z'))),
      attr(CMS_OID.messageDigest, derOctetString(digestChunks([content], 'sm3'))),
    ]);
    const signature = await pki.signer.sign(attrs);
    const signerInfo = derSequence(
      Uint8Array.of(2, 1, 1),
      derSequence(cert.issuerDer, derTlv(0x02, Buffer.from(cert.serialNumberHex, 'hex'))),
      sm3Alg,
      concatBytes(Uint8Array.of(0xa0), attrs.subarray(1)),
      derSequence(derOid(CMS_OID.sm2Sign)),
      derOctetString(signature),
    );
    const sd = derSequence(Uint8Array.of(2, 1, 1), derSetOf([sm3Alg]), derSequence(derOid(CMS_OID.data)), derTlv(0xa0, pki.leafDer), derSetOf([signerInfo]));
    return derSequence(derOid(CMS_OID.signedData), derExplicit(0, sd));
  }

  it('verifies as family gbt35275 with oidFamily pkcs7', async () => {
    const pki = pkis.get('sm2')!;
    const cms = await productContainer(pki);
    expect(digestAlgorithmOf(cms)).toBe('sm3');
    const v = verifySignedData(cms, digestChunks([content], 'sm3'));
    expect(v).toMatchObject({ family: 'gbt35275', oidFamily: 'pkcs7', digestAlgorithm: 'sm3', digestMatches: true, signatureValid: true, problems: [] });
    expect(v.signingCertificateV2Matches).toBeUndefined();

    const r = opensslCmsVerify(pki, cms, content);
    // Recorded for docs/cms.md: OpenSSL 3.0 verifies SM2 in CMS with an empty signer ID, not 1234567812345678.
    console.info(`openssl cms -verify on a PKCS#7-OID SM2 container: ${r.ok ? 'accepted' : `refused: ${r.out.trim().replace(/\s+/g, ' ')}`}`);
    const sigOnly = opensslStatus(pki, ['cms', '-verify', '-noverify', '-binary', '-inform', 'DER', '-in', 'sig.der', '-content', 'data.bin', '-out', 'out.bin']);
    console.info(`openssl cms -verify -noverify (signature only): ${sigOnly.ok ? 'accepted' : `refused: ${sigOnly.out.trim().replace(/\s+/g, ' ')}`}`);
  });
});

describe('malformed input', () => {
  it.each([
    ['empty', new Uint8Array(0)],
    ['not DER', Uint8Array.of(0x30, 0x85, 1, 2)],
    ['another content type', derSequence(derOid(CMS_OID.data), derExplicit(0, derOctetString(Uint8Array.of(1))))],
    ['trailing bytes', concatBytes(derSequence(derOid(CMS_OID.signedData)), Uint8Array.of(0))],
  ])('%s: FORMAT_FAILURE from verifySignedData, cms_malformed from digestAlgorithmOf', (_name, bytes) => {
    const v = verifySignedData(bytes, new Uint8Array(32));
    expect(v).toMatchObject({ digestMatches: false, signatureValid: false });
    expect(codes(v.problems)).toEqual(['FORMAT_FAILURE']);
    expect(() => digestAlgorithmOf(bytes)).toThrow(CmsError);
  });

  it('a truncated ecert container', async () => {
    const pki = pkis.get('p256')!;
    const cms = await signDetached(digestChunks([content], 'sha256'), 'pades', pki.signer, pki.leafDer, []);
    const v = verifySignedData(cms.subarray(0, cms.length - 5), digestChunks([content], 'sha256'));
    expect(codes(v.problems)).toEqual(['FORMAT_FAILURE']);
  });
});
