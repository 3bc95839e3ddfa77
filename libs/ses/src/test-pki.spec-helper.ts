/**
 * Test-only SM2 PKI for the seal tests: root CA → issuing CA → seal-maker (制章者) and unit
 * certificates, built with @ecert/pki's x509 builders and real GM/T 0003 SM2 keys. Imports the
 * pki sub-barrels by relative path for the reason given in pki-bridge.ts.
 */
import { deflateSync, crc32 } from 'node:zlib';
import { OID, Sm2PrivateKey, decodeEcSignature, sm2PublicKeyToSpki, type Signer } from '../../pki/src/crypto';
import { PROFILE_OID, buildCertificate, certificateProfiles, encodeName, issuerFromCertificate, newSerialNumber } from '../../pki/src/x509';
import type { SealMakerTrustList } from './maker-trust';
import { encodeSeal, encodeSealToBeSigned } from './seal-codec';
import { encodeSesSignature, encodeTbsSign } from './ses-signature-codec';
import { buildSealV4 } from './seal-builder';
import type { SealVersion, SesSealInfo, SesSignature, SesTbsSign, SignatureAlgorithmForm } from './ses-model';

const DAY = 24 * 3600 * 1000;
const YEAR = 365 * DAY;

export interface TestKeyPair {
  readonly key: Sm2PrivateKey;
  readonly signer: Signer;
}

export function sm2Signer(key: Sm2PrivateKey = Sm2PrivateKey.generate()): TestKeyPair {
  const spki = sm2PublicKeyToSpki(key.publicKey);
  return {
    key,
    signer: { algorithm: 'SM2', signatureAlgorithmOid: OID.sm2WithSm3, spki, sign: async (data) => key.sign(data) },
  };
}

export interface TestCertificate extends TestKeyPair {
  readonly cert: Uint8Array;
}

export interface TestPki {
  readonly root: TestCertificate;
  readonly issuing: TestCertificate;
  /** Seal maker, certificateProfiles.sealMaker, issued by `issuing`. */
  readonly maker: TestCertificate;
  /** Unit (参保单位) certificate the seal is bound to, certificateProfiles.unit. */
  readonly unit: TestCertificate;
  /** A second unit certificate, not bound to seals in the tests. */
  readonly otherUnit: TestCertificate;
  /** Personal (个人) certificate, certificateProfiles.personal. */
  readonly personal: TestCertificate;
  /** Delegated OCSP signer, certificateProfiles.ocspSigner, issued by `issuing`. */
  readonly ocspSigner: TestCertificate;
  /** Start of every end-entity certificate's validity. */
  readonly notBefore: Date;
  /** End of every end-entity certificate's validity. */
  readonly notAfter: Date;
}

const links = {
  crlUrl: 'http://pki.ecert.test/crl/issuing.crl',
  ocspUrl: 'http://pki.ecert.test/ocsp',
  caIssuersUrl: 'http://pki.ecert.test/ca/issuing.cer',
};

