import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemError } from '@ecert/common';
import {
  SealProblemCode,
  type CertificateStatus,
  type SealSummaryView,
  type SealVerificationView,
  type VerificationCheckView,
  type VerifySealCommand,
} from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import {
  decodeSeal,
  decodeSesSignature,
  detectSealVersion,
  SesDecodeError,
  verifySeal,
  verifySesSignature,
  type DecodedSeal,
  type DecodedSesSignature,
  type SealVerificationReport,
} from '@ecert/ses';
import { CertServiceClient } from '../cert-client/cert-service.client';
import { SealMakerTrust } from './seal-maker-trust';
import { SealEntity } from './seal.entities';
import { pemToDer, sha256Hex } from './seal-factory.service';
import { decodeBase64 } from './seal-input';
import { effectiveSealStatus } from './seal-view';

/** What may be verified in one request: a seal with its picture, or a signature embedding one. */
export const MAX_VERIFY_BYTES = 512 * 1024;

/**
 * 验章: verifies an SES_Seal (v4 or v1) or an SES_Signature with libs/ses. The maker must be a seal
 * maker (SealMakerTrust: ecert's, with id-kp-ecertSealMaking and not revoked, or a configured
 * foreign one); signer certificates chain to ecert's root CAs (issuing CAs offered as
 * intermediates). For a seal ecert
 * made (same esID and bytes) it adds its status here and the bound certificate's status now.
 * Undecodable input is a 400, not a report.
 */
@Injectable()
export class VerifySealUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly certs: CertServiceClient,
    private readonly makers: SealMakerTrust,
  ) {}

  async execute(cmd: VerifySealCommand): Promise<SealVerificationView> {
    const data = decodeBase64(cmd?.data, 'data', MAX_VERIFY_BYTES)!;
    const document = decodeBase64(cmd?.document, 'document', MAX_VERIFY_BYTES, false);
    const cas = await this.certs.caList();
    const anchors = cas.filter((c) => c.role === 'root');
    // Signer certificates (SES_Signature) chain to ecert's roots; makers follow SealMakerTrust.
    const trustAnchors = anchors.map((c) => pemToDer(c.certificatePem));
    const intermediates = cas.filter((c) => c.role === 'issuing').map((c) => pemToDer(c.certificatePem));
    const at = new Date();

    if (detectSealVersion(data)) {
      const seal = decode(() => decodeSeal(data));
      const stored = await this.storedSeal(seal);
      const { lists, summary } = this.makers.lists(cas, !!stored, seal.sealInfo.property.createDate);
      const report = await verifySeal(seal, { makerTrust: lists, at });
      const sealView = await this.summary(report, stored);
      const standing = standingProblem(sealView.ecert);
      return {
        kind: 'seal',
        // A relying party reading only the indication must not accept the seal of a lost UKey.
        indication: report.indication === 'TOTAL_PASSED' && standing ? 'INDETERMINATE' : report.indication,
        ...(standing ? { standing } : {}),
        validationTime: at.toISOString(),
        trustAnchors: anchors.map((a) => a.subject),
        makerTrust: summary,
        seal: sealView,
      };
    }
    const sig = decode(() => decodeSesSignature(data), () => decodeSeal(data));
    const stored = await this.storedSeal(sig.seal);
    const { lists, summary } = this.makers.lists(cas, !!stored, sig.seal.sealInfo.property.createDate);
    const report = await verifySesSignature(sig, { trustAnchors, intermediates, makerTrust: lists, at, ...(document ? { document } : {}) });
    const checks = report.checks.map(check);
    return {
      kind: 'signature',
      indication: report.indication,
      validationTime: at.toISOString(),
      trustAnchors: anchors.map((a) => a.subject),
      makerTrust: summary,
      seal: await this.summary(report.seal!, stored),
      signature: {
        version: report.version,
        ...(report.signingTime ? { signingTime: report.signingTime.toISOString() } : {}),
        propertyInfo: report.propertyInfo,
        ...(report.signer ? { signer: report.signer } : {}),
        dataHashHex: report.dataHashHex,
        documentChecked: !!document,
        timeStampPresent: report.timeStampPresent,
        checks,
        ...(checks.find((c) => c.name === 'signer-certificate') ? { chain: checks.find((c) => c.name === 'signer-certificate') } : {}),
        warnings: [...report.warnings],
      },
    };
  }

  private async summary(r: SealVerificationReport, stored: SealEntity | undefined): Promise<SealSummaryView> {
    const checks = r.checks.map(check);
    const chain = checks.find((c) => c.name === 'maker-certificate');
    return {
      indication: r.indication,
      version: r.version,
      headerVersion: r.headerVersion,
      esId: r.esId,
      type: r.type,
      name: r.name,
      vendorId: r.vendorId,
      ...(r.maker ? { maker: r.maker } : {}),
      ...(r.validity
        ? { validity: { createDate: r.validity.createDate.toISOString(), validStart: r.validity.validStart.toISOString(), validEnd: r.validity.validEnd.toISOString() } }
        : {}),
      ...(r.picture ? { picture: { type: r.picture.type, widthMm: r.picture.widthMm, heightMm: r.picture.heightMm, bytes: r.picture.byteLength } } : {}),
      ...(r.boundCertificates
        ? { boundCertificates: r.boundCertificates.type === 1 ? { type: 1 as const, subjects: [...r.boundCertificates.subjects] } : { type: 2 as const, digestCount: r.boundCertificates.digestCount } }
        : {}),
      checks,
      ...(chain ? { chain } : {}),
      warnings: [...r.warnings],
      ...(stored ? await this.ecertRecord(stored) : {}),
    };
  }

  /** The seal ecert made and stored with these very bytes (same esID and DER), if any. */
  private async storedSeal(seal: DecodedSeal): Promise<SealEntity | undefined> {
    const row = await this.ds.getRepository(SealEntity).findOneBy({ esId: seal.sealInfo.esId });
    return row && row.derSha256 === sha256Hex(seal.der) ? row : undefined;
  }

  /** For a seal ecert made: its status here and the bound certificate's status at the cert-service now. */
  private async ecertRecord(row: SealEntity): Promise<Pick<SealSummaryView, 'ecert'>> {
    let certificateStatus: CertificateStatus | 'unknown' = 'unknown';
    let issuerRevoked = false;
    try {
      const view = await this.certs.getCertificate(row.certificateSerial);
      certificateStatus = view.status;
      // A certificate under a revoked issuing CA keeps its own status, but vouches for nothing.
      issuerRevoked = view.issuerRevoked === true;
    } catch {
      // The cert-service did not answer (or the caller may not see the certificate): say so, the rest of the report stands.
    }
    return { ecert: { sealId: row.id, sealStatus: effectiveSealStatus(row), certificateSerial: row.certificateSerial, certificateStatus, ...(issuerRevoked ? { issuerRevoked: true as const } : {}) } };
  }
}

