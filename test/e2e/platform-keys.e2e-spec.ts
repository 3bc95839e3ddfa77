import { createHash, randomUUID, verify, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { NATIONAL_SCOPE, OPERATIONS, ProblemError, requestContext } from '@ecert/common';
import { Subjects, type CertificateView, type PlatformKeySignReply } from '@ecert/contracts';
import { bodyDigest, BusIdentity, BusRpcClient } from '@ecert/messaging';
import { derOid, derTlv, sm2PublicKeyFromSpki, sm2Verify } from '@ecert/pki';
import { ClientsService } from '../../apps/gateway/src/clients/clients.service';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeUscc, opensslCsr, opensslResult, TempDir } from '../support/fixtures';
import { api, defaultHeaders } from '../support/http';
import { assembleSesSignatureV4, buildSealV4, decodeSeal, encodeSealToBeSigned, prepareSesSignatureV4 } from '@ecert/ses';
import { sealPng } from '../../apps/seal-service/src/images/test-images.spec-helper';
import { createTestPki, tinyPng } from '../../libs/ses/src/test-pki.spec-helper';

/**
 * Keys the platform holds for the offices' own seals (issue 11 §2): an admin has a certificate
 * issued for a key generated in the key store (REST), and the seal-service, inside the gateway's
 * document-sealing request, has CMS signed attributes signed with it in one call (bus) — and
 * nobody else, for nothing else.
 */
let p: TestPlatform;
let sealBus: BusRpcClient;
let gatewayBus: BusRpcClient;
let gatewayIdentity: BusIdentity;
const dir = new TempDir();

beforeAll(async () => {
  // The seal-service only makes the SM2 office's seal (its maker is the cert-service's): the SES tests sign its TBS_Sign.
  p = await startTestPlatform({ services: ['cert', 'seal', 'gateway'] });
  sealBus = new BusRpcClient(p.config, BusIdentity.fromConfig(p.config, 'seal-service'), 'platform-keys-test-seal');
  gatewayBus = new BusRpcClient(p.config, BusIdentity.fromConfig(p.config, 'gateway'), 'platform-keys-test-gateway');
  gatewayIdentity = BusIdentity.fromConfig(p.config, 'gateway');
});

afterAll(async () => {
  await sealBus?.close();
  await gatewayBus?.close();
  await p?.close();
  dir.remove();
});

const office = (uscc = makeUscc(), accountNo = '4501000001') => ({ name: '南宁市人力资源和社会保障局', uscc, regionCode: '450100', accountNo });

async function issuePlatformHeld(keyAlgorithm: 'EC-P256' | 'SM2' | 'RSA-2048', unit = office()): Promise<CertificateView> {
  const r = await api<CertificateView>(p.baseUrl, 'POST', '/api/v1/certificates/platform-held', { unit, keyAlgorithm });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

// CMS signed attributes (RFC 5652 §5.3) as a PAdES signer would send them.
const seq = (...parts: Uint8Array[]) => derTlv(0x30, ...parts);
const set = (...parts: Uint8Array[]) => derTlv(0x31, ...parts);
const attribute = (type: string, ...values: Uint8Array[]) => seq(derOid(type), set(...values));
function signedAttributes(document = `a sealed reply ${randomUUID()}`): { der: Uint8Array; digest: Buffer } {
  const digest = createHash('sha256').update(document).digest();
  const der = set(attribute('1.2.840.113549.1.9.3', derOid('1.2.840.113549.1.7.1')), attribute('1.2.840.113549.1.9.4', derTlv(0x04, digest)));
  return { der, digest };
}

interface SealingContext {
  subject?: string;
  ops?: string[];
  reg?: string[];
}

/** The gateway's context of a document-sealing request, as the seal-service receives and forwards it. */
function gatewayToken({ subject = Subjects.seal.documentSeal, ops = ['documents:seal', 'seals:read'], reg = ['450000'] }: SealingContext = {}): string {
  return gatewayIdentity.issueContext({ rid: `gw-${randomUUID()}`, cid: 'city-bureau-system', act: 'staff-42', ops, reg, sub: subject, bdy: bodyDigest({ documentId: randomUUID() }) }, 60);
}

/**
 * The seal-service calls: inside a gateway request when given its token (its handler then runs
 * under that request's id and forwards the token), else on its own.
 */
function asSealService<T>(data: unknown, token?: string, subject: string = Subjects.cert.platformKeySign): Promise<T> {
  const requestId = token ? (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { rid: string }).rid : `seal-${randomUUID()}`;
  return requestContext.run({ requestId, ...(token ? { gatewayToken: token } : {}) }, () => sealBus.call<T>(subject, data, { timeoutMs: 15_000 }));
}

const signRequest = (serial: string, der: Uint8Array) => ({ certificateSerial: serial, dataToSign: Buffer.from(der).toString('base64'), purpose: 'document' });

async function refusal(call: Promise<unknown>): Promise<{ status: number; code: string; field?: string; detail?: string }> {
  const e = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof ProblemError)) throw new Error(`expected a problem, got ${e === undefined ? 'success' : String(e)}`);
  return { status: e.status, code: e.code, field: e.field, detail: e.detail };
}