/** End-entity certificates are valid from `now - 30 days` for 3 years; CAs 20 years. */
export async function createTestPki(now = new Date()): Promise<TestPki> {
  const notBefore = new Date(Math.floor((now.getTime() - 30 * DAY) / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + 3 * YEAR);

  const rootKeys = sm2Signer();
  const rootName = encodeName({ C: 'CN', O: 'ecert 测试', CN: 'ecert 测试根CA (SM2)' });
  const rootCert = await buildCertificate({
    issuer: { name: rootName, spki: rootKeys.signer.spki },
    signer: rootKeys.signer,
    subjectName: rootName,
    subjectSpki: rootKeys.signer.spki,
    serialNumber: newSerialNumber(),
    notBefore: new Date(notBefore.getTime() - YEAR),
    notAfter: new Date(notBefore.getTime() + 20 * YEAR),
    extensions: certificateProfiles.rootCa({ subjectSpki: rootKeys.signer.spki }),
  });
  const root = { ...rootKeys, cert: rootCert };

  const issuingKeys = sm2Signer();
  const issuingCert = await buildCertificate({
    issuer: issuerFromCertificate(rootCert),
    signer: rootKeys.signer,
    subjectName: encodeName({ C: 'CN', O: 'ecert 测试', CN: 'ecert 测试签发CA (SM2)' }),
    subjectSpki: issuingKeys.signer.spki,
    serialNumber: newSerialNumber(),
    notBefore: new Date(notBefore.getTime() - YEAR),
    notAfter: new Date(notBefore.getTime() + 10 * YEAR),
    extensions: certificateProfiles.issuingCa({ subjectSpki: issuingKeys.signer.spki }),
  });
  const issuing = { ...issuingKeys, cert: issuingCert };

  const endEntity = async (subject: Parameters<typeof encodeName>[0], extensions: (spki: Uint8Array) => ReturnType<typeof certificateProfiles.unit>): Promise<TestCertificate> => {
    const keys = sm2Signer();
    const cert = await buildCertificate({
      issuer: issuerFromCertificate(issuingCert),
      signer: issuingKeys.signer,
      subjectName: encodeName(subject),
      subjectSpki: keys.signer.spki,
      serialNumber: newSerialNumber(),
      notBefore,
      notAfter,
      extensions: extensions(keys.signer.spki),
    });
    return { ...keys, cert };
  };

  const maker = await endEntity({ C: 'CN', O: 'ecert 测试', CN: 'ecert 电子印章制作系统' }, (spki) =>
    certificateProfiles.sealMaker({ subjectSpki: spki, ...links }),
  );
  const unit = await endEntity(
    certificateProfiles.unitSubject({ province: '广西壮族自治区', city: '南宁市', unitName: '南宁市某某科技有限公司' }),
    (spki) => certificateProfiles.unit({ subjectSpki: spki, ...links, uscc: '91450100MA5L000000' }),
  );
  const otherUnit = await endEntity(
    certificateProfiles.unitSubject({ province: '山东省', city: '枣庄市', unitName: '滕州市另一单位' }),
    (spki) => certificateProfiles.unit({ subjectSpki: spki, ...links, uscc: '91370481MA3C000000' }),
  );
  const personal = await endEntity(
    certificateProfiles.personalSubject({ province: '广西壮族自治区', city: '南宁市', unitName: '南宁市某某科技有限公司', personName: '张三' }),
    (spki) => certificateProfiles.personal({ subjectSpki: spki, ...links, idNumber: '11010519491231002X' }),
  );
  const ocspSigner = await endEntity({ C: 'CN', O: 'ecert 测试', CN: 'ecert OCSP 签名' }, (spki) => certificateProfiles.ocspSigner({ subjectSpki: spki }));
  return { root, issuing, maker, unit, otherUnit, personal, ocspSigner, notBefore, notAfter };
}

/** ecert's own seal makers: under this PKI's root, with id-kp-ecertSealMaking (as the seal-service trusts them). */
export function ecertMakerTrust(pki: Pick<TestPki, 'root' | 'issuing'>): SealMakerTrustList {
  return {
    label: 'ecert seal maker',
    anchors: [pki.root.cert],
    intermediates: [pki.issuing.cert],
    requiredPurpose: PROFILE_OID.kpEcertSealMaking,
    purposeName: 'id-kp-ecertSealMaking',
  };
}

/**
 * Another seal-making system (another province, the national platform): its own root, and a maker
 * certificate without ecert's purpose (keyUsage only, as GB/T 38540 makers usually are).
 */
export async function createForeignSealMaker(now = new Date(), name = '某省电子印章制作系统'): Promise<{ root: TestCertificate; maker: TestCertificate }> {
  const notBefore = new Date(Math.floor((now.getTime() - 30 * DAY) / 1000) * 1000);
  const rootKeys = sm2Signer();
  const rootName = encodeName({ C: 'CN', O: '某省电子印章', CN: `${name}根CA` });
  const rootCert = await buildCertificate({
    issuer: { name: rootName, spki: rootKeys.signer.spki },
    signer: rootKeys.signer,
    subjectName: rootName,
    subjectSpki: rootKeys.signer.spki,
    serialNumber: newSerialNumber(),
    notBefore,
    notAfter: new Date(notBefore.getTime() + 10 * YEAR),
    extensions: certificateProfiles.rootCa({ subjectSpki: rootKeys.signer.spki }),
  });
  const makerKeys = sm2Signer();
  const makerCert = await buildCertificate({
    issuer: issuerFromCertificate(rootCert),
    signer: rootKeys.signer,
    subjectName: encodeName({ C: 'CN', O: '某省电子印章', CN: name }),
    subjectSpki: makerKeys.signer.spki,
    serialNumber: newSerialNumber(),
    notBefore,
    notAfter: new Date(notBefore.getTime() + 3 * YEAR),
    // ecert's maker profile minus ecert's own purpose: what another system's maker looks like.
    extensions: certificateProfiles.sealMaker({ subjectSpki: makerKeys.signer.spki, ...links }).filter((e) => e.extnID !== '2.5.29.37'),
  });
  return { root: { ...rootKeys, cert: rootCert }, maker: { ...makerKeys, cert: makerCert } };
}

/** A real (decodable) PNG of `size`×`size` red pixels. */
export function tinyPng(size = 2): Uint8Array {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.of(0), Buffer.alloc(size * 3, Buffer.of(0xe0, 0x10, 0x10))]);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(raw)),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * Signs arbitrary (possibly quirky) seal contents with a maker key, in either layout; for tests
 * that need seals ecert's builder would refuse to make (v1, odd encodings) but that verify.
 */
