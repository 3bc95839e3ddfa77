import type { ResponseTypeName, ResponseTypes } from './response-types';

/*
 * One example per response schema, typed as the answer it illustrates (the compiler checks every
 * field against the type; the OpenAPI test checks each against its generated schema, closed).
 */

const SERIAL = '5f3a9c0d1e2b4a6c8d0e1f2a3b4c5d6e';
const UNIT = { name: '南宁市某某科技有限公司', uscc: '91450100MA5KXXXX0X', regionCode: '450103', accountNo: '4501000001' };
const CERT_PEM = '-----BEGIN CERTIFICATE-----\nMIIB8jCCAZigAwIBAgIQXzqcDR4rSmyNDh8qO0xdbjAKBggqgRzPVQGDdTA…\n-----END CERTIFICATE-----\n';
const STAFF_ID = '0b8f7c1e-3a52-4a8e-9d7b-6e1f2c3d4a5b';
const CLIENT_ID = '6c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const APPLICATION_ID = '2d4c6e8a-1b3d-4f5a-8c7e-9b0a1c2d3e4f';
const SEAL_ID = '8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d';
const DOCUMENT_ID = '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7';
const REQUEST_ID = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
const SHA256 = 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9';
const AT = '2026-11-30T09:15:00.000Z';
const UKEY = 'GX-UK-000123';

const certificate: ResponseTypes['CertificateView'] = {
  serial: SERIAL,
  caId: 'sm2-issuing',
  profile: 'unit',
  keyAlgorithm: 'SM2',
  status: 'active',
  subject: 'CN=南宁市某某科技有限公司,OU=4501000001,O=91450100MA5KXXXX0X,L=450103,C=CN',
  unit: UNIT,
  notBefore: '2026-01-05T02:00:00.000Z',
  notAfter: '2027-01-05T02:00:00.000Z',
  ukeySerial: UKEY,
  certificatePem: CERT_PEM,
  chainPem: [CERT_PEM],
};

const ca: ResponseTypes['CaList'][number] = {
  caId: 'sm2-issuing',
  role: 'issuing',
  family: 'sm2',
  subject: 'CN=ecert SM2 Issuing CA,O=ecert,C=CN',
  serial: '1a2b3c4d5e6f7081',
  notBefore: '2025-01-01T00:00:00.000Z',
  notAfter: '2035-01-01T00:00:00.000Z',
  certificatePem: CERT_PEM,
};

const ukey: ResponseTypes['UkeyView'] = {
  serial: UKEY,
  vendor: '飞天诚信',
  model: 'ePass3003',
  batch: 'FT-2026-07',
  deliveredOn: '2026-07-01',
  state: 'in_use',
  officeRegionCode: '450100',
  applicationId: APPLICATION_ID,
  unit: { uscc: UNIT.uscc, accountNo: UNIT.accountNo, regionCode: UNIT.regionCode },
  certificateSerials: [SERIAL],
  collectedAt: '2026-07-20T03:00:00.000Z',
  collector: { name: '张三', idNumberMasked: '450103********1234' },
  warrantyUntil: '2027-07-20T03:00:00.000Z',
  soPinGeneration: 0,
  version: 7,
  history: [{ from: null, to: 'in_stock', action: 'import', at: '2026-07-01T01:00:00.000Z', by: { staffId: STAFF_ID, clientId: null, via: null } }],
};

// Lists leave each UKey's history out.
const { history: _history, ...ukeyListed } = ukey;

const dispatchBatch: ResponseTypes['DispatchBatchView'] = {
  id: '7c6b5a49-3827-4165-a0b9-c8d7e6f5a4b3',
  officeRegionCode: '450100',
  serials: [UKEY],
  createdAt: '2026-07-10T02:00:00.000Z',
  createdBy: STAFF_ID,
  receivedAt: '2026-07-12T06:30:00.000Z',
  receivedBy: STAFF_ID,
};