const spkiOf = (pem: string) => {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return new Uint8Array(AsnConvert.serialize(AsnConvert.parse(der, Certificate).tbsCertificate.subjectPublicKeyInfo));
};

async function uses(serial: string): Promise<{ purpose: string; data_sha256: string; message_digest: string; request_id: string | null; client_id: string | null; actor: string | null; gateway_request: string | null }[]> {
  return (await p.db.query('SELECT purpose, data_sha256, message_digest, request_id, client_id, actor, gateway_request FROM cert.platform_key_use WHERE serial = $1 ORDER BY id', [serial])).rows;
}

const platformKeyBlobs = async () => (await p.db.query("SELECT count(*)::int AS n FROM cert.ca_key_blob WHERE id LIKE 'platform:%'")).rows[0].n as number;

let p256: CertificateView;
let sm2: CertificateView;

describe('issuing a platform-held certificate', () => {
  it('generates a P-256 and an SM2 key in the key store and certifies them; every view says platformHeld', async () => {
    p256 = await issuePlatformHeld('EC-P256');
    sm2 = await issuePlatformHeld('SM2');
    expect(p256).toMatchObject({ profile: 'unit', keyAlgorithm: 'ECDSA', status: 'active', platformHeld: true, caId: expect.stringMatching(/ecdsa/) });
    expect(sm2).toMatchObject({ profile: 'unit', keyAlgorithm: 'SM2', status: 'active', platformHeld: true, caId: expect.stringMatching(/sm2/) });
    expect(p256.subject).toContain('南宁市人力资源和社会保障局');

    for (const c of [p256, sm2]) {
      const got = await api<CertificateView>(p.baseUrl, 'GET', `/api/v1/certificates/${c.serial}`);
      expect(got.body.platformHeld).toBe(true);
      const listed = await api(p.baseUrl, 'GET', `/api/v1/certificates?uscc=${c.unit.uscc}`);
      expect(listed.body.items).toEqual([expect.objectContaining({ serial: c.serial, platformHeld: true })]);
    }
    const { rows } = await p.db.query('SELECT serial, key_id, key_store, algorithm, created_by, request_id FROM cert.platform_key WHERE serial = ANY($1) ORDER BY algorithm', [[p256.serial, sm2.serial]]);
    expect(rows).toEqual([
      { serial: p256.serial, key_id: expect.stringMatching(/^platform:[0-9a-f-]{36}$/), key_store: 'soft', algorithm: 'EC-P256', created_by: expect.stringMatching(/^client:/), request_id: expect.any(String) },
      { serial: sm2.serial, key_id: expect.stringMatching(/^platform:[0-9a-f-]{36}$/), key_store: 'soft', algorithm: 'SM2', created_by: expect.stringMatching(/^client:/), request_id: expect.any(String) },
    ]);
    // The private keys are in the key store (encrypted blobs), under the recorded ids; nowhere in the API.
    const blobs = await p.db.query('SELECT id FROM cert.ca_key_blob WHERE id = ANY($1)', [rows.map((r) => r.key_id)]);
    expect(blobs.rowCount).toBe(2);
    expect(JSON.stringify(p256)).not.toMatch(/PRIVATE KEY/);
  });

  it('does not show platformHeld for a certificate of a key the unit holds', async () => {
    const { csr } = opensslCsr(dir, 'p256');
    const r = await api<CertificateView>(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: office() });
    expect(r.status).toBe(201);
    expect(r.body).not.toHaveProperty('platformHeld');
  });

  it('validates the request: an unknown key algorithm or a bad unit is a 400, before any key is made', async () => {
    const before = await platformKeyBlobs();
    const algorithm = await api(p.baseUrl, 'POST', '/api/v1/certificates/platform-held', { unit: office(), keyAlgorithm: 'RSA-1024' });
    expect(algorithm.status).toBe(400);
    const uscc = await api(p.baseUrl, 'POST', '/api/v1/certificates/platform-held', { unit: { ...office(), uscc: '91450100MA5KXXXX0X' }, keyAlgorithm: 'EC-P256' });
    expect(uscc.status).toBe(400);
    expect(await platformKeyBlobs()).toBe(before);
  });

  it('is for administrators only', async () => {
    const { apiKey } = await p.gateway!.get(ClientsService).register({ name: 'issuing office', department: 'tests', operations: OPERATIONS.filter((o) => o !== 'admin') });
    const r = await api(p.baseUrl, 'POST', '/api/v1/certificates/platform-held', { unit: office(), keyAlgorithm: 'EC-P256' }, { 'x-api-key': apiKey });
    expect(r.status).toBe(403);
  });

  it('respects the caller\'s region scope and the per-account limit, leaving no key behind', async () => {
    const scoped = requestContext.run({ requestId: `pk-${randomUUID()}`, clientId: 'guangdong', operations: [...OPERATIONS], regions: ['440000'] }, () =>
      gatewayBus.call(Subjects.cert.platformKeyIssue, { unit: office(), keyAlgorithm: 'EC-P256' }, { timeoutMs: 15_000 }),
    );
    expect(await refusal(scoped)).toMatchObject({ status: 403, code: 'forbidden' });

    const unit = office();
    for (let i = 0; i < 4; i++) await issuePlatformHeld('EC-P256', unit);
    const before = await platformKeyBlobs();
    const fifth = await api(p.baseUrl, 'POST', '/api/v1/certificates/platform-held', { unit, keyAlgorithm: 'EC-P256' });
    expect(fifth.status).toBe(409);
    expect(fifth.body.code).toBe('certificate_limit_reached');
    expect(await platformKeyBlobs()).toBe(before);
  });
});

