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
import { serialKey } from '@ecert/pki';
import { parseCertificate, validateCertificatePath, type ParsedCertificate } from '@ecert/ses';
import { CertServiceClient } from '../cert-client/cert-service.client';
import { SealEntity } from '../seals/seal.entities';
import { pemToDer } from '../seals/seal-factory.service';
import { effectiveSealStatus } from '../seals/seal-view';
import { Actor } from './document-actor';
import { DocumentEntity, DocumentSignatureEntity, VerificationReportEntity } from './document.entities';
import { optionalText, sha256Of } from './document-input';
import { documentRejection } from './document-rejection';
import { SEAL_DOCUMENT_STORE } from './document-store.provider';
import { pdfProblem } from './pdf-problem';

/** What the report says it applied (docs/documents.md, "Verification"). */
export const VERIFICATION_POLICY =
  'ecert document policy 1: ByteRange covers the file but the signature value; digest and signature (CMS, PKCS#7 or GB/T 35275 OIDs); signer chain to ecert\'s root CAs; status of ecert\'s certificates at the cert-service (ecert\'s own sealing record is the proof of existence); no change after signing beyond signatures and annotations';


interface Verdict {
  indication: Exclude<DocumentIndication, 'TOTAL_PASSED'>;
  sub: SubIndication;
  reason: string;
}

interface Trust {
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
    const trust: Trust = { roots, issuing, rootDer: roots.map((c) => pemToDer(c.certificatePem)), issuingDer: issuing.map((c) => pemToDer(c.certificatePem)) };
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
    try {
      digestAlgorithm = digestAlgorithmOf(contents);
      const digest = digestChunks(signedChunks(bytes, byteRange), digestAlgorithmOf(contents));
      v = verifySignedData(contents, digest);
      checks.push({ name: 'format', result: 'passed', detail: `CMS SignedData (${v.oidFamily === 'gbt35275' ? 'GB/T 35275 OIDs' : 'RFC 5652 / PKCS#7 OIDs'}), ${digestAlgorithm}` });
    } catch (e) {
      if (!(e instanceof CmsError) && !isPdfError(e)) throw e;
      checks.push({ name: 'format', result: 'failed', detail: `the signature container cannot be read: ${(e as Error).message}` });
      fail('FORMAT_FAILURE', `the signature container cannot be read (${(e as Error).message})`);
    }
    const record = await this.ds.getRepository(DocumentSignatureEntity).findOneBy({ cmsSha256: createHash('sha256').update(contents).digest('hex') });
    const poe = record?.sealedAt;
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
        timestamp = { ...(t.genTime ? { genTime: t.genTime.toISOString() } : {}), ...(tsa ? { tsa } : {}), valid, problems: t.problems };
        // Reported, not yet taken as proof of existence: the TSA's own trust is not checked here.
        checks.push({ name: 'timestamp', result: valid ? 'passed' : 'failed', detail: valid ? `time-stamped ${t.genTime?.toISOString()} by ${tsa ?? 'a TSA'} (over the signature value)` : `the timestamp does not check out: ${t.problems.join('; ')}` });
        if (!valid) warnings.push('the timestamp over the signature does not check out');
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
      if (issuedByEcert) certificateStatus = await this.revocation(serialKey(signer.serialNumberHex), poe, checks, warnings, unsure);
      else if (path.result === 'passed') {
        // A signer chained to the root some other way (issued by the root itself, or through a CA the
        // container brought): its status was not asked, so it cannot pass.
        checks.push({ name: 'revocation', result: 'indeterminate', detail: 'the signer certificate is not one of ecert\'s issuing CAs\' end entities: its status was not asked' });
        unsure('TRY_LATER', 'the revocation status of the signer certificate could not be established (it is not an end entity of ecert\'s issuing CAs)');
      }
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

    const seal = await this.sealOf(record, signer);
    if (seal) {
      checks.push({ name: 'seal', result: 'passed', detail: `seal ${seal.sealId} (${seal.name}) of ${seal.unitName}, bound to the signing certificate, ${seal.status} here` });
      if (seal.status !== 'active') warnings.push(`the seal is ${seal.status} on this platform now`);
    } else if (signer) {
      checks.push({ name: 'seal', result: 'warning', detail: 'no seal of ecert is bound to the signing certificate: a digital signature, not an electronic seal ecert made' });
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
      ...(record ? { ecertRecord: { sealedAt: record.sealedAt.toISOString(), documentId: record.documentId, sealUseRequestId: record.sealUseRequestId, mode: record.mode } } : {}),
      checks,
      warnings,
    };
  }

  /** ecert's own certificate at the cert-service now, judged against ecert's sealing record (proof of existence) if any. */
  private async revocation(
    serial: string,
    poe: Date | undefined,
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
    } else if (view.status === 'revoked' || view.status === 'invalid') {
      // Invalid (失效, 第二十条) is revoked for relying parties, since invalidatedAt (= revokedAt).
      if (before(view.revokedAt)) {
        checks.push({ name: 'revocation', result: 'passed', detail: `revoked at ${view.revokedAt}, after ecert sealed this signature at ${poe!.toISOString()}` });
        warnings.push(`the signer certificate was revoked at ${view.revokedAt} (${view.revocationReason ?? 'no reason given'}), after the signature was made`);
      } else {
        checks.push({ name: 'revocation', result: 'failed', detail: `certificate ${serial} is revoked (${view.revocationReason ?? 'no reason given'}) since ${view.revokedAt}` });
        unsure('REVOKED_NO_POE', `the signer certificate is revoked (since ${view.revokedAt}) and nothing proves the signature was made before`);
      }
    } else if (view.status === 'frozen') {
      if (before(view.frozenAt)) {
        checks.push({ name: 'revocation', result: 'passed', detail: `frozen (挂失) at ${view.frozenAt}, after ecert sealed this signature at ${poe!.toISOString()}` });
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

  /** The seal behind a signature: the one ecert sealed it with, else a seal bound to the signing certificate. */
  private async sealOf(record: DocumentSignatureEntity | null, signer: ParsedCertificate | undefined): Promise<SignatureReportView['seal']> {
    const repo = this.ds.getRepository(SealEntity);
    const seal = record ? await repo.findOneBy({ id: record.sealId }) : signer ? await repo.findOne({ where: { certificateSerial: serialKey(signer.serialNumberHex) }, order: { createdAt: 'DESC' } }) : null;
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