const application: ResponseTypes['ApplicationView'] = {
  id: APPLICATION_ID,
  type: 'apply',
  channel: 'on_site',
  status: 'under_review',
  tier: 'city',
  route: ['county', 'city', 'province'],
  unit: { ...UNIT, address: '南宁市青秀区民族大道100号', postalCode: '530000' },
  handler: { name: '张三', idNumberMasked: '450103********1234', phoneMasked: '138****8000', email: 'zhangsan@example.cn' },
  seals: [{ kind: 'official', name: '南宁市某某科技有限公司', widthMm: 42, heightMm: 42 }],
  materials: [{ kind: 'certificate_form', sha256: SHA256, mediaType: 'application/pdf', size: 183_204, fileName: '申请表.pdf', attachedAt: '2026-11-28T02:10:00.000Z' }],
  checklist: { required: ['certificate_form', 'uscc_copy', 'handler_id_copy', 'seal_impression_form'], missing: [] },
  decisions: [
    { tier: 'county', decision: 'approve', by: { staffId: STAFF_ID, clientId: null, role: 'county_acceptor' }, at: '2026-11-29T01:00:00.000Z', materialsSeen: [SHA256] },
  ],
  steps: [],
  deadline: { limitWorkingDays: 5, dueAt: '2026-12-05T10:00:00.000Z', stepDueAt: '2026-12-02T10:00:00.000Z', overdue: false, pausedWorkingDays: 0 },
  results: {},
  filedBy: { clientId: CLIENT_ID, staffId: null },
  createdAt: '2026-11-28T02:00:00.000Z',
  updatedAt: '2026-11-29T01:00:00.000Z',
  version: 4,
  timeline: [
    { at: '2026-11-28T02:00:00.000Z', what: 'created', by: { staffId: null, clientId: CLIENT_ID, via: null } },
    { at: '2026-11-29T01:00:00.000Z', what: 'forwarded', by: { staffId: STAFF_ID, clientId: null, via: null }, detail: { tier: 'city' } },
  ],
};

const seal: ResponseTypes['SealView'] = {
  id: SEAL_ID,
  esId: '45010320260000001',
  kind: 'official',
  typeCode: 1,
  name: '南宁市某某科技有限公司',
  status: 'active',
  additional: false,
  unit: { uscc: UNIT.uscc, name: UNIT.name, regionCode: UNIT.regionCode },
  certificate: { serial: SERIAL, profile: 'unit', notAfter: '2027-01-05T02:00:00.000Z' },
  image: { widthPx: 496, heightPx: 496, widthMm: 42, heightMm: 42, bytes: 48_211, sha256: SHA256, source: 'upload' },
  validFrom: '2026-01-06T00:00:00.000Z',
  validTo: '2027-01-05T02:00:00.000Z',
  createdAt: '2026-01-06T00:00:00.000Z',
  statusChangedAt: '2026-01-06T00:00:00.000Z',
  sha256: SHA256,
  bytes: 52_730,
};

const check = { name: 'maker-signature', result: 'passed' as const, detail: 'SM2 signature of the seal maker verifies' };

const document: ResponseTypes['DocumentView'] = {
  id: DOCUMENT_ID,
  sha256: SHA256,
  size: 245_871,
  pages: 3,
  fileName: '社会保险缴费基数申报表.pdf',
  uploadedBy: { clientId: CLIENT_ID },
  uploadedAt: '2026-11-30T02:00:00.000Z',
  retainedUntil: '2036-11-30T02:00:00.000Z',
};

const placement = { page: 3, xMm: 150, yMm: 240, widthMm: 42, heightMm: 42 };

const sealed: ResponseTypes['SealedDocumentView'] = {
  document: {
    ...document,
    id: '4f5a6b7c-8d9e-4fa0-b1c2-d3e4f5a6b7c8',
    derivedFrom: DOCUMENT_ID,
    sealing: {
      sealId: SEAL_ID,
      sealUseRequestId: REQUEST_ID,
      certificateSerial: SERIAL,
      fieldName: 'ecert-seal-1',
      family: 'gbt35275',
      subFilter: 'adbe.pkcs7.detached',
      mode: 'server',
      sealedAt: AT,
    },
  },
  signature: { fieldName: 'ecert-seal-1', family: 'gbt35275', subFilter: 'adbe.pkcs7.detached', sealId: SEAL_ID, certificateSerial: SERIAL, placements: [placement] },
};

