import { createHash, createPrivateKey, randomBytes, sign as nodeSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSignatureOverAttributes } from './attribute-signature-checker';
import { digestChunks } from './chunk-digester';
import { CmsError } from './cms-error';
import { CMS_OID } from './cms-oids';
import type { CmsFamily, PreparedSignedAttributes } from './cms-types';
import { prepareSignedAttributes } from './signed-attributes-preparer';
import { assembleSignedData } from './signed-data-assembler';
import { verifySignerInfo } from './signer-info-verifier';
import { parseSignedData } from './signed-data-parser';
import { verifySignedData } from './signed-data-verifier';
import { SM2_DISTID, createCmsTestPki, opensslCmsVerify, opensslStatus, pemDer, type CmsTestPki, type TestKeyKind } from './test-pki.spec-helper';

/**
 * The UKey flow (DSS getDataToSign → sign → signDocument): prepare here, sign outside with openssl
 * or node:crypto (the "device"), check, assemble, verify — both by openssl and by verifySignedData.
 */
const content = new Uint8Array(randomBytes(64_000));

const pkis = new Map<TestKeyKind, CmsTestPki>();
beforeAll(() => {
  for (const kind of ['p256', 'p384', 'rsa2048', 'sm2'] as const) pkis.set(kind, createCmsTestPki(kind));
});
afterAll(() => {
  for (const p of pkis.values()) p.ws.cleanup();
});

const familyOf = (kind: TestKeyKind): CmsFamily => (kind === 'sm2' ? 'gbt35275' : 'pades');
const contentDigest = (kind: TestKeyKind) => digestChunks([content], kind === 'sm2' ? 'sm3' : 'sha256');

function prepare(kind: TestKeyKind): PreparedSignedAttributes {
  return prepareSignedAttributes({ family: familyOf(kind), contentDigest: contentDigest(kind), signerCertificate: pkis.get(kind)!.leafDer });
}

/** Signs with the openssl CLI: over the data (dgst) or over the digest a device would get (pkeyutl). */
function opensslSign(pki: CmsTestPki, prepared: PreparedSignedAttributes, over: 'data' | 'digest'): Uint8Array {
  pki.ws.write('attrs.der', prepared.dataToSign);
  pki.ws.write('digest.bin', prepared.digestToSign);
  const sm2 = pki.kind === 'sm2';
  if (over === 'data') {
    pki.ws.run(['dgst', sm2 ? '-sm3' : '-sha256', ...(sm2 ? ['-sigopt', SM2_DISTID] : []), '-sign', 'leaf.key', '-out', 'device.sig', 'attrs.der']);
  } else {
    // RSA needs the DigestInfo wrapper, which pkeyutl adds when told the digest.
    const rsa = pki.kind === 'rsa2048' ? ['-pkeyopt', 'digest:sha256'] : [];
    pki.ws.run(['pkeyutl', '-sign', '-inkey', 'leaf.key', ...rsa, '-in', 'digest.bin', '-out', 'device.sig']);
  }
  return new Uint8Array(readFileSync(pki.ws.path('device.sig')));
}

