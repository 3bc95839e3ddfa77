import { randomBytes } from 'node:crypto';
import {
  OID,
  PROFILE_OID,
  SM2_IS_NATIVE,
  Sm2PrivateKey,
  buildCertificate,
  certificateProfiles,
  encodeName,
  issuerFromCertificate,
  newSerialNumber,
  sm2PublicKeyToSpki,
  sm2Verify,
  type Signer,
} from '@ecert/pki';
import { buildSealV4, decodeSeal, verifySeal } from '@ecert/ses';
import { normalizeSealPng } from '../apps/seal-service/src/images';
import { sealPng } from '../apps/seal-service/src/images/test-images.spec-helper';

/**
 * Seals made and verified per second with libs/ses, in this process, next to the raw SM2 rates
 * of the same library (libs/pki Sm2PrivateKey.sign / sm2Verify) on the same machine, so the
 * ratio shows what the GB/T 38540 format costs on top of the signature itself.
 *
 * - make = buildSealV4: input checks, DER(SES_SealInfo), one SM2 signature by an in-process maker
 *   key, and the builder's own check of that signature (one SM2 verification), then DER(SES_Seal).
 *   So its ceiling is about 1 / (1/sign + 1/verify), not the raw signing rate.
 * - verify (full) = verifySeal with ecert-like trust anchors: decode, maker signature, and the
 *   maker certificate's path issuing → root (two more SM2 verifications), validity, picture. Its
 *   ceiling is about sm2VerifyPerS / 3.
 * - verify (signature only) = verifySeal without anchors: decode + maker signature; the chain is
 *   reported indeterminate. Ceiling ≈ sm2VerifyPerS.
 *
 * Everything is in-process and single-threaded: no NATS round trip to the cert-service's maker
 * key, no database. The seal carries a realistic picture (a 400 px seal PNG, normalised).
 */
export interface SealBenchResults {
  /** The seal measured. */
  seal: { bytes: number; pictureBytes: number; pictureWidthPx: number; pictureHeightPx: number };
  /** buildSealV4 per second (sign + self-check). */
  sealsMadePerS: number;
  /** verifySeal per second with trust anchors (maker signature + 2-certificate chain). */
  sealsVerifiedPerS: number;
  /** verifySeal per second without anchors (maker signature only). */
  sealsVerifiedSignatureOnlyPerS: number;
  /** Sm2PrivateKey.sign per second over a payload the size of the seal's SES_SealInfo. */
  sm2SignPerS: number;
  /** sm2Verify per second over the same payload. */
  sm2VerifyPerS: number;
  /** OpenSSL does the SM2 base-point multiplication (else @noble/curves, about half the rate). */
  sm2NativePointMultiply: boolean;
  /** made / (1/(1/sign + 1/verify)) and verified / (verify/3), verifiedSignatureOnly / verify: 1.0 = no format overhead. */
  efficiency: { make: number; verify: number; verifySignatureOnly: number };
  /** Seconds each rate was measured for. */
  seconds: number;
}

export interface SealBenchOptions {
  /** Measurement time per rate, seconds (default 2). */
  seconds?: number;
  log?: (line: string) => void;
}