const sealUseRequest: ResponseTypes['SealUseRequestView'] = {
  id: REQUEST_ID,
  sealId: SEAL_ID,
  seal: { name: seal.name, kind: 'official', uscc: UNIT.uscc, regionCode: UNIT.regionCode },
  documentId: DOCUMENT_ID,
  documentSha256: SHA256,
  placements: [{ type: 'keyword', keyword: '（盖章）', occurrence: 'first' }],
  purpose: '2026年度社会保险缴费基数申报表',
  status: 'approved',
  requestedBy: { clientId: CLIENT_ID },
  requestedAt: '2026-11-30T02:05:00.000Z',
  decision: { decision: 'approve', by: { staffId: STAFF_ID }, at: '2026-11-30T03:00:00.000Z' },
  expiresAt: '2026-12-01T03:00:00.000Z',
};

const verificationReport: ResponseTypes['DocumentVerificationReport'] = {
  id: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
  documentSha256: SHA256,
  size: 262_144,
  fileName: 'sealed.pdf',
  validationTime: AT,
  indication: 'TOTAL_PASSED',
  reason: 'every signature verifies and its certificate was valid when it was made',
  trustAnchors: ['CN=ecert SM2 Root CA,O=ecert,C=CN'],
  ecertDocumentId: '4f5a6b7c-8d9e-4fa0-b1c2-d3e4f5a6b7c8',
  signatures: [
    {
      fieldName: 'ecert-seal-1',
      subFilter: 'adbe.pkcs7.detached',
      family: 'gbt35275',
      indication: 'TOTAL_PASSED',
      reason: 'the signature verifies over the signed bytes',
      pages: [3],
      byteRange: [0, 120_000, 136_386, 125_758],
      digestAlgorithm: 'sm3',
      signer: { subject: certificate.subject, issuer: 'CN=ecert SM2 Issuing CA,O=ecert,C=CN', serial: SERIAL, notBefore: certificate.notBefore, notAfter: certificate.notAfter },
      certificateStatus: { status: 'active' },
      seal: { sealId: SEAL_ID, name: seal.name, kind: 'official', status: 'active', uscc: UNIT.uscc, unitName: UNIT.name },
      validatedAt: { time: AT, basis: 'ecert-record', detail: 'sealed by ecert at this time' },
      ecertRecord: { sealedAt: AT, documentId: '4f5a6b7c-8d9e-4fa0-b1c2-d3e4f5a6b7c8', sealUseRequestId: REQUEST_ID, mode: 'server' },
      laterRevisions: [],
      checks: [{ name: 'digest', result: 'passed', detail: 'the SM3 digest of the byte range matches' }],
      warnings: [],
    },
  ],
  policy: 'ecert-pdf-v1',
};

const subscription: ResponseTypes['WebhookSubscriptionView'] = {
  id: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  clientId: CLIENT_ID,
  url: 'https://shebao.example.gov.cn/ecert/webhook',
  eventTypes: ['certificate.*', 'seal.revoked'],
  regionCodes: ['450100'],
  description: '社保经办系统 — 证书状态同步',
  status: 'active',
  previousSecretValidUntil: null,
  createdAt: '2026-10-01T01:00:00.000Z',
  updatedAt: '2026-10-01T01:00:00.000Z',
};

const delivery: ResponseTypes['WebhookDeliveryView'] = {
  id: 'd1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6',
  subscriptionId: subscription.id,
  eventId: 'e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7',
  eventType: 'certificate.frozen',
  orderKey: SERIAL,
  status: 'succeeded',
  attempts: 2,
  lastStatusCode: 204,
  lastError: null,
  createdAt: AT,
  deliveredAt: '2026-11-30T09:15:31.000Z',
  deadAt: null,
  log: [
    { attempt: 1, startedAt: '2026-11-30T09:15:01.000Z', durationMs: 10_000, statusCode: null, error: 'timeout', outcome: 'failed' },
    { attempt: 2, startedAt: '2026-11-30T09:15:30.000Z', durationMs: 412, statusCode: 204, error: null, outcome: 'succeeded' },
  ],
};