describe('signing with a platform-held key', () => {
  it('signs P-256 signed attributes for the document-sealing request; the signature verifies with the certificate', async () => {
    const { der, digest } = signedAttributes();
    const token = gatewayToken();
    const reply = await asSealService<PlatformKeySignReply>(signRequest(p256.serial, der), token);
    expect(reply.signatureAlgorithmOid).toBe('1.2.840.10045.4.3.2');
    const publicKey = new X509Certificate(p256.certificatePem).publicKey;
    expect(verify('sha256', der, { key: publicKey, dsaEncoding: 'der' }, Buffer.from(reply.signature, 'base64'))).toBe(true);
    // Recorded: which signed attributes and document digest, for whom, in which gateway request.
    expect(await uses(p256.serial)).toEqual([
      {
        purpose: 'document',
        data_sha256: createHash('sha256').update(der).digest('hex'),
        message_digest: digest.toString('hex'),
        request_id: JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).rid,
        client_id: 'city-bureau-system',
        actor: 'staff-42',
        gateway_request: createHash('sha256').update(token).digest('hex'),
      },
    ]);
  });

  it('signs SM2 signed attributes with SM3 and the standard user ID (pki sm2Verify and openssl agree)', async () => {
    const { der } = signedAttributes();
    const reply = await asSealService<PlatformKeySignReply>(signRequest(sm2.serial, der), gatewayToken());
    expect(reply.signatureAlgorithmOid).toBe('1.2.156.10197.1.501');
    const signature = Buffer.from(reply.signature, 'base64');
    expect(sm2Verify(sm2PublicKeyFromSpki(spkiOf(sm2.certificatePem)), der, signature, '1234567812345678')).toBe(true);
    const cert = dir.file(`sm2-${sm2.serial}.pem`, sm2.certificatePem);
    const pub = dir.file(`sm2-${sm2.serial}.pub.pem`, opensslResult(['x509', '-in', cert, '-pubkey', '-noout']).out);
    const data = dir.file(`sm2-${sm2.serial}.attrs.der`, der);
    const sig = dir.file(`sm2-${sm2.serial}.sig`, signature);
    const checked = opensslResult(['dgst', '-sm3', '-sigopt', 'distid:1234567812345678', '-verify', pub, '-signature', sig, data]);
    expect(checked.out, checked.out).toMatch(/Verified OK/);
  });

  it('signs RSA-2048 signed attributes with PKCS#1 v1.5 and SHA-256', async () => {
    const rsa = await issuePlatformHeld('RSA-2048');
    expect(rsa).toMatchObject({ keyAlgorithm: 'RSA', platformHeld: true });
    const { der } = signedAttributes();
    const reply = await asSealService<PlatformKeySignReply>(signRequest(rsa.serial, der), gatewayToken());
    expect(reply.signatureAlgorithmOid).toBe('1.2.840.113549.1.1.11');
    expect(verify('sha256', der, new X509Certificate(rsa.certificatePem).publicKey, Buffer.from(reply.signature, 'base64'))).toBe(true);
  });

  it('signs twice when asked twice: two valid signatures, two records (no idempotency needed)', async () => {
    const { der } = signedAttributes();
    const before = (await uses(p256.serial)).length;
    const publicKey = new X509Certificate(p256.certificatePem).publicKey;
    for (let i = 0; i < 2; i++) {
      const reply = await asSealService<PlatformKeySignReply>(signRequest(p256.serial, der), gatewayToken());
      expect(verify('sha256', der, { key: publicKey, dsaEncoding: 'der' }, Buffer.from(reply.signature, 'base64'))).toBe(true);
    }
    expect((await uses(p256.serial)).length).toBe(before + 2);
  });
});