export async function runSealBench(opts: SealBenchOptions = {}): Promise<SealBenchResults> {
  const seconds = opts.seconds ?? 2;
  const log = opts.log ?? (() => undefined);
  log('  seal bench: building an SM2 PKI (root → issuing → seal maker, unit) ...');
  const pki = await sm2Pki();
  const picture = normalizeSealPng(sealPng(400, 10));
  const input = (createDate: Date) => ({
    vendorId: 'ECERT',
    type: 1,
    name: '南宁市某某科技有限公司',
    certList: { type: 1 as const, certs: [pki.unit] },
    createDate,
    validStart: createDate,
    validEnd: new Date(createDate.getTime() + 300 * 86_400_000),
    picture: { type: 'PNG', data: picture.png, widthMm: 42, heightMm: 42 },
    makerCertificate: pki.maker.cert,
    makerSigner: pki.maker.signer,
  });
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const sample = await buildSealV4(input(now));
  const sealInfoBytes = decodeSeal(sample).sealInfoDer.length;

  log(`  seal bench: raw SM2 sign/verify over ${sealInfoBytes} bytes ...`);
  const payload = randomBytes(sealInfoBytes);
  const sm2SignPerS = await rate(seconds, async () => void pki.maker.key.sign(payload));
  const sig = pki.maker.key.sign(payload);
  const sm2VerifyPerS = await rate(seconds, async () => {
    if (!sm2Verify(pki.maker.key.publicKey, payload, sig)) throw new Error('SM2 self-check failed');
  });

  log('  seal bench: buildSealV4 ...');
  const sealsMadePerS = await rate(seconds, async () => void (await buildSealV4(input(now))));

  log('  seal bench: verifySeal (with and without trust anchors) ...');
  // As the seal-service verifies: ecert's makers under the root, with id-kp-ecertSealMaking.
  const anchors = { makerTrust: [{ label: 'ecert seal maker', anchors: [pki.root], intermediates: [pki.issuing], requiredPurpose: PROFILE_OID.kpEcertSealMaking }] };
  const check = await verifySeal(sample, anchors);
  if (check.indication !== 'TOTAL_PASSED') throw new Error(`seal bench: the sample seal does not verify: ${JSON.stringify(check.checks)}`);
  const sealsVerifiedPerS = await rate(seconds, async () => {
    if ((await verifySeal(sample, anchors)).indication !== 'TOTAL_PASSED') throw new Error('verification failed');
  });
  const sealsVerifiedSignatureOnlyPerS = await rate(seconds, async () => {
    const r = await verifySeal(sample);
    if (r.checks.find((c) => c.name === 'maker-signature')?.result !== 'passed') throw new Error('verification failed');
  });

  const makeCeiling = 1 / (1 / sm2SignPerS + 1 / sm2VerifyPerS);
  return {
    seal: { bytes: sample.length, pictureBytes: picture.png.length, pictureWidthPx: picture.widthPx, pictureHeightPx: picture.heightPx },
    sealsMadePerS,
    sealsVerifiedPerS,
    sealsVerifiedSignatureOnlyPerS,
    sm2SignPerS,
    sm2VerifyPerS,
    sm2NativePointMultiply: SM2_IS_NATIVE,
    efficiency: {
      make: round(sealsMadePerS / makeCeiling),
      verify: round(sealsVerifiedPerS / (sm2VerifyPerS / 3)),
      verifySignatureOnly: round(sealsVerifiedSignatureOnlyPerS / sm2VerifyPerS),
    },
    seconds,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Runs `op` back to back for about `seconds` after a short warm-up; operations per second. */
async function rate(seconds: number, op: () => Promise<void>): Promise<number> {
  for (let i = 0; i < 20; i++) await op();
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  let n = 0;
  for (;;) {
    for (let i = 0; i < 8; i++) await op();
    n += 8;
    const elapsed = process.hrtime.bigint() - start;
    if (elapsed >= limit) return n / (Number(elapsed) / 1e9);
  }
}

interface KeyAndCert {
  key: Sm2PrivateKey;
  signer: Signer;
  cert: Uint8Array;
}

function sm2Signer(key: Sm2PrivateKey): Signer {
  return { algorithm: 'SM2', signatureAlgorithmOid: OID.sm2WithSm3, spki: sm2PublicKeyToSpki(key.publicKey), sign: async (d) => key.sign(d) };
}

/** The same shape as ecert's SM2 hierarchy, with the production certificate profiles. */
async function sm2Pki(): Promise<{ root: Uint8Array; issuing: Uint8Array; maker: KeyAndCert; unit: Uint8Array }> {
  const day = 86_400_000;
  const notBefore = new Date(Date.now() - day);
  const links = { crlUrl: 'http://127.0.0.1/pki/crl/sm2-issuing.crl', ocspUrl: 'http://127.0.0.1/pki/ocsp', caIssuersUrl: 'http://127.0.0.1/pki/ca/sm2-issuing.crt' };
  const rootKey = Sm2PrivateKey.generate();
  const rootSigner = sm2Signer(rootKey);
  const rootName = encodeName({ C: 'CN', O: 'ecert bench', CN: 'ecert bench SM2 Root CA' });
  const root = await buildCertificate({
    issuer: { name: rootName, spki: rootSigner.spki },
    signer: rootSigner,
    subjectName: rootName,
    subjectSpki: rootSigner.spki,
    serialNumber: newSerialNumber(),
    notBefore,
    notAfter: new Date(notBefore.getTime() + 3650 * day),
    extensions: certificateProfiles.rootCa({ subjectSpki: rootSigner.spki }),
  });
  const issuingKey = Sm2PrivateKey.generate();
  const issuingSigner = sm2Signer(issuingKey);
  const issuing = await buildCertificate({
    issuer: issuerFromCertificate(root),
    signer: rootSigner,
    subjectName: encodeName({ C: 'CN', O: 'ecert bench', CN: 'ecert bench SM2 Issuing CA' }),
    subjectSpki: issuingSigner.spki,
    serialNumber: newSerialNumber(),
    notBefore,
    notAfter: new Date(notBefore.getTime() + 1800 * day),
    extensions: certificateProfiles.issuingCa({ subjectSpki: issuingSigner.spki }),
  });
  const endEntity = async (cn: Parameters<typeof encodeName>[0], ext: (spki: Uint8Array) => ReturnType<typeof certificateProfiles.sealMaker>) => {
    const key = Sm2PrivateKey.generate();
    const signer = sm2Signer(key);
    const cert = await buildCertificate({
      issuer: issuerFromCertificate(issuing),
      signer: issuingSigner,
      subjectName: encodeName(cn),
      subjectSpki: signer.spki,
      serialNumber: newSerialNumber(),
      notBefore,
      notAfter: new Date(notBefore.getTime() + 365 * day),
      extensions: ext(signer.spki),
    });
    return { key, signer, cert };
  };
  const maker = await endEntity({ C: 'CN', O: 'ecert bench', CN: 'ecert bench SM2 Seal Maker 制章者' }, (spki) => certificateProfiles.sealMaker({ subjectSpki: spki, ...links }));
  const unit = await endEntity(
    certificateProfiles.unitSubject({ province: '广西壮族自治区', city: '南宁市', unitName: '南宁市某某科技有限公司' }),
    (spki) => certificateProfiles.unit({ subjectSpki: spki, ...links, uscc: '91450100MA5L000000' }),
  );
  return { root, issuing, maker, unit: unit.cert };
}