const client: ResponseTypes['ClientView'] = {
  id: CLIENT_ID,
  name: '社保经办系统',
  department: '自治区社会保险事业局',
  operations: ['certificates:read', 'applications:submit', 'applications:read'],
  regionCodes: ['450000'],
  status: 'enabled',
  rateLimitPerSecond: 500,
  credentials: [{ id: 'Q3f9a2c1dX7b', kind: 'api_key', expiresAt: null, revokedAt: null, lastUsedAt: AT, certificateSerial: null }],
};

const staff: ResponseTypes['StaffView'] = {
  id: STAFF_ID,
  name: '李四',
  role: 'city_reviewer',
  regionCode: '450100',
  status: 'enabled',
  certificateSerials: ['7e2d1c0b9a8f7e6d5c4b3a2918070605'],
  lastLoginAt: AT,
};

const apiKey: ResponseTypes['IssuedApiKeyView'] = { apiKey: 'ek_Q3f9a2c1dX7b.Jx3k8m0Q2v5w7y9A1c3e5g7i9k1m3o5q7s9u1w3y5A0b2', credentialId: 'Q3f9a2c1dX7b' };

const page = <T>(item: T) => ({ items: [item], page: 1, pageSize: 20, total: 1 });
const cursorPage = <T>(item: T) => ({ items: [item], page: 1, pageSize: 20, total: 57, next: 'NWYzYTljMGQxZTJiNGE2YzhkMGUxZjJhM2I0YzVkNmU' });