describe('the SES_Signature of an SM2 office seal (GB/T 38540), signed in the same call', () => {
  const SM2_SM3 = '1.2.156.10197.1.501';
  let sealDer: Uint8Array;
  const certDer = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
  /** Signed attributes over a document digest, and the TBS_Sign of the office's seal over the same digest. */
  const pair = (over: { digest?: Buffer; seal?: Uint8Array; time?: Date } = {}) => {
    const { der, digest } = signedAttributes();
    const ses = prepareSesSignatureV4({ seal: over.seal ?? sealDer, signerCertificate: certDer(sm2.certificatePem), signatureAlgorithmOid: SM2_SM3, dataHash: over.digest ?? digest, propertyInfo: 'PDF Signature1 /ByteRange [0 100 200 300]', ...(over.time ? { timeInfo: over.time } : {}) });
    return { der, digest, ses };
  };
  const sesRequest = (der: Uint8Array, tbs: Uint8Array, serial = sm2.serial) => ({ ...signRequest(serial, der), sesDataToSign: Buffer.from(tbs).toString('base64') });

  beforeAll(async () => {
    const seal = await api<{ id: string }>(p.baseUrl, 'POST', '/api/v1/seals', { kind: 'official', name: '南宁市人力资源和社会保障局', image: sealPng(240, 20).toString('base64'), widthMm: 42, heightMm: 42, certificateSerial: sm2.serial });
    expect(seal.status, JSON.stringify(seal.body)).toBe(201);
    const esl = await fetch(`${p.baseUrl}/api/v1/seals/${seal.body.id}.esl`, { headers: defaultHeaders });
    expect(esl.status).toBe(200);
    sealDer = new Uint8Array(await esl.arrayBuffer());
  });

  it('signs the CMS attributes and the TBS_Sign of its own seal over the same digest; both verify; two records', async () => {
    const { der, digest, ses } = pair();
    const before = (await uses(sm2.serial)).length;
    const reply = await asSealService<PlatformKeySignReply>(sesRequest(der, ses.dataToSign), gatewayToken());
    expect(sm2Verify(sm2PublicKeyFromSpki(spkiOf(sm2.certificatePem)), der, Buffer.from(reply.signature, 'base64'), '1234567812345678')).toBe(true);
    // libs/ses checks the value against the certificate before it writes the SES_Signature
    expect(() => assembleSesSignatureV4(ses, Buffer.from(reply.sesSignature!, 'base64'))).not.toThrow();
    const rows = (await uses(sm2.serial)).slice(before);
    expect(rows.map((r) => [r.purpose, r.message_digest, r.data_sha256])).toEqual([
      ['document', digest.toString('hex'), createHash('sha256').update(der).digest('hex')],
      ['ses-signature', digest.toString('hex'), createHash('sha256').update(ses.dataToSign).digest('hex')],
    ]);
    // The ses-signature row names the seal, as the maker's record knows it.
    const seal = decodeSeal(sealDer);
    const [use] = (await p.db.query("SELECT es_id, seal_info_sha256 FROM cert.platform_key_use WHERE serial = $1 AND purpose = 'ses-signature' ORDER BY id DESC LIMIT 1", [sm2.serial])).rows;
    const [made] = (await p.db.query('SELECT seal_info_sha256 FROM cert.seal_maker_signature WHERE es_id = $1 AND certificate_serial = $2', [seal.sealInfo.esId, sm2.serial])).rows;
    expect(use).toEqual({ es_id: seal.sealInfo.esId, seal_info_sha256: createHash('sha256').update(seal.sealInfoDer).digest('hex') });
    expect(made.seal_info_sha256).toBe(use.seal_info_sha256);
  });

  it("refuses a seal by ecert's maker that the maker's record does not show signed for this certificate, signing nothing", async () => {
    const seal = decodeSeal(sealDer);
    const before = (await uses(sm2.serial)).length;
    // As if the maker key had signed this SES_SealInfo off the record (or for another certificate).
    await p.db.query('UPDATE cert.seal_maker_signature SET certificate_serial = certificate_serial || $3 WHERE es_id = $1 AND certificate_serial = $2', [seal.sealInfo.esId, sm2.serial, '00']);
    try {
      const { der, ses } = pair();
      const r = await refusal(asSealService(sesRequest(der, ses.dataToSign), gatewayToken()));
      expect(r).toMatchObject({ status: 400, code: 'validation_failed', field: 'sesDataToSign', detail: expect.stringMatching(/never signed seal .* for certificate/) });
    } finally {
      await p.db.query('UPDATE cert.seal_maker_signature SET certificate_serial = $2 WHERE es_id = $1 AND certificate_serial = $3', [seal.sealInfo.esId, sm2.serial, `${sm2.serial}00`]);
    }
    // A create signed without a gateway request on the record is no provenance either.
    await p.db.query('UPDATE cert.seal_maker_signature SET gateway_request = NULL WHERE es_id = $1', [seal.sealInfo.esId]);
    try {
      const { der, ses } = pair();
      expect(await refusal(asSealService(sesRequest(der, ses.dataToSign), gatewayToken()))).toMatchObject({ status: 400, field: 'sesDataToSign', detail: expect.stringMatching(/without a traceable request/) });
    } finally {
      await p.db.query("UPDATE cert.seal_maker_signature SET gateway_request = repeat('a', 64) WHERE es_id = $1", [seal.sealInfo.esId]);
    }
    expect((await uses(sm2.serial)).length).toBe(before);
  });

  it("refuses a 'renewal' seal for a certificate that renews none: the seal-service on its own cannot have the maker sign a seal", async () => {
    const seal = decodeSeal(sealDer);
    const id = randomUUID();
    const info = { ...seal.sealInfo, esId: id.replace(/-/g, '') };
    const data = Buffer.from(encodeSealToBeSigned(info, 4, seal.cert, seal.signatureAlgorithmOid)).toString('base64');
    const before = (await p.db.query('SELECT count(*)::int AS n FROM cert.seal_maker_signature')).rows[0].n;
    const r = await refusal(asSealService({ data, sealId: id, certificateSerial: sm2.serial, uscc: sm2.unit.uscc, accountNo: sm2.unit.accountNo, purpose: 'renewal' }, undefined, Subjects.cert.sealMakerSign));
    expect(r).toMatchObject({ status: 422, field: 'purpose', detail: expect.stringMatching(/renews no certificate/) });
    expect((await p.db.query('SELECT count(*)::int AS n FROM cert.seal_maker_signature')).rows[0].n).toBe(before);
  });

  it('refuses a TBS_Sign over another digest, of a seal not made by ecert, from another time, arbitrary bytes, and for a non-SM2 key — signing nothing', async () => {
    const before = (await uses(sm2.serial)).length;
    const { der } = pair();
    const otherDigest = pair({ digest: createHash('sha256').update('another document').digest() }).ses.dataToSign;
    // A seal the seal-service could forge with a maker key of its own, bound to this certificate.
    const forger = await createTestPki();
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const forged = await buildSealV4({
      vendorId: 'FORGER', esId: '45010099990001', type: 1, name: '南宁市人力资源和社会保障局', certList: { type: 1, certs: [certDer(sm2.certificatePem)] },
      createDate: now, validStart: now, validEnd: new Date(now.getTime() + 86_400_000), picture: { type: 'png', data: tinyPng(), widthMm: 40, heightMm: 40 },
      makerCertificate: forger.maker.cert, makerSigner: forger.maker.signer,
    });
    const forged_ = pair({ seal: forged });
    const stale = pair({ time: new Date(Date.now() + 15 * 60_000) });
    for (const [attrs, tbs, problem] of [
      [der, otherDigest, /dataHash is not the message digest/],
      [forged_.der, forged_.ses.dataToSign, /not made by ecert's seal maker/],
      [stale.der, stale.ses.dataToSign, /is not now/],
      [der, sealDer, /not a GB\/T 38540 v4 TBS_Sign/],
      [der, der, /not a SEQUENCE/],
    ] as const) {
      const r = await refusal(asSealService(sesRequest(attrs, tbs), gatewayToken()));
      expect(r).toMatchObject({ status: 400, code: 'validation_failed', field: 'sesDataToSign' });
      expect(r.detail).toMatch(problem);
    }
    expect(await refusal(asSealService(sesRequest(signedAttributes().der, pair().ses.dataToSign, p256.serial), gatewayToken()))).toMatchObject({ status: 400, field: 'sesDataToSign', detail: expect.stringMatching(/SM2 keys only/) });
    expect(await refusal(asSealService({ ...signRequest(sm2.serial, der), sesDataToSign: 'not base64!' }, gatewayToken()))).toMatchObject({ status: 400, field: 'sesDataToSign' });
    expect((await uses(sm2.serial)).length).toBe(before);
  });
});

describe('refusals', () => {
  it('refuses the gateway itself: only the seal-service may ask', async () => {
    const { der } = signedAttributes();
    const call = requestContext.run({ requestId: `pk-${randomUUID()}`, clientId: 'all-powerful', operations: [...OPERATIONS], regions: [NATIONAL_SCOPE] }, () =>
      gatewayBus.call(Subjects.cert.platformKeySign, signRequest(p256.serial, der), { timeoutMs: 15_000 }),
    );
    expect(await refusal(call)).toMatchObject({ status: 403, code: 'bus_caller_forbidden' });
  });

  it('refuses the seal-service on its own, or inside any other gateway request, or for a caller without documents:seal', async () => {
    const { der } = signedAttributes();
    const before = (await uses(p256.serial)).length;
    expect(await refusal(asSealService(signRequest(p256.serial, der)))).toMatchObject({ status: 403, code: 'forbidden', detail: expect.stringMatching(/inside a gateway request/) });
    expect(await refusal(asSealService(signRequest(p256.serial, der), gatewayToken({ subject: Subjects.seal.create, ops: [...OPERATIONS] })))).toMatchObject({
      status: 403,
      code: 'forbidden',
      detail: expect.stringMatching(/document-sealing request/),
    });
    expect(await refusal(asSealService(signRequest(p256.serial, der), gatewayToken({ ops: ['seals:create', 'seals:read'] })))).toMatchObject({
      status: 403,
      code: 'forbidden',
      detail: expect.stringMatching(/documents:seal/),
    });
    // The document-sealing caller's region scope must cover the certificate.
    expect(await refusal(asSealService(signRequest(p256.serial, der), gatewayToken({ reg: ['440000'] })))).toMatchObject({ status: 403, code: 'forbidden' });
    expect((await uses(p256.serial)).length).toBe(before);
  });

  it('refuses a certificate whose key the platform does not hold', async () => {
    const { csr } = opensslCsr(dir, 'p256');
    const ukeyHeld = await api<CertificateView>(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: office() });
    expect(ukeyHeld.status).toBe(201);
    const { der } = signedAttributes();
    expect(await refusal(asSealService(signRequest(ukeyHeld.body.serial, der), gatewayToken()))).toMatchObject({ status: 422, code: 'certificate_not_platform_held' });
    expect(await refusal(asSealService(signRequest('0badc0de', der), gatewayToken()))).toMatchObject({ status: 422, code: 'certificate_not_found' });
  });

  it('refuses a frozen certificate, and signs again once it is unfrozen; refuses a revoked one', async () => {
    const c = await issuePlatformHeld('EC-P256');
    const { der } = signedAttributes();
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${c.serial}/freeze`, { comment: 'seal key suspected misused' })).status).toBe(200);
    expect(await refusal(asSealService(signRequest(c.serial, der), gatewayToken()))).toMatchObject({ status: 422, code: 'certificate_not_active', detail: expect.stringMatching(/frozen/) });
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${c.serial}/unfreeze`, {})).status).toBe(200);
    await asSealService<PlatformKeySignReply>(signRequest(c.serial, der), gatewayToken());
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${c.serial}/revoke`, { reason: 'cessationOfOperation' })).status).toBe(200);
    expect(await refusal(asSealService(signRequest(c.serial, der), gatewayToken()))).toMatchObject({ status: 422, code: 'certificate_not_active', detail: expect.stringMatching(/revoked/) });
    expect((await uses(c.serial)).length).toBe(1);
  });

  it('refuses data that is not CMS signed attributes: a TBSCertificate, arbitrary bytes, no message digest, more than 8 KiB', async () => {
    const before = (await uses(p256.serial)).length;
    const certDer = Buffer.from(p256.certificatePem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const tbs = new Uint8Array(AsnConvert.serialize(AsnConvert.parse(certDer, Certificate).tbsCertificate));
    const noDigest = set(attribute('1.2.840.113549.1.9.3', derOid('1.2.840.113549.1.7.1')));
    const big = set(...signedAttributesParts(), attribute('1.2.3.4', derTlv(0x04, new Uint8Array(9000))));
    for (const data of [tbs, new Uint8Array(createHash('sha256').update('just a digest').digest()), noDigest, big]) {
      expect(await refusal(asSealService(signRequest(p256.serial, data), gatewayToken()))).toMatchObject({ status: 400, code: 'validation_failed', field: 'dataToSign' });
    }
    expect(await refusal(asSealService({ ...signRequest(p256.serial, signedAttributes().der), dataToSign: 'not base64!' }, gatewayToken()))).toMatchObject({ status: 400, field: 'dataToSign' });
    expect(await refusal(asSealService({ ...signRequest(p256.serial, signedAttributes().der), purpose: 'certificate' }, gatewayToken()))).toMatchObject({ status: 400, field: 'purpose' });
    expect((await uses(p256.serial)).length).toBe(before);
  });
});

function signedAttributesParts(): Uint8Array[] {
  const digest = createHash('sha256').update('x').digest();
  return [attribute('1.2.840.113549.1.9.3', derOid('1.2.840.113549.1.7.1')), attribute('1.2.840.113549.1.9.4', derTlv(0x04, digest))];
}