export async function signSeal(
  sealInfo: SesSealInfo,
  version: SealVersion,
  maker: TestCertificate,
  form: SignatureAlgorithmForm = 'oid',
): Promise<Uint8Array> {
  const tbs = encodeSealToBeSigned(sealInfo, version, maker.cert, OID.sm2WithSm3, form);
  const signature = await maker.signer.sign(tbs);
  return encodeSeal({ version, sealInfo, cert: maker.cert, signatureAlgorithmOid: OID.sm2WithSm3, signatureAlgorithmForm: form, signature });
}

/** Signs arbitrary SES_Signature contents (either version) with a signer key. */
export async function signSesSignature(
  version: SealVersion,
  toSign: SesTbsSign,
  signer: TestCertificate,
  extra: Partial<Pick<SesSignature, 'timeStamp' | 'timeStampForm' | 'signatureAlgorithmForm'>> & { rawSignature?: boolean } = {},
): Promise<Uint8Array> {
  const tbs = encodeTbsSign(version, toSign, signer.cert, OID.sm2WithSm3, extra.signatureAlgorithmForm);
  let signature = await signer.signer.sign(tbs);
  if (extra.rawSignature) signature = derToRaw(signature);
  return encodeSesSignature({
    version,
    toSign,
    cert: signer.cert,
    signatureAlgorithmOid: OID.sm2WithSm3,
    ...(extra.signatureAlgorithmForm ? { signatureAlgorithmForm: extra.signatureAlgorithmForm } : {}),
    signature,
    ...(extra.timeStamp ? { timeStamp: extra.timeStamp, timeStampForm: extra.timeStampForm ?? 'explicit' } : {}),
  });
}

/** DER SEQUENCE{r,s} → raw 64-byte r||s, the form some producers (and PKCS#11) use. */
export function derToRaw(der: Uint8Array): Uint8Array {
  const sig = decodeEcSignature(der)!;
  const out = new Uint8Array(64);
  out.set(Buffer.from(sig.r.toString(16).padStart(64, '0'), 'hex'), 0);
  out.set(Buffer.from(sig.s.toString(16).padStart(64, '0'), 'hex'), 32);
  return out;
}

/** The ordinary v4 test seal (official, 40 mm, bound to the PKI's unit, signed by its maker, valid a day), with any field replaced. */
export function testSealV4(pki: Pick<TestPki, 'unit' | 'maker'>, overrides: Partial<Parameters<typeof buildSealV4>[0]> = {}, now = new Date(Math.floor(Date.now() / 1000) * 1000)): Promise<Uint8Array> {
  return buildSealV4({
    vendorId: 'ECERT',
    type: 1,
    name: '测试单位',
    certList: { type: 1, certs: [pki.unit.cert] },
    createDate: now,
    validStart: now,
    validEnd: new Date(now.getTime() + 86_400_000),
    picture: { type: 'png', data: tinyPng(), widthMm: 40, heightMm: 40 },
    makerCertificate: pki.maker.cert,
    makerSigner: pki.maker.signer,
    ...overrides,
  });
}
