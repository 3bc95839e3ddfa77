import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemError } from '@ecert/common';
import { CmsError, digestAlgorithmOf, digestChunks, verifySignedData, type CmsVerification } from '@ecert/cms';
import {
  DocumentProblemCode,
  type CaView,
  type CertificateView,
  type DocumentIndication,
  type DocumentVerificationReport,
  type SignatureCheckView,
  type SignatureReportView,
  type SubIndication,
  type VerifyDocumentCommand,
} from '@ecert/contracts';
import { pdfHeaderOffset, type DocumentStore } from '@ecert/documents';
import { DATA_SOURCE } from '@ecert/messaging';
import { readPdfSignatures, signedChunks, type PdfSignatureInfo as PdfSignature } from '@ecert/pdf';
import { isRevokedForRelyingParties, serialKey } from '@ecert/pki';
import { decodeSesSignature, parseCertificate, validateCertificatePath, verifySesSignature, type DecodedSesSignature, type ParsedCertificate } from '@ecert/ses';
import { SealMakerTrust } from '../seals/seal-maker-trust';
import { TimestampTrust } from './timestamp-trust';

/** How far an SES_Signature's timeInfo may be after the time it is judged at (clock skew). */
const SES_TIME_SKEW_MS = 5 * 60_000;
import { CertServiceClient } from '../cert-client/cert-service.client';
import { CertificateStateEntity, SealEntity } from '../seals/seal.entities';
import { pemToDer, sha256Hex } from '../seals/seal-factory.service';
import { effectiveSealStatus } from '../seals/seal-view';
import { Actor } from './document-actor';
import { DocumentEntity, DocumentSignatureEntity, VerificationReportEntity } from './document.entities';
import { optionalText, sha256Of } from './document-input';
import { documentRejection } from './document-rejection';
import { SEAL_DOCUMENT_STORE } from './document-store.provider';
import { pdfProblem } from './pdf-problem';

/** What the report says it applied (docs/documents.md, "Verification"). */
export const VERIFICATION_POLICY =
  'ecert document policy 2: ByteRange covers the file but the signature value; digest and signature (CMS, PKCS#7 or GB/T 35275 OIDs); signer chain to ecert\'s root CAs; status of ecert\'s certificates at the cert-service, judged at the earliest proof of existence (ecert\'s own sealing record, or the genTime of a timestamp by a TSA in ECERT_TSA_TRUST), else now; no change after signing beyond signatures and annotations; a GB/T 38540 SES_Signature carried with the CMS (one at most, SM3 digest) is verified too (signer = the CMS signer, the seal inside by its maker, dataHash = the digest of the signed bytes), judged at ecert\'s record of that very SES_Signature, else now; the seal inside must be the one ecert sealed with and in good standing here; an SES_Signature ecert embedded and now missing fails, an SM2 signature without one by a certificate bound to an ecert seal is indeterminate; the seal named is only ever the one in the document or in ecert\'s record of it'


interface Verdict {
  indication: Exclude<DocumentIndication, 'TOTAL_PASSED'>;
  sub: SubIndication;
  reason: string;
}

interface Trust {
  cas: CaView[];
  roots: CaView[];
  issuing: CaView[];
  rootDer: Uint8Array[];
  issuingDer: Uint8Array[];
}

/**
 * 验签: every signature of a PDF, in DSS's terms (indication, sub-indication, a reason a person
 * can act on), with the checks behind it: the ByteRange covers the whole file but the signature
 * value; the CMS parses (either OID family) and its message digest is the digest of the signed
 * bytes; the signature verifies with the signer's key; the signer chains to one of ecert's root
 * CAs; ecert's certificates are asked at the cert-service now (revoked or frozen after ecert itself
 * sealed the document still passes: its sealing record is the proof of existence); later
 * incremental updates may add signatures or annotations, anything else is a change after signing;
 * the seal behind the signature is found in ecert's own tables. The report is kept (its id serves
 * the HTML rendering) for the caller who asked.
 */