/** Why a seal ecert made is not in good standing here now, if it is not. */
function standingProblem(ecert: SealSummaryView['ecert']): string | undefined {
  if (!ecert) return undefined;
  if (ecert.sealStatus !== 'active') {
    const why = ecert.sealStatus !== 'suspended' ? '' : ecert.certificateStatus === 'invalid' ? ' (its certificate is invalid: 失效, 第二十条, final)' : ' (its certificate is frozen: 挂失)';
    return `the seal is ${ecert.sealStatus} on this platform${why}`;
  }
  if (ecert.issuerRevoked) return `the issuing CA of certificate ${ecert.certificateSerial} is revoked`;
  if (ecert.certificateStatus !== 'active') return ecert.certificateStatus === 'unknown' ? `the status of certificate ${ecert.certificateSerial} could not be read` : `its certificate ${ecert.certificateSerial} is ${ecert.certificateStatus}`;
  return undefined;
}

function check(c: { name: string; result: 'passed' | 'failed' | 'indeterminate'; detail: string }): VerificationCheckView {
  return { name: c.name, result: c.result, detail: c.detail };
}

/** Decodes with `fn`; on failure a 400 naming why, with the other structure's reason too when given. */
function decode<T extends DecodedSeal | DecodedSesSignature>(fn: () => T, other?: () => unknown): T {
  try {
    return fn();
  } catch (e) {
    const reasons = [why(e)];
    try {
      other?.();
    } catch (e2) {
      reasons.unshift(why(e2));
    }
    throw ProblemError.badRequest(SealProblemCode.sealDataMalformed, 'data', `neither an SES_Seal nor an SES_Signature: ${reasons.join('; ')}`);
  }
}

function why(e: unknown): string {
  return e instanceof SesDecodeError ? `${e.code} at ${e.path}: ${e.detail}` : (e as Error).message;
}