describe.each(['p256', 'p384', 'rsa2048', 'sm2'] as const)('deferred signing with %s', (kind) => {
  for (const over of ['data', 'digest'] as const) {
    it(`prepare → openssl signs the ${over === 'data' ? 'dataToSign' : 'digestToSign'} → check → assemble → verify`, () => {
      const pki = pkis.get(kind)!;
      const prepared = prepare(kind);
      const signature = checkSignatureOverAttributes(prepared, opensslSign(pki, prepared, over), pki.leafDer);
      const cms = assembleSignedData({ prepared, signature, signerCertificate: pki.leafDer, chain: [pki.caDer] });

      const v = verifySignedData(cms, contentDigest(kind));
      expect(v.problems).toEqual([]);
      expect(v).toMatchObject({ family: familyOf(kind), digestMatches: true, signatureValid: true, signingCertificateV2Matches: true });
      expect(Buffer.from(v.signerCertificate!).equals(Buffer.from(pki.leafDer))).toBe(true);
      if (kind !== 'sm2') {
        const r = opensslCmsVerify(pki, cms, content);
        expect(r.ok, r.out).toBe(true);
      }
    });
  }

  it('prepares the same bytes for the same input (no signing-time, DER-sorted attributes)', () => {
    const a = prepare(kind);
    const b = prepare(kind);
    expect(Buffer.from(a.der).equals(Buffer.from(b.der))).toBe(true);
    expect(a.dataToSign).toBe(a.der);
    expect(a.digestAlgorithm).toBe(kind === 'sm2' ? 'sm3' : 'sha256');
    if (kind !== 'sm2') expect(Buffer.from(a.digestToSign).equals(createHash('sha256').update(a.der).digest())).toBe(true);
    pkis.get(kind)!.ws.write('attrs.der', a.der);
    const printed = pkis.get(kind)!.ws.run(['asn1parse', '-inform', 'DER', '-in', 'attrs.der']);
    expect(printed).not.toContain('signingTime');
    expect(printed).toContain('messageDigest');
  });

  it('refuses a wrong signature, a signature by another key and another certificate', () => {
    const pki = pkis.get(kind)!;
    const prepared = prepare(kind);
    const good = opensslSign(pki, prepared, 'data');
    const flipped = good.slice();
    flipped[flipped.length - 3]! ^= 0x40;
    expect(() => checkSignatureOverAttributes(prepared, flipped, pki.leafDer)).toThrow(expect.objectContaining({ code: 'signature_invalid' }));
    expect(() => checkSignatureOverAttributes(prepared, new Uint8Array(7), pki.leafDer)).toThrow(CmsError);

    // the CA's key signed it: still the leaf's attributes, so the leaf certificate refuses it
    pki.ws.write('attrs.der', prepared.dataToSign);
    const sm2 = kind === 'sm2';
    pki.ws.run(['dgst', sm2 ? '-sm3' : '-sha256', ...(sm2 ? ['-sigopt', SM2_DISTID] : []), '-sign', 'ca.key', '-out', 'ca.sig', 'attrs.der']);
    const byCa = new Uint8Array(readFileSync(pki.ws.path('ca.sig')));
    expect(() => checkSignatureOverAttributes(prepared, byCa, pki.leafDer)).toThrow(expect.objectContaining({ code: 'signature_invalid' }));
    // and the CA certificate is not the one the attributes name (signing-certificate-v2)
    expect(() => checkSignatureOverAttributes(prepared, byCa, pki.caDer)).toThrow(expect.objectContaining({ code: 'certificate_mismatch' }));
    expect(() => assembleSignedData({ prepared, signature: good, signerCertificate: pki.caDer, chain: [] })).toThrow(
      expect.objectContaining({ code: 'certificate_mismatch' }),
    );
  });
});

