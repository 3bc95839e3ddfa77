import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { ProblemError, type EcertConfig } from '@ecert/common';
import { REVOCATION_CAUSE_REASONS, Subjects, type CertificateView, type ExtractedSealImageView, type Page, type RequestedSeal, type RevocationReason, type SealView, type UkeyAction, type UkeyState, type UkeyView } from '@ecert/contracts';
import { CONFIG, DATA_SOURCE } from '@ecert/messaging';
import { IMPRESSION_SCAN_MAX_BYTES, stepIdempotencyKey } from '@ecert/workflow';
import { DocumentNotFoundError, type DocumentStore } from '@ecert/documents';
import { isRevokedForRelyingParties } from '@ecert/pki';
import type { ApplicationEntity } from '../applications/entities/application.entity';
import type { ApplicationStepEntity } from '../applications/entities/application-step.entity';
import { ApplicationMaterialEntity } from '../applications/entities/application-material.entity';
import { WorkflowBusClient } from '../applications/workflow-bus.client';
import { DOCUMENT_STORE } from '../workflow-service.tokens';

/** Default printed size of a unit's official seal (GA 241: round, 38–42 mm). */
const DEFAULT_SEAL_MM = 42;

const permanent = (code: string, detail: string) => new ProblemError(422, code, '步骤无法完成 (step cannot succeed)', detail);

/**
 * What each command step sends. Every command carries the idempotency key of its application
 * and step, so a resend after a timeout or a restart returns the first outcome instead of acting
 * twice. A command whose effect is already there (a freeze of a frozen certificate that this step
 * did not record) counts as done.
 */
