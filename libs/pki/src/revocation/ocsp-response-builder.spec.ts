import { createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicOCSPResponse, OCSPResponse, OCSPResponseStatus, id_pkix_ocsp_nonce } from '@peculiar/asn1-ocsp';
import { sm3 } from 'sm-crypto-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFields } from './certificate-fields';
import { DerReader, contentOf, encodedOf } from '../der/der-reader';
import { derOctetString, derSequence } from '../der/der-writer';
import { ocspErrorResponse, type OcspErrorStatus } from './ocsp-error-response';
import { ocspIssuerKeys, ocspIssuerLookupKey } from './ocsp-issuer-keys';
import { OcspRequestError, parseOcspRequest, type OcspRequest } from './ocsp-request-parser';
import { OcspResponseBuilder, type OcspCertStatus, type OcspSingleResponse } from './ocsp-response-builder';
import { subjectPublicKeyBits } from './public-key-bits';
import { RevocationInputError } from './revocation-input-error';
import { TestPki, opensslAsync, type TestCert } from './test-pki.spec-helper';
import { generateP256Signer, generateSm2Signer, verifySm2 } from './test-signer.spec-helper';

const HOUR = 3_600_000;
const hex = (b: Uint8Array | ArrayBuffer): string => Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString('hex');

/** The ResponseData bytes and signature inside a successful OCSPResponse. */
function signedParts(der: Uint8Array): { responseData: Uint8Array; signature: Uint8Array } {
  const response = AsnConvert.parse(der, OCSPResponse);
  const basic = new Uint8Array(response.responseBytes!.response.buffer);
  const r = DerReader.inside(basic, new DerReader(basic).read(0x30));
  const responseData = encodedOf(basic, r.read(0x30));
  r.read(0x30);
  return { responseData: Uint8Array.from(responseData), signature: Uint8Array.from(contentOf(basic, r.read(0x03)).subarray(1)) };
}

/**
 * A minimal responder as the cert-service would assemble it from this library: issuer keys
 * computed once, statuses from a map, pre-signed responses cached for nonce-less requests.
 */
class TestResponder {
  readonly issuerKeys: Set<string>;
  readonly cache = new Map<string, Uint8Array>();
  signatures = 0;
  /** Test switch: answer without echoing the nonce, or with a different one. */
  nonceMode: 'echo' | 'drop' | 'wrong' = 'echo';

  constructor(
    caCertDer: Uint8Array,
    readonly builder: OcspResponseBuilder,
    readonly statuses: Map<string, OcspCertStatus>,
  ) {
    this.issuerKeys = new Set(ocspIssuerKeys(caCertDer).map((k) => k.lookupKey));
  }

  async answer(body: Uint8Array): Promise<Uint8Array> {
    let request: OcspRequest;
    try {
      request = parseOcspRequest(body);
    } catch (e) {
      if (e instanceof OcspRequestError) return ocspErrorResponse('malformedRequest');
      return ocspErrorResponse('internalError');
    }
    const cacheKey = request.nonce ? undefined : request.certIds.map((c) => hex(c.der)).join('|');
    const cached = cacheKey ? this.cache.get(cacheKey) : undefined;
    if (cached) return cached;
    const now = Date.now();
    const responses: OcspSingleResponse[] = request.certIds.map((certId) => {
      const lookup = ocspIssuerLookupKey(certId);
      const known = lookup !== undefined && this.issuerKeys.has(lookup) && certId.serialKey !== undefined;
      return {
        certId,
        certStatus: (known && this.statuses.get(certId.serialKey!)) || { status: 'unknown' },
        thisUpdate: new Date(now - 60_000),
        nextUpdate: new Date(now + HOUR),
      };
    });
    let nonce = request.nonce;
    if (nonce && this.nonceMode === 'drop') nonce = undefined;
    if (nonce && this.nonceMode === 'wrong') nonce = Uint8Array.of(0x04, 0x02, 0xde, 0xad);
    this.signatures++;
    const der = await this.builder.build({ producedAt: new Date(now), responses, nonce });
    if (cacheKey) this.cache.set(cacheKey, der);
    return der;
  }
}