describe('deferred signing details', () => {
  it('accepts a raw r||s ECDSA signature (PKCS#11, WebCrypto) and embeds it as DER', () => {
    const pki = pkis.get('p256')!;
    const prepared = prepare('p256');
    const raw = new Uint8Array(nodeSign('sha256', prepared.dataToSign, { key: createPrivateKey(pki.leafKey), dsaEncoding: 'ieee-p1363' }));
    expect(raw).toHaveLength(64);
    const der = checkSignatureOverAttributes(prepared, raw, pki.leafDer);
    expect(der[0]).toBe(0x30);
    const cms = assembleSignedData({ prepared, signature: der, signerCertificate: pki.leafDer, chain: [] });
    const r = opensslCmsVerify(pki, cms, content);
    expect(r.ok, r.out).toBe(true);
  });

  it('refuses a key of the wrong family, a wrong digest length and signing-time', () => {
    const sm2 = pkis.get('sm2')!;
    const p256 = pkis.get('p256')!;
    expect(() => prepareSignedAttributes({ family: 'pades', contentDigest: new Uint8Array(32), signerCertificate: sm2.leafDer })).toThrow(
      expect.objectContaining({ code: 'unsupported_algorithm' }),
    );
    expect(() => prepareSignedAttributes({ family: 'gbt35275', contentDigest: new Uint8Array(32), signerCertificate: p256.leafDer })).toThrow(
      expect.objectContaining({ code: 'unsupported_algorithm' }),
    );
    expect(() => prepareSignedAttributes({ family: 'pades', contentDigest: new Uint8Array(48), signerCertificate: p256.leafDer })).toThrow(CmsError);
    const withTime = { family: 'pades', contentDigest: new Uint8Array(32), signerCertificate: p256.leafDer, signingTime: new Date() } as never;
    expect(() => prepareSignedAttributes(withTime)).toThrow(/signing-time/);
    expect(() => prepareSignedAttributes({ family: 'pades', contentDigest: new Uint8Array(32), signerCertificate: new Uint8Array(9) })).toThrow(
      expect.objectContaining({ code: 'cms_malformed' }),
    );
  });

  it('writes the ESSCertIDv2 hash as SHA-256 (default, omitted) for pades and SM3 (explicit) for gbt35275', () => {
    const pades = prepare('p256');
    const gb = prepare('sm2');
    const essOf = (p: PreparedSignedAttributes) => {
      const cms = assembleSignedData({ prepared: p, signature: Uint8Array.of(1), signerCertificate: pkis.get(p.family === 'pades' ? 'p256' : 'sm2')!.leafDer, chain: [] });
      return parseSignedData(cms).signerInfos[0]!.signedAttributes.find((a) => a.oid === CMS_OID.signingCertificateV2)!.values[0]!;
    };
    const padesId = essOf(pades).children[0]!.children[0]!;
    expect(padesId.children[0]!.tagNumber).toBe(4); // certHash first: hashAlgorithm DEFAULT sha256 omitted
    expect(Buffer.from(padesId.children[0]!.content).equals(createHash('sha256').update(pkis.get('p256')!.leafDer).digest())).toBe(true);
    const gbId = essOf(gb).children[0]!.children[0]!;
    expect(gbId.children[0]!.children[0]!.oid).toBe(CMS_OID.sm3);
    expect(Buffer.from(gbId.children[1]!.content).toString('hex')).toBe(
      Buffer.from(digestChunks([pkis.get('sm2')!.leafDer], 'sm3')).toString('hex'),
    );
  });
});