@Injectable()
export class VerifyDocumentUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(SEAL_DOCUMENT_STORE) private readonly store: DocumentStore,
    private readonly certs: CertServiceClient,
    private readonly makers: SealMakerTrust,
    private readonly timestamps: TimestampTrust,
  ) {}

  async execute(cmd: VerifyDocumentCommand): Promise<DocumentVerificationReport> {
    const actor = Actor.current();
    const sha256 = sha256Of(cmd?.sha256);
    const fileName = optionalText(cmd?.fileName, 'fileName', 255);
    let bytes: Uint8Array;
    try {
      bytes = await this.store.get(sha256);
    } catch (e) {
      throw documentRejection(e, 'sha256');
    }
    if (pdfHeaderOffset(bytes) === undefined) {
      throw new ProblemError(415, DocumentProblemCode.documentTypeUnsupported, '仅支持 PDF 文件 (PDF only)', 'the file is not a PDF (no %PDF- header in its first 1024 bytes)', 'file');
    }
    let signatures: PdfSignature[];
    try {
      signatures = readPdfSignatures(bytes);
    } catch (e) {
      throw pdfProblem(e, 'file');
    }
    const cas = await this.certs.caList();
    const roots = cas.filter((c) => c.role === 'root');
    const issuing = cas.filter((c) => c.role === 'issuing');
    const trust: Trust = { cas, roots, issuing, rootDer: roots.map((c) => pemToDer(c.certificatePem)), issuingDer: issuing.map((c) => pemToDer(c.certificatePem)) };
    const at = new Date();
    const reports: SignatureReportView[] = [];
    for (const sig of signatures) reports.push(await this.verifyOne(bytes, sig, trust, at));

    const failed = reports.find((r) => r.indication === 'TOTAL_FAILED');
    const unsure = reports.find((r) => r.indication === 'INDETERMINATE');
    const indication: DocumentIndication = !reports.length ? 'INDETERMINATE' : failed ? 'TOTAL_FAILED' : unsure ? 'INDETERMINATE' : 'TOTAL_PASSED';
    const reason = !reports.length
      ? 'the document carries no signature'
      : failed
        ? `signature ${failed.fieldName}: ${failed.reason}`
        : unsure
          ? `signature ${unsure.fieldName}: ${unsure.reason}`
          : `all ${reports.length} signature${reports.length > 1 ? 's' : ''} passed`;
    const own = await this.ds.getRepository(DocumentEntity).findOneBy({ sha256, ...(actor.clientId ? { uploadedByClient: actor.clientId } : { uploadedByStaff: actor.staffId! }) });
    const report: DocumentVerificationReport = {
      id: randomUUID(),
      documentSha256: sha256,
      size: bytes.byteLength,
      ...(fileName ? { fileName } : {}),
      validationTime: at.toISOString(),
      indication,
      reason,
      trustAnchors: roots.map((r) => r.subject),
      ...(own ? { ecertDocumentId: own.id } : {}),
      signatures: reports,
      policy: VERIFICATION_POLICY,
    };
    await this.ds.getRepository(VerificationReportEntity).insert({
      id: report.id,
      documentSha256: sha256,
      indication,
      report: report as unknown as object,
      createdByClient: actor.clientId,
      createdByStaff: actor.staffId,
      createdAt: at,
    });
    return report;
  }

  private async verifyOne(bytes: Uint8Array, sig: PdfSignature, trust: Trust, at: Date): Promise<SignatureReportView> {
    const tsaTrust = trust;
    const checks: SignatureCheckView[] = [];
    const warnings: string[] = [];
    const verdicts: Verdict[] = [];
    const fail = (sub: SubIndication, reason: string) => verdicts.push({ indication: 'TOTAL_FAILED', sub, reason });
    const unsure = (sub: SubIndication, reason: string) => verdicts.push({ indication: 'INDETERMINATE', sub, reason });
    const byteRange = [...sig.byteRange] as [number, number, number, number];
    const laterRevisions = sig.laterRevisions.map((r) => ({
      addsOnlySignaturesOrAnnotations: r.addsOnlySignaturesOrAnnotations,
      changedObjects: r.changedObjects.length,
      changes: r.changes.filter((c) => !c.allowed).map((c) => `${c.object}: ${c.what}`),
    }));
    const base = { fieldName: sig.fieldName, ...(sig.subFilter ? { subFilter: sig.subFilter } : {}), pages: [...(sig.pages ?? [])], byteRange, laterRevisions };

    if (sig.coversWholeFileButContents) {
      checks.push({ name: 'byte-range', result: 'passed', detail: `[${byteRange.join(' ')}] covers its revision of the file but the signature value` });
    } else {
      checks.push({ name: 'byte-range', result: 'failed', detail: `[${byteRange.join(' ')}] leaves bytes of its revision unsigned besides the signature value` });
      fail('FORMAT_FAILURE', 'the ByteRange does not cover the whole file but the signature value: unsigned bytes could show anything');
    }

    const contents = derOf(sig.contents);
    let v: CmsVerification | undefined;
    let digestAlgorithm: string | undefined;
    let digest: Uint8Array | undefined;
    try {
      digestAlgorithm = digestAlgorithmOf(contents);
      digest = digestChunks(signedChunks(bytes, byteRange), digestAlgorithmOf(contents));
      v = verifySignedData(contents, digest);
      checks.push({ name: 'format', result: 'passed', detail: `CMS SignedData (${v.oidFamily === 'gbt35275' ? 'GB/T 35275 OIDs' : 'RFC 5652 / PKCS#7 OIDs'}), ${digestAlgorithm}` });
    } catch (e) {
      if (!(e instanceof CmsError) && !isPdfError(e)) throw e;
      checks.push({ name: 'format', result: 'failed', detail: `the signature container cannot be read: ${(e as Error).message}` });
      fail('FORMAT_FAILURE', `the signature container cannot be read (${(e as Error).message})`);
    }
    const record = await this.recordOf(contents, v?.signatureValue);
    // Proof of existence: ecert's own sealing record, or a trusted TSA's genTime (B-T); the earliest wins.
    let poe: Date | undefined = record?.sealedAt;
    let poeBasis: 'ecert-record' | 'timestamp' | undefined = record ? 'ecert-record' : undefined;
    let signer: ParsedCertificate | undefined;
    let chain: string[] | undefined;
    let certificateStatus: SignatureReportView['certificateStatus'];
    let timestamp: SignatureReportView['timestamp'];

    if (v) {
      checks.push(
        v.digestMatches
          ? { name: 'digest', result: 'passed', detail: `the ${digestAlgorithm} digest of the signed bytes is the one signed` }
          : { name: 'digest', result: 'failed', detail: `the ${digestAlgorithm} digest of the signed bytes is not the one signed: they were changed` },
      );
      if (!v.digestMatches) fail('HASH_FAILURE', 'the signed bytes were changed after signing (their digest is not the one signed)');
      checks.push(v.signatureValid ? { name: 'signature', result: 'passed', detail: 'the signature value verifies with the signer certificate key' } : { name: 'signature', result: 'failed', detail: 'the signature value does not verify with the signer certificate key' });
      if (!v.signatureValid) fail('SIG_CRYPTO_FAILURE', 'the signature value does not verify with the signer certificate key');
      if (v.signingCertificateV2Matches === false) unsure('NO_SIGNING_CERTIFICATE_FOUND', 'the signing-certificate attribute names another certificate than the one given');
      for (const p of v.problems) warnings.push(p);
      if (v.timestamp) {
        const t = v.timestamp;
        const valid = t.imprintMatches && t.digestMatches && t.signatureValid;
        let tsa: string | undefined;
        try {
          tsa = t.tsaCertificate ? parseCertificate(t.tsaCertificate).subject : undefined;
        } catch {
          tsa = undefined;
        }
        // A valid token of a trusted TSA proves the signature existed at genTime (DSS: a POE).
        const trust = valid && t.genTime ? await this.timestamps.judge(t.tsaCertificate, t.certificates, t.genTime, (path) => this.tsaStatus(path, tsaTrust)) : undefined;
        timestamp = { ...(t.genTime ? { genTime: t.genTime.toISOString() } : {}), ...(tsa ? { tsa } : {}), valid, trusted: !!trust?.trusted, problems: t.problems };
        checks.push({
          name: 'timestamp',
          result: valid ? 'passed' : 'failed',
          detail: valid ? `time-stamped ${t.genTime?.toISOString()} by ${tsa ?? 'a TSA'} (over the signature value); ${trust!.trusted ? 'proof of existence' : `not proof of existence: ${trust!.detail}`}` : `the timestamp does not check out: ${t.problems.join('; ')}`,
        });
        if (!valid) warnings.push('the timestamp over the signature does not check out');
        // On a tie the timestamp is named: a third party's proof, not ecert's own word.
        if (trust?.trusted && t.genTime && (!poe || t.genTime <= poe)) {
          poe = t.genTime;
          poeBasis = 'timestamp';
        }
      }
      if (!v.signerCertificate) unsure('NO_SIGNING_CERTIFICATE_FOUND', 'the container does not carry the signer certificate');
      else {
        try {
          signer = parseCertificate(v.signerCertificate);
        } catch (e) {
          unsure('NO_SIGNING_CERTIFICATE_FOUND', `the signer certificate cannot be read: ${(e as Error).message}`);
        }
      }
    }

    if (signer) {
      const when = poe ?? at;
      const path = validateCertificatePath({ certificate: signer, trustAnchors: trust.rootDer, intermediates: [...trust.issuingDer, ...(v?.certificates ?? [])], at: when });
      chain = path.path.map((c) => c.subject);
      const outOfBounds = when < signer.notBefore || when > signer.notAfter;
      checks.push({ name: 'chain', result: path.result === 'passed' ? 'passed' : path.result === 'failed' ? 'failed' : 'indeterminate', detail: path.detail });
      if (path.result !== 'passed') {
        // Out of bounds only matters for a chain that is there: no path at all is no path.
        if (outOfBounds && !poe && path.path.length > 0) unsure('OUT_OF_BOUNDS_NO_POE', `the signer certificate is not valid now (${signer.notBefore.toISOString()} to ${signer.notAfter.toISOString()}) and nothing proves the signature was made within its validity`);
        else unsure('NO_CERTIFICATE_CHAIN_FOUND', `the signer certificate does not chain to ecert's root CAs: ${path.detail}`);
      }
      const issuedByEcert = path.result === 'passed' && path.path.length >= 2 && trust.issuingDer.some((d) => Buffer.from(d).equals(Buffer.from(path.path[1]!.der)));
      if (issuedByEcert) certificateStatus = await this.revocation(serialKey(signer.serialNumberHex), poe, poeBasis === 'timestamp' ? 'a trusted timestamp proves the signature existed' : 'ecert sealed this signature', checks, warnings, unsure);
      else if (path.result === 'passed') {
        // A signer chained to the root some other way (issued by the root itself, or through a CA the
        // container brought): its status was not asked, so it cannot pass.
        checks.push({ name: 'revocation', result: 'indeterminate', detail: 'the signer certificate is not one of ecert\'s issuing CAs\' end entities: its status was not asked' });
        unsure('TRY_LATER', 'the revocation status of the signer certificate could not be established (it is not an end entity of ecert\'s issuing CAs)');
      }
    }

    const out = { checks, warnings, fail, unsure };
    let sesSignature: SignatureReportView['sesSignature'];
    let sesSeal: SealEntity | undefined;
    if (v?.sesSignature && digest) {
      // An unsigned attribute: the CMS timestamp does not cover it, and a record proves only the SES it names.
      const sesPoe = record?.sesSha256 && record.sesSha256 === sha256Hex(v.sesSignature) ? record.sealedAt : undefined;
      if ((v.sesSignatureCount ?? 1) > 1) fail('FORMAT_FAILURE', `the signature carries ${v.sesSignatureCount} SES_Signatures: which one was meant cannot be told`);
      if (digestAlgorithm !== 'sm3') fail('FORMAT_FAILURE', `an SES_Signature goes with an SM3 CMS signature; this one is ${digestAlgorithm ?? 'unreadable'}`);
      const r = await this.sesSignature(v.sesSignature, digest, signer, trust, sesPoe ?? at, !!sesPoe, record, out);
      sesSignature = r.view;
      sesSeal = r.stored;
    } else if (v && record?.sesSha256) {
      checks.push({ name: 'ses-signature', result: 'failed', detail: 'ecert embedded a GB/T 38540 SES_Signature with this signature and the document no longer carries it (stripped)' });
      fail('FORMAT_FAILURE', 'the SES_Signature ecert embedded with this signature was removed: the seal is gone from the document');
    } else if (v && signer && !record && v.family === 'gbt35275' && (await this.sealBoundTo(signer))) {
      checks.push({ name: 'ses-signature', result: 'indeterminate', detail: 'an SM2 signature by a certificate bound to a seal of ecert carries no SES_Signature: it is a digital signature, and a seal may have been stripped' });
      unsure('NO_SIGNING_CERTIFICATE_FOUND', 'the SM2 signature carries no SES_Signature although its certificate is bound to a seal of ecert: no seal is in the document (it may have been stripped)');
    }

    const modified = laterRevisions.filter((r) => !r.addsOnlySignaturesOrAnnotations);
    if (modified.length) {
      const objects = modified.reduce((n, r) => n + r.changedObjects, 0);
      const what = modified.flatMap((r) => r.changes).slice(0, 5);
      checks.push({
        name: 'modifications',
        result: 'failed',
        detail: `${modified.length} later revision${modified.length > 1 ? 's' : ''} change the document (${objects} object${objects === 1 ? '' : 's'})${what.length ? `: ${what.join('; ')}` : ''}`,
      });
      fail('FORMAT_FAILURE', 'the document was changed after this signature (a later revision alters pages or content, or adds something other than signatures)');
    } else if (laterRevisions.length) {
      checks.push({ name: 'modifications', result: 'passed', detail: `${laterRevisions.length} later revision${laterRevisions.length > 1 ? 's' : ''} add only signatures` });
    } else {
      checks.push({ name: 'modifications', result: 'passed', detail: 'nothing was added after this signature' });
    }

    const seal = await this.sealOf(record, sesSignature ? sesSeal : undefined, !!sesSignature);
    if (seal) {
      checks.push({ name: 'seal', result: 'passed', detail: `seal ${seal.sealId} (${seal.name}) of ${seal.unitName}, ${sesSignature ? 'inside the SES_Signature' : "in ecert's record of this signature"}, ${seal.status} here` });
      if (seal.status !== 'active') warnings.push(`the seal is ${seal.status} on this platform now`);
    } else if (signer) {
      checks.push({ name: 'seal', result: 'warning', detail: sesSignature ? 'the seal inside the SES_Signature is not one ecert made' : 'no seal of ecert is in this signature: a digital signature, not an electronic seal ecert made' });
    }

    const decisive = verdicts.find((x) => x.indication === 'TOTAL_FAILED') ?? verdicts[0];
    return {
      ...base,
      ...(v ? { family: v.family } : {}),
      indication: decisive?.indication ?? 'TOTAL_PASSED',
      ...(decisive ? { subIndication: decisive.sub } : {}),
      reason: decisive?.reason ?? `valid: signed by ${signer?.subject ?? 'the signer'}${seal ? ` with seal ${seal.name}` : ''}, unchanged since`,
      ...(digestAlgorithm === 'sha256' || digestAlgorithm === 'sm3' ? { digestAlgorithm } : {}),
      ...(signer
        ? { signer: { subject: signer.subject, issuer: signer.issuer, serial: serialKey(signer.serialNumberHex), notBefore: signer.notBefore.toISOString(), notAfter: signer.notAfter.toISOString() } }
        : {}),
      ...(certificateStatus ? { certificateStatus } : {}),
      ...(chain?.length ? { chain } : {}),
      ...(seal ? { seal } : {}),
      ...(timestamp ? { timestamp } : {}),
      ...(sesSignature ? { sesSignature } : {}),
      validatedAt: poe && poeBasis
        ? { time: poe.toISOString(), basis: poeBasis, detail: poeBasis === 'timestamp' ? 'chain and revocation judged at the genTime of a trusted timestamp (proof of existence)' : 'chain and revocation judged at the time ecert sealed this signature (its record is the proof of existence)' }
        : { time: at.toISOString(), basis: 'now', detail: 'no proof of existence: chain and revocation judged now' },
      ...(record ? { ecertRecord: { sealedAt: record.sealedAt.toISOString(), documentId: record.documentId, sealUseRequestId: record.sealUseRequestId, mode: record.mode } } : {}),
      checks,
      warnings,
    };
  }

  /**
   * The GB/T 38540 SES_Signature carried with the CMS (libs/ses verifySesSignature): its signature
   * by its signer certificate, that certificate's chain and binding to the seal, the seal inside
   * (maker signature, maker trusted as for 验章: createDate, stored here, legacy makers), dataHash
   * against the digest of the signed bytes — and its signer must be the CMS signer (same
   * certificate DER). Judged at `at`: ecert's record of this very SES_Signature, else now. The seal
   * inside is looked up here (esID and DER): with ecert's record it must be the seal recorded, and
   * it must be in good standing (verify-seal's standingProblem, with the record as proof of
   * existence). Any failure of it fails the signature, named.
   */
  private async sesSignature(
    der: Uint8Array,
    digest: Uint8Array,
    cmsSigner: ParsedCertificate | undefined,
    trust: Trust,
    at: Date,
    proven: boolean,
    record: DocumentSignatureEntity | null,
    out: { checks: SignatureCheckView[]; warnings: string[]; fail: (sub: SubIndication, reason: string) => void; unsure: (sub: SubIndication, reason: string) => void },
  ): Promise<{ view: NonNullable<SignatureReportView['sesSignature']>; stored?: SealEntity }> {
    let decoded: DecodedSesSignature | undefined;
    try {
      decoded = decodeSesSignature(der);
    } catch {
      decoded = undefined; // verifySesSignature reports the format failure
    }
    const stored = decoded ? await this.storedSeal(decoded) : undefined;
    const { lists } = this.makers.lists(trust.cas, !!stored, decoded?.seal.sealInfo.property.createDate);
    const r = await verifySesSignature(decoded ?? der, { trustAnchors: trust.rootDer, intermediates: trust.issuingDer, makerTrust: lists, at, documentHash: digest });
    const checks: NonNullable<SignatureReportView['sesSignature']>['checks'] = r.checks.map((c) => ({ name: c.name, result: c.result, detail: c.detail }));
    const sameSigner = !!cmsSigner && !!r.signer && !!decoded && Buffer.from(decoded.cert).equals(Buffer.from(cmsSigner.der));
    if (r.signer) {
      checks.push(
        sameSigner
          ? { name: 'same-signer', result: 'passed', detail: 'the SES_Signature is signed by the CMS signer certificate' }
          : { name: 'same-signer', result: 'failed', detail: `the SES_Signature is signed by "${r.signer.subject}", not by the CMS signer certificate` },
      );
    }
    if (r.signingTime && r.signingTime.getTime() > at.getTime() + SES_TIME_SKEW_MS) {
      checks.push({ name: 'signing-time', result: 'failed', detail: `its timeInfo ${r.signingTime.toISOString()} is later than the time it is judged at (${at.toISOString()})` });
    }
    if (record && decoded) {
      checks.push(
        stored?.id === record.sealId
          ? { name: 'recorded-seal', result: 'passed', detail: `the seal inside is seal ${record.sealId}, the one ecert sealed this signature with` }
          : { name: 'recorded-seal', result: 'failed', detail: `the seal inside (esID ${decoded.seal.sealInfo.esId}) is not seal ${record.sealId}, the one ecert sealed this signature with` },
      );
    }
    const failedCheck = (name: string) => checks.find((c) => c.name === name && c.result === 'failed');
    const indeterminate = checks.find((c) => c.result === 'indeterminate');
    const format = failedCheck('format');
    if (format) out.fail('FORMAT_FAILURE', `the SES_Signature carried with the signature cannot be read (${format.detail})`);
    else if (failedCheck('data-hash')) out.fail('HASH_FAILURE', "the SES_Signature's dataHash is not the digest of the signed bytes: it was made for other content, or altered");
    else if (failedCheck('signer-signature')) out.fail('SIG_CRYPTO_FAILURE', "the SES_Signature's signature does not verify with its signer certificate (it was altered)");
    else if (failedCheck('seal')) out.fail('SIG_CRYPTO_FAILURE', `the seal inside the SES_Signature is not valid (${failedCheck('seal')!.detail})`);
    else if (failedCheck('same-signer') || failedCheck('signer-bound-to-seal')) out.fail('FORMAT_FAILURE', 'the SES_Signature is not by the signer of this signature, or its seal is not bound to that signer');
    else if (failedCheck('recorded-seal')) out.fail('FORMAT_FAILURE', `the SES_Signature carries another seal than the one ecert sealed this signature with (${failedCheck('recorded-seal')!.detail})`);
    else if (checks.some((c) => c.result === 'failed')) out.fail('FORMAT_FAILURE', `the SES_Signature does not check out (${checks.find((c) => c.result === 'failed')!.detail})`);
    else if (!r.signer) out.unsure('NO_SIGNING_CERTIFICATE_FOUND', "the SES_Signature's signer certificate cannot be read");
    else if (indeterminate) out.unsure('NO_CERTIFICATE_CHAIN_FOUND', `the SES_Signature could not be fully checked (${indeterminate.name}: ${indeterminate.detail})`);
    if (stored) await this.sealStanding(stored, proven ? at : undefined, checks, out);
    const indication = checks.some((c) => c.result === 'failed') ? 'TOTAL_FAILED' : r.indication === 'TOTAL_PASSED' && r.signer && !checks.some((c) => c.result === 'indeterminate') ? 'TOTAL_PASSED' : r.indication === 'TOTAL_FAILED' ? 'TOTAL_FAILED' : 'INDETERMINATE';
    const seal = r.seal;
    out.checks.push({
      name: 'ses-signature',
      result: indication === 'TOTAL_PASSED' ? 'passed' : indication === 'TOTAL_FAILED' ? 'failed' : 'indeterminate',
      detail:
        indication === 'TOTAL_PASSED'
          ? `GB/T 38540 SES_Signature with seal "${seal?.name}" (esID ${seal?.esId}, made by ${seal?.maker?.subject ?? 'an unknown maker'}): signature, seal and dataHash check out`
          : `GB/T 38540 SES_Signature: ${checks.filter((c) => c.result !== 'passed').map((c) => `${c.name} ${c.result}: ${c.detail}`).join('; ')}`,
    });
    for (const w of r.warnings) out.warnings.push(`SES_Signature: ${w}`);
    return {
      stored,
      view: {
        indication,
        ...(r.signingTime ? { signingTime: r.signingTime.toISOString() } : {}),
        ...(r.propertyInfo ? { propertyInfo: r.propertyInfo } : {}),
        ...(r.signer ? { signer: r.signer.subject } : {}),
        seal: {
          esId: seal?.esId ?? '',
          name: seal?.name ?? '',
          indication: seal?.indication ?? 'INDETERMINATE',
          ...(seal?.maker ? { maker: seal.maker.subject } : {}),
          ...(seal?.validity ? { validStart: seal.validity.validStart.toISOString(), validEnd: seal.validity.validEnd.toISOString() } : {}),
          ...(stored ? { sealId: stored.id } : {}),
        },
        validatedAt: { time: at.toISOString(), basis: proven ? 'ecert-record' : 'now' },
        checks: [...checks, ...(seal?.checks ?? []).map((c) => ({ name: `seal.${c.name}`, result: c.result, detail: c.detail }))],
        warnings: [...r.warnings],
      },
    };
  }

  /**
   * The seal inside an SES_Signature in good standing here (as 验章's standingProblem): suspended,
   * revoked, retired or expired stops it, unless ecert's record of this SES_Signature came before
   * the seal's status changed (then warned).
   */
  private async sealStanding(
    stored: SealEntity,
    poe: Date | undefined,
    checks: NonNullable<SignatureReportView['sesSignature']>['checks'],
    out: { warnings: string[]; unsure: (sub: SubIndication, reason: string) => void },
  ): Promise<void> {
    const status = effectiveSealStatus(stored);
    if (status === 'active') {
      checks.push({ name: 'seal-standing', result: 'passed', detail: `seal ${stored.id} is active here` });
      return;
    }
    const changedAt = status === 'expired' ? stored.validTo : stored.statusChangedAt;
    if (poe && poe.getTime() < changedAt.getTime()) {
      checks.push({ name: 'seal-standing', result: 'passed', detail: `seal ${stored.id} is ${status} here since ${changedAt.toISOString()}, after ecert sealed with it at ${poe.toISOString()}` });
      out.warnings.push(`the seal is ${status} on this platform since ${changedAt.toISOString()}, after the signature was made`);
      return;
    }
    // A seal is suspended for a frozen certificate (挂失: may end, ask again) or an invalid one (失效: final, as revoked).
    const certInvalid = status === 'suspended' && (await this.ds.getRepository(CertificateStateEntity).findOneBy({ serial: stored.certificateSerial }))?.status === 'invalid';
    const why = status !== 'suspended' ? '' : certInvalid ? ' (its certificate is invalid: 失效, 第二十条, final)' : ' (its certificate is frozen: 挂失)';
    checks.push({ name: 'seal-standing', result: 'indeterminate', detail: `seal ${stored.id} is ${status} on this platform${why} and nothing proves this SES_Signature came before` });
    out.unsure(status === 'suspended' && !certInvalid ? 'TRY_LATER' : 'REVOKED_NO_POE', `the seal inside the SES_Signature is ${status}${why} on this platform and nothing proves the signature was made before`);
  }

  /** The seal ecert made and stored with these very bytes (same esID and DER), if any. */
  private async storedSeal(sig: DecodedSesSignature): Promise<SealEntity | undefined> {
    const row = await this.ds.getRepository(SealEntity).findOneBy({ esId: sig.seal.sealInfo.esId });
    return row && row.derSha256 === sha256Hex(sig.seal.der) ? row : undefined;
  }

  /**
   * A TSA certificate ecert issued (its chain passes one of ecert's issuing CAs): its status at the
   * cert-service; revoked or unreadable is no proof. Others: undefined (trusted as configured).
   */
  private async tsaStatus(path: readonly ParsedCertificate[], trust: Trust): Promise<{ revoked: boolean; detail: string } | undefined> {
    const leaf = path[0];
    const issuer = path[1];
    if (!leaf || !issuer || !trust.issuingDer.some((d) => Buffer.from(d).equals(Buffer.from(issuer.der)))) return undefined;
    const serial = serialKey(leaf.serialNumberHex);
    try {
      const view = await this.certs.getCertificateAsService(serial);
      // Invalid (失效, 第二十条) is revoked for relying parties.
      if (isRevokedForRelyingParties(view.status) || view.issuerRevoked) {
        return { revoked: true, detail: `its certificate ${serial} ${view.issuerRevoked ? 'is under a revoked CA' : `was ${view.status === 'invalid' ? 'made invalid (失效)' : 'revoked'} at ${view.revokedAt}`}` };
      }
      return { revoked: false, detail: `its certificate ${serial} is ${view.status} at the cert-service` };
    } catch (e) {
      return { revoked: true, detail: `the status of its certificate ${serial} could not be read (${(e as Error).message})` };
    }
  }

  /** ecert's record of this signature: by the CMS hash, else by its signature value (unsigned attributes changed since). */
  private async recordOf(contents: Uint8Array, signatureValue: Uint8Array | undefined): Promise<DocumentSignatureEntity | null> {
    const repo = this.ds.getRepository(DocumentSignatureEntity);
    const exact = await repo.findOneBy({ cmsSha256: createHash('sha256').update(contents).digest('hex') });
    if (exact || !signatureValue?.length) return exact;
    return repo.findOneBy({ signatureValueSha256: createHash('sha256').update(signatureValue).digest('hex') });
  }

  /** Whether ecert has a seal bound to this certificate. */
  private async sealBoundTo(signer: ParsedCertificate): Promise<boolean> {
    return (await this.ds.getRepository(SealEntity).countBy({ certificateSerial: serialKey(signer.serialNumberHex) })) > 0;
  }

  /** ecert's own certificate at the cert-service now, judged against ecert's sealing record (proof of existence) if any. */
  private async revocation(
    serial: string,
    poe: Date | undefined,
    poeWhat: string,
    checks: SignatureCheckView[],
    warnings: string[],
    unsure: (sub: SubIndication, reason: string) => void,
  ): Promise<SignatureReportView['certificateStatus']> {
    let view: CertificateView;
    try {
      view = await this.certs.getCertificateAsService(serial);
    } catch (e) {
      const why = e instanceof ProblemError ? (e.detail ?? e.message) : (e as Error).message;
      checks.push({ name: 'revocation', result: 'indeterminate', detail: `the status of certificate ${serial} could not be read: ${why}` });
      unsure('TRY_LATER', `the status of the signer certificate could not be read now (${why})`);
      return 'unknown';
    }
    const status = { status: view.status, ...(view.revokedAt ? { revokedAt: view.revokedAt } : {}), ...(view.frozenAt ? { frozenAt: view.frozenAt } : {}), ...(view.issuerRevoked ? { issuerRevoked: true as const } : {}) };
    const before = (iso: string | undefined) => !!poe && !!iso && poe.getTime() < new Date(iso).getTime();
    if (view.issuerRevoked) {
      checks.push({ name: 'revocation', result: 'failed', detail: `the issuing CA of certificate ${serial} is revoked` });
      unsure('REVOKED_CA_NO_POE', 'the CA that issued the signer certificate is revoked: it vouches for nothing');
    } else if (isRevokedForRelyingParties(view.status)) {
      // Invalid (失效, 第二十条) is revoked for relying parties, since invalidatedAt (= revokedAt).
      if (before(view.revokedAt)) {
        checks.push({ name: 'revocation', result: 'passed', detail: `revoked at ${view.revokedAt}, after ${poeWhat} at ${poe!.toISOString()}` });
        warnings.push(`the signer certificate was revoked at ${view.revokedAt} (${view.revocationReason ?? 'no reason given'}), after the signature was made`);
      } else {
        checks.push({ name: 'revocation', result: 'failed', detail: `certificate ${serial} is revoked (${view.revocationReason ?? 'no reason given'}) since ${view.revokedAt}` });
        unsure('REVOKED_NO_POE', `the signer certificate is revoked (since ${view.revokedAt}) and nothing proves the signature was made before`);
      }
    } else if (view.status === 'frozen') {
      if (before(view.frozenAt)) {
        checks.push({ name: 'revocation', result: 'passed', detail: `frozen (挂失) at ${view.frozenAt}, after ${poeWhat} at ${poe!.toISOString()}` });
        warnings.push(`the signer certificate is frozen (挂失) since ${view.frozenAt}, after the signature was made`);
      } else {
        checks.push({ name: 'revocation', result: 'indeterminate', detail: `certificate ${serial} is frozen (挂失) since ${view.frozenAt}` });
        unsure('TRY_LATER', 'the signer certificate is frozen (reported lost, 挂失): ask again once it is unfrozen or revoked');
      }
    } else {
      checks.push({ name: 'revocation', result: 'passed', detail: `certificate ${serial} is ${view.status} at the cert-service` });
    }
    return status;
  }

  /**
   * The seal behind a signature, only ever one that is in the document: with an SES_Signature the
   * seal inside it (when ecert made it); without one, the seal of ecert's record of this signature
   * when that record embedded no SES_Signature (ECDSA/RSA seals, or SM2 seals sealed before them).
   */
  private async sealOf(record: DocumentSignatureEntity | null, sesSeal: SealEntity | undefined, hasSes: boolean): Promise<SignatureReportView['seal']> {
    const seal = hasSes ? sesSeal : record && !record.sesSha256 ? await this.ds.getRepository(SealEntity).findOneBy({ id: record.sealId }) : null;
    if (!seal) return undefined;
    return { sealId: seal.id, name: seal.name, kind: seal.kind, status: effectiveSealStatus(seal), uscc: seal.uscc, unitName: seal.unitName };
  }
}

/** The /Contents value without its zero padding: the outer DER TLV when its length is definite, else all of it. */
export function derOf(contents: Uint8Array): Uint8Array {
  if (contents.length < 2 || contents[0] !== 0x30) return contents;
  const first = contents[1]!;
  let len: number;
  let header: number;
  if (first < 0x80) {
    len = first;
    header = 2;
  } else {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || contents.length < 2 + n) return contents;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + contents[2 + i]!;
    header = 2 + n;
  }
  return header + len <= contents.length ? contents.subarray(0, header + len) : contents;
}

function isPdfError(e: unknown): boolean {
  return (e as { name?: string })?.name === 'PdfError';
}