describe.each(['ec', 'rsa'] as const)('OcspResponseBuilder against openssl ocsp (%s)', (kind) => {
  let pki: TestPki;
  let ocsp: TestCert;
  let good: TestCert;
  let held: TestCert;
  let revoked: TestCert;
  let stranger: TestCert;
  let responder: TestResponder;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    pki = TestPki.create(kind);
    ocsp = pki.issueOcspSigner();
    good = pki.issueLeaf('good', '6000000000000001');
    held = pki.issueLeaf('held', 'e000000000000002');
    revoked = pki.issueLeaf('revoked', '6000000000000003');
    stranger = pki.issueLeaf('stranger', '6000000000000004'); // issued, but not in the status table
    const revokedAt = new Date(Date.now() - 2 * HOUR);
    responder = new TestResponder(
      pki.ca.der,
      new OcspResponseBuilder({ signer: ocsp.signer, certificates: [ocsp.der] }),
      new Map<string, OcspCertStatus>([
        ['6000000000000001', { status: 'good' }],
        ['e000000000000002', { status: 'revoked', revokedAt, reason: 'certificateHold' }],
        ['6000000000000003', { status: 'revoked', revokedAt, reason: 'keyCompromise' }],
      ]),
    );
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void responder.answer(new Uint8Array(Buffer.concat(chunks))).then((der) => {
          res.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': der.length });
          res.end(der);
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    pki.cleanup();
  });

  /** Request file from openssl → our answer → file → openssl reads and verifies it. */
  async function viaFiles(cert: TestCert, trust: string[]): Promise<string> {
    expect(pki.run(['ocsp', '-issuer', pki.ca.pem, '-cert', cert.pem, '-no_nonce', '-reqout', 'req.der']).status).toBe(0);
    pki.write('resp.der', await responder.answer(new Uint8Array(readFileSync(pki.path('req.der')))));
    return pki.run(['ocsp', '-respin', 'resp.der', '-issuer', pki.ca.pem, '-cert', cert.pem, '-no_nonce', ...trust, '-resp_text']).output;
  }

  it('answers good / revoked with certificateHold / unknown, verified against the delegated signer (-VAfile)', async () => {
    const g = await viaFiles(good, ['-VAfile', ocsp.pem]);
    expect(g).toContain('Response verify OK');
    expect(g).toContain(`${good.pem}: good`);
    expect(g).toContain('Responder Id: '); // byKey: openssl prints the key hash
    const h = await viaFiles(held, ['-VAfile', ocsp.pem]);
    expect(h).toContain('Response verify OK');
    expect(h).toContain(`${held.pem}: revoked`);
    expect(h).toContain('Reason: certificateHold');
    const r = await viaFiles(revoked, ['-VAfile', ocsp.pem]);
    expect(r).toContain('Reason: keyCompromise');
    const u = await viaFiles(stranger, ['-VAfile', ocsp.pem]);
    expect(u).toContain('Response verify OK');
    expect(u).toContain(`${stranger.pem}: unknown`);
  });

  it('chains the delegated signer to the CA (-CAfile): the included certificate carries OCSPSigning', async () => {
    const out = await viaFiles(held, ['-CAfile', pki.ca.pem]);
    expect(out).toContain('Response verify OK');
    expect(out).toContain('Reason: certificateHold');
    const keyHash = createHash('sha1').update(subjectPublicKeyBits(ocsp.signer.spki)).digest('hex').toUpperCase();
    expect(out).toContain(`Responder Id: ${keyHash}`);
  });

  it('echoes the nonce over HTTP; openssl notices when it is missing or wrong', async () => {
    const ask = (): Promise<{ status: number | null; output: string }> =>
      opensslAsync(['ocsp', '-url', url, '-issuer', pki.ca.pem, '-cert', good.pem, '-cert', held.pem, '-serial', '0x0bad', '-CAfile', pki.ca.pem]);
    const ok = await ask();
    expect(ok.output).toContain('Response verify OK');
    expect(ok.output).toContain(`${good.pem}: good`);
    expect(ok.output).toContain(`${held.pem}: revoked`);
    expect(ok.output).toContain('Reason: certificateHold');
    expect(ok.output).toContain('0x0bad: unknown');
    expect(ok.output).not.toMatch(/nonce/i);

    try {
      responder.nonceMode = 'drop';
      expect((await ask()).output).toContain('WARNING: no nonce in response');
      responder.nonceMode = 'wrong';
      expect((await ask()).output).toContain('Nonce Verify error');
    } finally {
      responder.nonceMode = 'echo';
    }
  });

  it('serves nonce-less requests from pre-signed responses', async () => {
    responder.cache.clear();
    const before = responder.signatures;
    const ask = (): Promise<{ output: string }> =>
      opensslAsync(['ocsp', '-url', url, '-no_nonce', '-issuer', pki.ca.pem, '-cert', revoked.pem, '-CAfile', pki.ca.pem]);
    const first = await ask();
    const second = await ask();
    for (const r of [first, second]) {
      expect(r.output).toContain('Response verify OK');
      expect(r.output).toContain('Reason: keyCompromise');
    }
    expect(responder.signatures - before).toBe(1);
  });

  it('answers malformed bytes with an error response openssl reads as malformedRequest', async () => {
    const res = await fetch(url, { method: 'POST', body: Buffer.from('definitely not DER'), headers: { 'content-type': 'application/ocsp-request' } });
    const der = new Uint8Array(await res.arrayBuffer());
    expect(hex(der)).toBe('30030a0101');
    pki.write('err.der', der);
    const out = pki.run(['ocsp', '-respin', 'err.der', '-issuer', pki.ca.pem, '-cert', good.pem, '-no_nonce']).output;
    expect(out).toContain('Responder Error: malformedrequest (1)');
  });
});