describe('B-T: an RFC 3161 timestamp from openssl ts as the unsigned attribute', () => {
  it('is embedded, ignored by openssl cms -verify, verified by openssl ts -verify over the signature value and handed back by verifySignedData', () => {
    const pki = pkis.get('p256')!;
    const ws = pki.ws;
    ws.write('tsa.ext', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n');
    ws.write(
      'tsa.cnf',
      [
        '[ tsa ]', 'default_tsa = tsa1', '[ tsa1 ]', `serial = ${ws.path('tsa.serial')}`, 'crypto_device = builtin',
        'signer_digest = sha256', 'default_policy = 1.2.3.4.1', 'digests = sha256', 'accuracy = secs:1',
        'ordering = no', 'tsa_name = no', 'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256', '',
      ].join('\n'),
    );
    ws.write('tsa.serial', '01\n');
    ws.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'tsa.key']);
    ws.run(['req', '-new', '-key', 'tsa.key', '-out', 'tsa.csr', '-subj', '/C=CN/O=ecert test/CN=cms test TSA']);
    ws.run(['x509', '-req', '-in', 'tsa.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tsa.pem', '-days', '30', '-extfile', 'tsa.ext']);

    const prepared = prepare('p256');
    const signature = checkSignatureOverAttributes(prepared, opensslSign(pki, prepared, 'data'), pki.leafDer);
    ws.write('sigvalue.bin', signature);
    ws.run(['ts', '-query', '-data', 'sigvalue.bin', '-sha256', '-cert', '-out', 'q.tsq']);
    ws.run(['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', 'q.tsq', '-signer', 'tsa.pem', '-inkey', 'tsa.key', '-token_out', '-out', 'token.der']);
    const token = new Uint8Array(readFileSync(ws.path('token.der')));

    const cms = assembleSignedData({ prepared, signature, signerCertificate: pki.leafDer, chain: [pki.caDer], timestampToken: token });
    const r = opensslCmsVerify(pki, cms, content);
    expect(r.ok, r.out).toBe(true);
    ws.write('bt.der', cms);
    expect(ws.run(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', 'bt.der'])).toContain('id-smime-aa-timeStampToken');

    const v = verifySignedData(cms, contentDigest('p256'));
    expect(v.problems).toEqual([]);
    expect(Buffer.from(v.timestampToken!).equals(Buffer.from(token))).toBe(true);
    expect(v.timestamp).toMatchObject({ imprintMatches: true, digestMatches: true, signatureValid: true, policy: '1.2.3.4.1', problems: [] });
    expect(Math.abs(v.timestamp!.genTime!.getTime() - Date.now())).toBeLessThan(120_000);
    expect(Buffer.from(v.timestamp!.tsaCertificate!).equals(Buffer.from(pemDer(readFileSync(ws.path('tsa.pem'), 'utf8'))))).toBe(true);

    // a token over another value: the imprint check names it, the document signature stays valid
    ws.write('other.bin', Uint8Array.of(1, 2, 3));
    ws.run(['ts', '-query', '-data', 'other.bin', '-sha256', '-cert', '-out', 'q2.tsq']);
    ws.run(['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', 'q2.tsq', '-signer', 'tsa.pem', '-inkey', 'tsa.key', '-token_out', '-out', 'token2.der']);
    const wrongToken = new Uint8Array(readFileSync(ws.path('token2.der')));
    const v2 = verifySignedData(assembleSignedData({ prepared, signature, signerCertificate: pki.leafDer, chain: [], timestampToken: wrongToken }), contentDigest('p256'));
    expect(v2.problems).toEqual([]);
    expect(v2.timestamp?.imprintMatches).toBe(false);
    expect(v2.timestamp?.problems).toEqual([expect.stringMatching(/^HASH_FAILURE: the timestamp message imprint/)]);
    ws.write('token-back.der', v.timestampToken!);
    const tsVerify = opensslStatus(pki, ['ts', '-verify', '-token_in', '-in', 'token-back.der', '-data', 'sigvalue.bin', '-CAfile', 'ca.pem']);
    expect(tsVerify.out).toContain('Verification: OK');
    expect(() => assembleSignedData({ prepared, signature, signerCertificate: pki.leafDer, chain: [], timestampToken: Uint8Array.of(4, 1, 0) })).toThrow(CmsError);
  });
});

describe('an SES_Signature as the unsigned attribute CMS_OID.sesSignature', () => {
  it('is carried next to the timestamp, read back unchanged, and leaves the CMS signature valid', () => {
    const pki = pkis.get('sm2')!;
    const prepared = prepare('sm2');
    const signature = checkSignatureOverAttributes(prepared, opensslSign(pki, prepared, 'data'), pki.leafDer);
    // Any DER SEQUENCE stands in for the SES_Signature here: libs/cms carries it, libs/ses judges it.
    const ses = Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x04, 0x04, 0x01, 0x2a]);
    const cms = assembleSignedData({ prepared, signature, signerCertificate: pki.leafDer, chain: [pki.caDer], sesSignature: ses });
    const v = verifySignedData(cms, contentDigest('sm2'));
    expect(v.problems).toEqual([]);
    expect(v.signatureValid).toBe(true);
    expect(Buffer.from(v.sesSignature!).equals(Buffer.from(ses))).toBe(true);
    const si = parseSignedData(cms).signerInfos[0]!;
    expect(si.unsignedAttributes.map((a) => a.oid)).toEqual([CMS_OID.sesSignature]);
    // without one, none is reported
    expect(verifySignedData(assembleSignedData({ prepared, signature, signerCertificate: pki.leafDer, chain: [] }), contentDigest('sm2')).sesSignature).toBeUndefined();
    // not a SEQUENCE: refused rather than written into the container
    expect(() => assembleSignedData({ prepared, signature, signerCertificate: pki.leafDer, chain: [], sesSignature: Uint8Array.of(4, 1, 0) })).toThrow(CmsError);
    // counted over every attribute and value (the caller refuses more than one), and the signature value handed back
    expect(v.sesSignatureCount).toBe(1);
    expect(Buffer.from(v.signatureValue!).equals(Buffer.from(si.signature))).toBe(true);
    const parsed = parseSignedData(cms);
    const attr = parsed.signerInfos[0]!.unsignedAttributes[0]!;
    const twice = { ...parsed, signerInfos: [{ ...parsed.signerInfos[0]!, unsignedAttributes: [attr, { ...attr, values: [...attr.values, ...attr.values] }] }] };
    expect(verifySignerInfo(twice, contentDigest('sm2')).sesSignatureCount).toBe(3);
  });
});