export const RESPONSE_EXAMPLES: { [K in ResponseTypeName]: ResponseTypes[K] } = {
  CaList: [ca, { ...ca, caId: 'sm2-root', role: 'root', subject: 'CN=ecert SM2 Root CA,O=ecert,C=CN', serial: '0f1e2d3c4b5a6978' }],
  CaRevocationResult: {
    revoked: { ...ca, revokedAt: AT, revocationReason: 'keyCompromise', issuerCaId: 'sm2-root' },
    replacement: { ...ca, caId: 'sm2-issuing-2', serial: '2b3c4d5e6f708192', notBefore: AT },
    stopped: ['sm2-issuing'],
  },
  CertificateView: certificate,
  CertificatePage: cursorPage(certificate),
  ActivityReportResult: { accepted: 3, advanced: 2 },
  InvalidListPage: {
    items: [
      {
        serial: SERIAL,
        caId: 'sm2-issuing',
        profile: 'unit',
        unitName: UNIT.name,
        uscc: UNIT.uscc,
        accountNo: UNIT.accountNo,
        regionCode: UNIT.regionCode,
        invalidReason: 'idle',
        revocationReason: 'cessationOfOperation',
        invalidatedAt: AT,
        lastActivityAt: '2024-11-29T08:00:00.000Z',
        notAfter: '2027-01-05T02:00:00.000Z',
        ukeySerial: UKEY,
        cursor: 'MjAyNi0xMS0zMFQwOToxNTowMC4wMDBafDVmM2E5YzBk',
      },
    ],
    page: 1,
    pageSize: 20,
    total: 41,
    next: 'MjAyNi0xMS0zMFQwOToxNTowMC4wMDBafDVmM2E5YzBk',
  },
  DiscardedCertificatePage: {
    items: [
      {
        serial: '4d427bbd10b694c1e294b6570e51b1bb',
        caId: 'ecdsa-issuing',
        command: 'issue',
        reason: 'certificate_limit_reached',
        detail: '单位社保账户最多持有 4 张有效证书 / account 4501000001 of 91450100MA5L000000 already has 4 active certificates (limit 4)',
        regionCode: UNIT.regionCode,
        tbsSha256: 'bec8df8b4cfaf4c3e0e6b8d871677b4dfc172403c0321b966745eb8ba64803cc',
        signedDigest: 'bec8df8b4cfaf4c3e0e6b8d871677b4dfc172403c0321b966745eb8ba64803cc',
        signedDigestAlgorithm: 'SHA-256',
        certificateSha256: '7d6ea5de699327185cf04d164cd65f1ebe60c86b82b0af5497992838bbc170fb',
        requestId: 'req-limit-1796407687598',
        clientId: '2947a5ac-4c5b-4590-aca4-b74d3a1f7858',
        actor: null,
        signedAt: AT,
        recordedAt: AT,
        cursor: 'MjAyNi0xMS0zMFQwOToxNTowMC4wMDAwMDBafDRkNDI3YmJkMTBiNjk0YzFlMjk0YjY1NzBlNTFiMWJi',
      },
    ],
    page: 1,
    pageSize: 20,
    total: 1,
  },
  InvalidationRunView: {
    id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
    dryRun: true,
    trigger: 'operator',
    requestedBy: STAFF_ID,
    asOf: AT,
    queuedAt: AT,
    startedAt: '2026-11-30T09:15:02.000Z',
    finishedAt: '2026-11-30T09:15:09.000Z',
    status: 'finished',
    counts: [{ regionCode: '450103', reason: 'idle', count: 12 }],
    total: 12,
  },
  UkeyView: ukey,
  UkeyPage: { items: [ukeyListed], page: 1, pageSize: 20, total: 1 },
  ImportUkeysResult: { batch: 'FT-2026-07', imported: 500 },
  DispatchBatchView: dispatchBatch,
  ProductionSoPinView: { serial: UKEY, applicationId: APPLICATION_ID, soPin: '83920174', expiresAt: '2026-11-30T09:25:00.000Z' },
  UnlockAuthorisationView: {
    serial: UKEY,
    applicationId: APPLICATION_ID,
    soPin: '83920174',
    nextSoPin: '51038862',
    expiresAt: '2026-11-30T09:45:00.000Z',
    completionChallenge: 'q2VjZXJ0LXVubG9jay1jaGFsbGVuZ2UtMzItYnl0ZXM=',
  },
  ApplicationView: application,
  ApplicationPage: cursorPage(application),
  CalendarStatusView: { knownYears: [2025, 2026], overrideYears: [2027], missingYears: [] },
  SealView: seal,
  SealPage: page(seal),
  SealVerificationView: {
    kind: 'seal',
    indication: 'TOTAL_PASSED',
    validationTime: AT,
    trustAnchors: ['CN=ecert SM2 Root CA,O=ecert,C=CN'],
    seal: {
      indication: 'TOTAL_PASSED',
      version: 4,
      esId: seal.esId,
      type: 1,
      name: seal.name,
      maker: { subject: 'CN=ecert Seal Maker,O=ecert,C=CN', issuer: 'CN=ecert SM2 Root CA,O=ecert,C=CN', serialNumberHex: '3c4d5e6f708192a3' },
      validity: { createDate: seal.createdAt, validStart: seal.validFrom, validEnd: seal.validTo },
      picture: { type: 'png', widthMm: 42, heightMm: 42, bytes: 48_211 },
      boundCertificates: { type: 1, subjects: [certificate.subject] },
      checks: [check],
      warnings: [],
      ecert: { sealId: SEAL_ID, sealStatus: 'active', certificateSerial: SERIAL, certificateStatus: 'active' },
    },
  },
  ExtractedSealImageView: {
    png: 'iVBORw0KGgoAAAANSUhEUgAAAfAAAAHwCAYAAAD…',
    widthPx: 496,
    heightPx: 496,
    widthMm: 42,
    heightMm: 42,
    dpi: 300,
    dpiSource: 'file',
    inkColor: '#d0201c',
    inkPixels: 61_220,
  },
  DocumentView: document,
  DocumentVerificationReport: verificationReport,
  SealedDocumentView: sealed,
  SealDocumentReply: { mode: 'server', sealed },
  SealUseRequestView: sealUseRequest,
  SealUseRequestPage: page(sealUseRequest),
  SealUseRuleView: {
    sealId: SEAL_ID,
    users: { staffIds: [], clientIds: [CLIENT_ID] },
    approvers: { staffIds: [STAFF_ID], clientIds: [] },
    approvalRequired: true,
    version: 2,
    updatedAt: '2026-10-01T01:00:00.000Z',
    updatedBy: { staffId: STAFF_ID },
  },
  GatewayHealthView: {
    status: 'up',
    services: {
      gateway: { status: 'up', postgresPool: { size: 4, max: 10, idle: 3, waiting: 0 } },
      'cert-service': { status: 'up', checks: { postgres: 'up', nats: 'up', redis: 'up' } },
      'seal-service': { status: 'up', checks: { postgres: 'up', nats: 'up' } },
      'workflow-service': { status: 'up', checks: { postgres: 'up', nats: 'up', redis: 'up' } },
    },
    stores: { postgres: 'up', nats: 'up', redis: 'up' },
  },
  LoginChallengeView: { challengeId: '9c1f0e2d3b4a59687766554433221100', challenge: 'Jx3k8m0Q2v5w7y9A1c3e5g7i9k1m3o5q7s9u1w3y5A=', expiresAt: '2026-11-30T09:17:00.000Z' },
  StaffLoginView: {
    token: 'eyJzdWIiOiIwYjhmN2MxZS0zYTUyIiwicm9sZSI6ImNpdHlfcmV2aWV3ZXIifQ.Q2hlY2tNYWM',
    tokenType: 'Bearer',
    expiresAt: '2026-11-30T09:30:00.000Z',
    staff: { id: STAFF_ID, name: staff.name, role: 'city_reviewer', regionCode: '450100', operations: ['applications:read', 'applications:review'] },
  },
  AuditPage: cursorPage({
    seq: 10_482,
    at: AT,
    clientId: null,
    staffId: STAFF_ID,
    actor: null,
    action: 'POST /api/v1/certificates/:serial/freeze',
    target: SERIAL,
    outcome: 'success' as const,
    requestId: '7d0c4b7e-5b1e-4f8e-9a53-2f7a1c9e0b11',
    details: { attempt: 10_481 },
    hash: '1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a',
  }),
  AuditCheckpointsView: {
    chain: 'ecert',
    keyId: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
    items: [
      {
        checkpoint: { v: 1, chain: 'ecert', seq: 10_000, hash: '0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9', at: AT, macKeyId: 'k1', keyId: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00' },
        algorithm: 'Ed25519',
        signature: 'mZ3f0c2w…',
      },
    ],
  },
  AuditCheckpointKeyView: {
    chain: 'ecert',
    algorithm: 'Ed25519',
    keyId: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
    publicKeyPem: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA…\n-----END PUBLIC KEY-----\n',
  },
  OperationsOverview: {
    generatedAt: AT,
    regions: ['450000'],
    late: { slaBreaches: { total: 2, byTier: [{ tier: 'city', count: 2 }], byRegion: [{ regionCode: '450100', count: 2 }] } },
    failed: {
      sagasNeedingAttention: { total: 1, oldest: [{ applicationId: APPLICATION_ID, regionCode: '450103', step: 'issue-certificate', reason: 'cert-service unavailable', since: AT }] },
      deadLetters: { webhooks: { total: 0, oldest: [] }, mails: { total: 0, oldest: [] } },
      queues: [{ queue: 'webhook-deliveries', failed: 0 }],
    },
    due: { renewals: { windowDays: 30, total: 14, byRegion: [{ regionCode: '450100', count: 9 }] }, invalidations: { total: 3, byReason: [{ reason: 'idle', count: 3 }] }, invalidListSize: 41 },
    unavailable: [],
  },
  ClientView: client,
  ClientPage: page(client),
  RegisteredClientView: { client, ...apiKey },
  IssuedApiKeyView: apiKey,
  StaffView: staff,
  StaffPage: page(staff),
  WebhookSubscriptionView: subscription,
  WebhookSubscriptionPage: page(subscription),
  WebhookSubscriptionSecretView: { ...subscription, secret: 'whsec_4b1c9e0d7a2f5e8c3b6a9d0e1f2a3b4c' },
  RemovedWebhookSubscriptionView: { id: subscription.id, deleted: true },
  WebhookDeliveryView: delivery,
  WebhookDeliveryPage: page(delivery),
};