describe('OcspResponseBuilder (structure)', () => {
  // CertID { sha1 (NULL params), nameHash 01.., keyHash 02.., serial 010203 }
  const certId = derSequence(
    Uint8Array.from(Buffer.from('300906052b0e03021a0500', 'hex')),
    derOctetString(new Uint8Array(20).fill(1)),
    derOctetString(new Uint8Array(20).fill(2)),
    Uint8Array.of(0x02, 0x03, 0x01, 0x02, 0x03),
  );

  it('writes ResponderID byKey, certs, nonce and times, with a signature valid over ResponseData', async () => {
    const signer = generateP256Signer();
    const builder = new OcspResponseBuilder({ signer, certificates: [] });
    const nonce = Uint8Array.of(0x04, 0x10, ...new Uint8Array(16).fill(0xab));
    const producedAt = new Date('2026-03-01T00:00:00.500Z');
    const responseData = builder.encodeResponseData({
      producedAt,
      nonce,
      responses: [
        { certId, certStatus: { status: 'good' }, thisUpdate: producedAt, nextUpdate: new Date(producedAt.getTime() + HOUR) },
        { certId, certStatus: { status: 'revoked', revokedAt: producedAt, reason: 'unspecified' }, thisUpdate: producedAt },
        { certId, certStatus: { status: 'revoked', revokedAt: producedAt, reason: 'cessationOfOperation' }, thisUpdate: producedAt },
        { certId, certStatus: { status: 'unknown' }, thisUpdate: producedAt },
      ],
    });
    const der = await builder.sign(responseData);
    const response = AsnConvert.parse(der, OCSPResponse);
    expect(response.responseStatus).toBe(OCSPResponseStatus.successful);
    expect(response.responseBytes!.responseType).toBe('1.3.6.1.5.5.7.48.1.1');
    const basic = AsnConvert.parse(response.responseBytes!.response, BasicOCSPResponse);
    const data = basic.tbsResponseData;
    expect(hex(data.responderID.byKey!.buffer)).toBe(createHash('sha1').update(subjectPublicKeyBits(signer.spki)).digest('hex'));
    expect(data.producedAt.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(basic.certs).toBeUndefined();
    const [g, rUnspecified, rCessation, u] = data.responses;
    expect(g!.certStatus.good).toBeDefined();
    expect(g!.nextUpdate?.toISOString()).toBe('2026-03-01T01:00:00.000Z');
    expect(rUnspecified!.certStatus.revoked!.revocationReason).toBeUndefined();
    expect(rCessation!.certStatus.revoked!.revocationReason?.reason).toBe(5);
    expect(u!.certStatus.unknown).toBeDefined();
    expect(u!.nextUpdate).toBeUndefined();
    expect(hex(AsnConvert.serialize(g!.certID))).toBe(hex(certId));
    const nonceExt = data.responseExtensions!.find((e) => e.extnID === id_pkix_ocsp_nonce)!;
    expect(nonceExt.critical).toBe(false);
    expect(hex(nonceExt.extnValue.buffer)).toBe(hex(nonce));

    const parts = signedParts(der);
    expect(hex(parts.responseData)).toBe(hex(responseData));
    const key = createPublicKey({ key: Buffer.from(signer.spki), format: 'der', type: 'spki' });
    expect(cryptoVerify('sha256', parts.responseData, { key, dsaEncoding: 'der' }, parts.signature)).toBe(true);
  });

  it('signs with SM2-with-SM3 verifiably by sm-crypto-v2', async () => {
    const signer = generateSm2Signer();
    const builder = new OcspResponseBuilder({ signer, certificates: [] });
    const der = await builder.build({ producedAt: new Date(), responses: [{ certId, certStatus: { status: 'good' }, thisUpdate: new Date() }] });
    const { responseData, signature } = signedParts(der);
    expect(verifySm2(signer.publicKeyHex, responseData, signature)).toBe(true);
    expect(hex(der)).toContain('300a06082a811ccf55018375');
  });

  it('rejects input it must not sign', async () => {
    const signer = generateP256Signer();
    const builder = new OcspResponseBuilder({ signer, certificates: [] });
    const t = new Date();
    const cases: Array<[() => unknown, string]> = [
      [() => builder.encodeResponseData({ producedAt: t, responses: [] }), 'responses'],
      [() => builder.encodeResponseData({ producedAt: new Date(Number.NaN), responses: [{ certId, certStatus: { status: 'good' }, thisUpdate: t }] }), 'producedAt'],
      [() => builder.encodeResponseData({ producedAt: t, responses: [{ certId, certStatus: { status: 'good' }, thisUpdate: t, nextUpdate: t }] }), 'responses[0].nextUpdate'],
      [
        () =>
          builder.encodeResponseData({
            producedAt: t,
            responses: [{ certId, certStatus: { status: 'revoked', revokedAt: t, reason: 'removeFromCRL' as never }, thisUpdate: t }],
          }),
        'responses[0].reason',
      ],
      [() => builder.encodeResponseData({ producedAt: t, responses: [{ certId: Uint8Array.of(0x04, 0x00), certStatus: { status: 'good' }, thisUpdate: t }] }), 'responses[0].certId'],
      [() => builder.encodeResponseData({ producedAt: t, nonce: new Uint8Array(0), responses: [{ certId, certStatus: { status: 'good' }, thisUpdate: t }] }), 'nonce'],
      [() => builder.encodeResponseData({ producedAt: t, responses: [{ certId, certStatus: { status: 'maybe' } as never, thisUpdate: t }] }), 'responses[0].certStatus'],
    ];
    for (const [fn, field] of cases) {
      let error: unknown;
      try {
        fn();
      } catch (e) {
        error = e;
      }
      expect(error, field).toBeInstanceOf(RevocationInputError);
      expect((error as RevocationInputError).field).toBe(field);
    }
  });

  it('refuses a responder certificate that does not belong to the signing key', () => {
    const pki = TestPki.create('ec');
    try {
      const ocsp = pki.issueOcspSigner();
      expect(() => new OcspResponseBuilder({ signer: generateP256Signer(), certificates: [ocsp.der] })).toThrow(RevocationInputError);
      expect(() => new OcspResponseBuilder({ signer: ocsp.signer, certificates: [Uint8Array.of(0x30, 0x00)] })).toThrow(RevocationInputError);
      expect(() => new OcspResponseBuilder({ signer: ocsp.signer, certificates: [ocsp.der, pki.ca.der] })).not.toThrow();
    } finally {
      pki.cleanup();
    }
  });
});

describe('ocspErrorResponse', () => {
  it('encodes every error status as an unsigned OCSPResponse', () => {
    const expected: Record<OcspErrorStatus, string> = {
      malformedRequest: '30030a0101',
      internalError: '30030a0102',
      tryLater: '30030a0103',
      sigRequired: '30030a0105',
      unauthorized: '30030a0106',
    };
    for (const [status, der] of Object.entries(expected)) {
      expect(hex(ocspErrorResponse(status as OcspErrorStatus))).toBe(der);
      expect(AsnConvert.parse(ocspErrorResponse(status as OcspErrorStatus), OCSPResponse).responseBytes).toBeUndefined();
    }
    const a = ocspErrorResponse('tryLater');
    a[4] = 0;
    expect(hex(ocspErrorResponse('tryLater'))).toBe('30030a0103'); // callers get copies
    expect(() => ocspErrorResponse('successful' as never)).toThrow(RangeError);
  });

  it('is read by openssl with the status name', () => {
    const pki = TestPki.create('ec');
    try {
      const leaf = pki.issueLeaf('leaf', '01');
      for (const [status, name] of [
        ['tryLater', 'trylater (3)'],
        ['unauthorized', 'unauthorized (6)'],
        ['internalError', 'internalerror (2)'],
        ['sigRequired', 'sigrequired (5)'],
      ] as const) {
        pki.write('err.der', ocspErrorResponse(status));
        const out = pki.run(['ocsp', '-respin', 'err.der', '-issuer', pki.ca.pem, '-cert', leaf.pem, '-no_nonce']).output;
        expect(out).toContain(`Responder Error: ${name}`);
      }
    } finally {
      pki.cleanup();
    }
  });
});

describe('ocspIssuerKeys', () => {
  it('hashes the CA subject and key bits with SHA-1, SHA-256 and SM3', () => {
    const pki = TestPki.create('rsa');
    try {
      const keys = ocspIssuerKeys(pki.ca.der);
      expect(keys.map((k) => k.hashAlgorithm)).toEqual(['sha1', 'sha256', 'sm3']);
      const { subject, spki } = certificateFields(pki.ca.der);
      const bits = subjectPublicKeyBits(spki);
      const sm3Key = keys.find((k) => k.hashAlgorithm === 'sm3')!;
      // Native SM3 (node/OpenSSL) agrees with the JS implementation.
      expect(hex(sm3Key.issuerNameHash)).toBe(sm3(subject));
      expect(hex(sm3Key.issuerKeyHash)).toBe(sm3(bits));
      const sha1 = keys.find((k) => k.hashAlgorithm === 'sha1')!;
      expect(hex(sha1.issuerKeyHash)).toBe(createHash('sha1').update(bits).digest('hex'));
      expect(sha1.lookupKey).toBe(`sha1:${hex(sha1.issuerNameHash)}:${hex(sha1.issuerKeyHash)}`);
      expect(() => ocspIssuerKeys(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01))).toThrow(RevocationInputError);
    } finally {
      pki.cleanup();
    }
  });
});