@Injectable()
export class FulfilmentStepExecutor {
  constructor(
    private readonly bus: WorkflowBusClient,
    @Inject(CONFIG) private readonly config: EcertConfig,
    @Inject(DOCUMENT_STORE) private readonly store: DocumentStore,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  execute(app: ApplicationEntity, step: ApplicationStepEntity): Promise<Record<string, unknown>> {
    return this.bus.asService(`app-${app.id}-${step.name}-${step.attempts}`, () => this.run(app, step));
  }

  private async run(app: ApplicationEntity, step: ApplicationStepEntity): Promise<Record<string, unknown>> {
    const key = (part?: string | number) => stepIdempotencyKey(app.id, step.name, part);
    const comment = `application ${app.id} (${app.type})`;
    switch (step.name) {
      // A lost UKey takes every certificate on it out of trust at once; without a known UKey, the one certificate.
      case 'freeze_certificate': {
        const ukey = await this.targetUkey(app);
        if (ukey) return this.ukeyTransition(ukey, 'report_lost', key(), `${comment}: ${app.details.statement ?? 'reported lost'}`, ['suspended']);
        return this.lifecycle(Subjects.cert.freeze, { serial: app.targetSerial!, comment, idempotencyKey: key() }, 'frozen');
      }
      case 'unfreeze_certificate': {
        const ukey = await this.targetUkey(app);
        if (ukey && (await this.ukeyState(ukey)) === 'suspended') return this.ukeyTransition(ukey, 'found', key(), comment, ['in_use']);
        return this.lifecycle(Subjects.cert.unfreeze, { serial: app.targetSerial!, comment, idempotencyKey: key() }, 'active');
      }
      case 'revoke_certificate':
        return this.lifecycle(Subjects.cert.revoke, { serial: app.targetSerial!, reason: REVOCATION_CAUSE_REASONS[app.details.revocationCause!], comment, idempotencyKey: key() }, 'revoked');
      case 'revoke_replaced': {
        const r = await this.lifecycle(Subjects.cert.revoke, { serial: app.targetSerial!, reason: this.replacementReason(app), comment: `${comment}: replaced by ${app.results.certificateSerial}`, idempotencyKey: key() }, 'revoked');
        return { ...r, replacedSerial: app.targetSerial };
      }
      case 'retire_replaced_ukey': {
        const ukey = await this.targetUkey(app);
        if (!ukey) return { ukey: null };
        const state = await this.ukeyState(ukey);
        if (app.type === 'reissue') {
          // 补办 after loss: the lost key is lost for good (its certificates revoked keyCompromise).
          if (state === 'collected' || state === 'in_use') await this.ukeyTransition(ukey, 'report_lost', key('lost'), comment, ['suspended']);
          return this.ukeyTransition(ukey, 'declare_perm_lost', key(), comment, ['perm_lost']);
        }
        return this.ukeyTransition(ukey, 'terminate', key(), `${comment}: replaced by ${app.results.ukeySerial ?? 'a new UKey'}`, ['terminated']);
      }
      case 'mark_ukey_damaged': {
        const ukey = await this.targetUkey(app);
        if (!ukey) return { ukey: null };
        return this.ukeyTransition(ukey, 'report_damaged', key(), `${comment}: ${app.details.statement ?? 'damaged'}`, ['damaged', 'returned'], { nonHumanCause: app.details.nonHumanCause === true });
      }
      case 'revoke_issued': {
        const serial = app.results.certificateSerial;
        if (!serial || serial === app.targetSerial) return { revoked: null };
        return this.lifecycle(Subjects.cert.revoke, { serial, reason: 'cessationOfOperation', comment: `${comment}: aborted`, idempotencyKey: key() }, 'revoked');
      }
      case 'issue_certificate': {
        const cert = await this.bus.call<CertificateView>(Subjects.cert.issue, {
          profile: 'unit',
          csr: this.csrOf(app),
          unit: { name: app.unit.name, uscc: app.uscc, regionCode: app.regionCode, accountNo: app.accountNo },
          ...(app.production?.ukeySerial ? { ukeySerial: app.production.ukeySerial, applicationId: app.id } : {}),
          idempotencyKey: key(),
        });
        return { certificateSerial: cert.serial, notAfter: cert.notAfter };
      }
      case 'renew_certificate': {
        const cert = await this.bus.call<CertificateView>(Subjects.cert.renew, { serial: app.targetSerial!, csr: this.csrOf(app), idempotencyKey: key() });
        return { certificateSerial: cert.serial, replacedSerial: app.targetSerial, notAfter: cert.notAfter };
      }
      case 'make_seals':
        return this.makeSeals(app, key);
      case 'await_production':
      case 'dispatch':
      case 'await_collection':
        throw new Error(`${step.name} waits for a person or a UKey; it is not sent`);
    }
  }

  /** The UKey the application's target certificate is on (from the application, or the cert-service). */
  private async targetUkey(app: ApplicationEntity): Promise<string | undefined> {
    if (app.targetUkeySerial) return app.targetUkeySerial;
    if (!app.targetSerial) return undefined;
    return (await this.bus.getCertificate(app.targetSerial)).ukeySerial;
  }

  private async ukeyState(serial: string): Promise<UkeyState> {
    return (await this.bus.call<UkeyView>(Subjects.cert.ukeyGet, { serial })).state;
  }

  /** A UKey transition; one whose effect is already there (an answer lost, staff acted directly) counts as done. */
  private async ukeyTransition(serial: string, action: UkeyAction, idempotencyKey: string, reason: string, done: UkeyState[], extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    try {
      const u = await this.bus.call<UkeyView>(Subjects.cert.ukeyTransition, { serial, action, reason: reason.slice(0, 500), idempotencyKey, ...extra });
      return { ukey: u.serial, state: u.state, certificates: u.certificateSerials };
    } catch (e) {
      if (e instanceof ProblemError && e.status === 409) {
        const u = await this.bus.call<UkeyView>(Subjects.cert.ukeyGet, { serial });
        if (done.includes(u.state)) return { ukey: u.serial, state: u.state, alreadyDone: true };
      }
      throw e;
    }
  }

  /** What a done step leaves on the application (inside the transaction that records it). */
  async apply(m: EntityManager, app: ApplicationEntity, step: ApplicationStepEntity, result: Record<string, unknown>): Promise<void> {
    const r = app.results;
    switch (step.name) {
      case 'issue_certificate':
      case 'renew_certificate':
        app.results = { ...r, certificateSerial: String(result.certificateSerial), ...(result.replacedSerial ? { replacedSerial: String(result.replacedSerial) } : {}) };
        break;
      case 'make_seals':
        app.results = { ...r, sealIds: result.sealIds as string[] };
        break;
      case 'revoke_replaced':
        app.results = { ...r, replacedSerial: String(result.replacedSerial) };
        break;
      default:
    }
  }

  private async lifecycle(subject: string, command: Record<string, unknown>, wanted: string): Promise<Record<string, unknown>> {
    try {
      const cert = await this.bus.call<CertificateView>(subject, command);
      return { serial: cert.serial, status: cert.status };
    } catch (e) {
      // Already as wanted (an earlier attempt whose answer was lost, or staff acted directly): done.
      if (e instanceof ProblemError && e.status === 409) {
        const cert = await this.bus.getCertificate(String(command.serial));
        // Invalid (失效, 第二十条) is revoked for good: a revoke step finds it already done.
        if (cert.status === wanted || (wanted === 'revoked' && isRevokedForRelyingParties(cert.status))) return { serial: cert.serial, status: cert.status, alreadyDone: true };
      }
      throw e;
    }
  }

  private csrOf(app: ApplicationEntity): string {
    const csr = app.production?.csr;
    if (!csr) throw permanent('production_missing', 'no CSR was recorded from the CA station');
    return csr;
  }

  private replacementReason(app: ApplicationEntity): Extract<RevocationReason, 'superseded' | 'affiliationChanged' | 'keyCompromise'> {
    if (app.type === 'reissue') return 'keyCompromise';
    if (app.type === 'change' && (app.details.changes ?? []).some((c) => c === 'name' || c === 'structure')) return 'affiliationChanged';
    return 'superseded';
  }

  /**
   * One seal per requested seal, bound to the new certificate. The official seal's picture is the
   * four-impression scan where one was filed; a replacement (change, reissue, medium replacement)
   * that requests no seals carries over the seals of the certificate it replaces, pictures and all.
   */
  private async makeSeals(app: ApplicationEntity, key: (part?: string | number) => string): Promise<Record<string, unknown>> {
    const serial = app.results.certificateSerial;
    if (!serial) throw permanent('certificate_missing', 'no certificate was issued for the seals to bind to');
    const wanted = app.seals.length ? app.seals.map((s) => ({ ...s, png: undefined as string | undefined })) : await this.carriedOver(app);
    if (!wanted.length) return { sealIds: [] };
    const picture = await this.scannedPicture(app);
    const ids: string[] = [];
    for (const [i, s] of wanted.entries()) {
      const png = s.kind === 'official' && picture ? picture.png : s.png;
      const width = s.widthMm ?? (png === picture?.png && picture ? Math.round(picture.widthMm) : DEFAULT_SEAL_MM);
      const height = s.heightMm ?? (png === picture?.png && picture ? Math.round(picture.heightMm) : width);
      const seal = await this.bus.call<SealView>(
        Subjects.seal.create,
        {
          kind: s.kind,
          ...(s.purpose ? { purpose: s.purpose } : {}),
          name: s.name,
          ...(png ? { image: png } : { generateImage: {} }),
          widthMm: width,
          heightMm: height,
          certificateSerial: serial,
          ...(app.type === 'additional' ? { additional: true, reason: app.details.justification } : {}),
          // The replaced certificate's seals live until revoke_replaced, so for a moment the unit has two official seals.
          ...(app.targetSerial && app.type !== 'additional' ? { additional: true, reason: `replaces the seals of certificate ${app.targetSerial} (application ${app.id}, ${app.type})` } : {}),
          idempotencyKey: key(i),
        },
        { timeoutMs: this.config.NATS_REQUEST_TIMEOUT_MS * 2 },
      );
      ids.push(seal.id);
    }
    return { sealIds: ids };
  }

  /** The seals of the certificate being replaced that are still in use, with their pictures. */
  private async carriedOver(app: ApplicationEntity): Promise<(RequestedSeal & { png?: string })[]> {
    if (!app.targetSerial || !['change', 'reissue', 'medium_replacement'].includes(app.type)) return [];
    const page = await this.bus.call<Page<SealView>>(Subjects.seal.list, { certificateSerial: app.targetSerial, pageSize: 100 });
    const live = page.items.filter((s) => s.status === 'active' || s.status === 'suspended');
    const out: (RequestedSeal & { png?: string })[] = [];
    for (const s of live) {
      const image = await this.bus.call<{ base64: string }>(Subjects.seal.download, { id: s.id, what: 'image' });
      out.push({ kind: s.kind, ...(s.purpose ? { purpose: s.purpose } : {}), name: app.type === 'change' && s.kind === 'official' ? app.unit.name : s.name, widthMm: s.image.widthMm, heightMm: s.image.heightMm, png: app.type === 'change' && (app.details.changes ?? []).some((c) => c === 'name' || c === 'physical_seal') ? undefined : image.base64 });
    }
    return out;
  }

  private async scannedPicture(app: ApplicationEntity): Promise<ExtractedSealImageView | undefined> {
    // The latest scan attached wins (a supplement replaces the first).
    const material = await this.ds.getRepository(ApplicationMaterialEntity).findOne({ where: { applicationId: app.id, kind: 'seal_impression_form' }, order: { attachedAt: 'DESC' } });
    if (!material) return undefined;
    if (material.mediaType === 'application/pdf') {
      throw permanent('impression_scan_pdf', 'the seal-impression form is a PDF; the seal picture is taken from a PNG or JPEG scan of one impression');
    }
    let bytes: Uint8Array;
    try {
      bytes = await this.store.get(material.sha256);
    } catch (e) {
      if (e instanceof DocumentNotFoundError) throw permanent('impression_scan_missing', `the seal-impression scan ${material.sha256} is not in the document store`);
      throw e;
    }
    if (bytes.length > IMPRESSION_SCAN_MAX_BYTES) throw permanent('impression_scan_too_large', `the seal-impression scan has ${bytes.length} bytes; the picture is taken from a scan of at most ${IMPRESSION_SCAN_MAX_BYTES}`);
    return this.bus.call<ExtractedSealImageView>(Subjects.seal.extractImage, { image: Buffer.from(bytes).toString('base64') });
  }
}
