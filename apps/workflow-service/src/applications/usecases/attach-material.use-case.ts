import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError, type EcertConfig } from '@ecert/common';
import { MATERIAL_KINDS, Subjects, type ApplicationView, type AttachMaterialCommand, type CheckMaterialCommand, type MaterialKind } from '@ecert/contracts';
import { CONFIG, DATA_SOURCE } from '@ecert/messaging';
import { DocumentNotFoundError, DocumentIntegrityError, inspectMaterial, MaterialRejectedError, type DocumentStore } from '@ecert/documents';
import { allowedMaterials, assertMayAttach, IMPRESSION_SCAN_MAX_BYTES } from '@ecert/workflow';
import { ApplicationEntity } from '../entities/application.entity';
import { ApplicationMaterialEntity } from '../entities/application-material.entity';
import { actorRef, currentActor } from '../application-actor';
import { assertMaySee } from '../application-access';
import { journal } from '../application-journal';
import { applicationIdOf, lockApplication, touch } from '../application-loader';
import { ApplicationViewMapper } from '../application-view.mapper';
import { DOCUMENT_STORE } from '../../workflow-service.tokens';
import { WorkflowBusClient } from '../workflow-bus.client';
import { bad } from '../application-input';


/**
 * A material (already in the document store) goes onto the application's checklist. The bytes are
 * read and checked again here — their hash, their type by content, their size — whatever the
 * gateway said of them: the workflow-service records only what it has seen itself.
 */
@Injectable()
export class AttachMaterialUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: EcertConfig,
    @Inject(DOCUMENT_STORE) private readonly store: DocumentStore,
    private readonly views: ApplicationViewMapper,
    private readonly bus: WorkflowBusClient,
  ) {}

  /** Before the gateway reads an upload: the application exists, the caller may add to it, now, this kind. */
  async check(cmd: CheckMaterialCommand): Promise<{ ok: true }> {
    const actor = currentActor();
    const id = applicationIdOf(cmd?.applicationId);
    if (cmd.kind !== undefined && !(MATERIAL_KINDS as readonly unknown[]).includes(cmd.kind)) throw bad('kind', `kind must be one of ${MATERIAL_KINDS.join(', ')}`);
    const app = await this.ds.getRepository(ApplicationEntity).findOneBy({ id });
    if (!app) throw ProblemError.notFound(ProblemCode.notFound, `application ${id} not found`);
    assertMaySee(actor, app);
    assertMayAttach(app.status);
    const allowed = allowedMaterials(app.type, { changes: app.details.changes, sealsRequested: app.seals.length });
    if (cmd.kind && !allowed.includes(cmd.kind)) throw bad('kind', `a ${app.type} application takes ${allowed.join(', ')}; ${cmd.kind} is not one of them`);
    return { ok: true };
  }

  async execute(cmd: AttachMaterialCommand): Promise<ApplicationView> {
    const actor = currentActor();
    const id = applicationIdOf(cmd?.applicationId);
    if (!(MATERIAL_KINDS as readonly unknown[]).includes(cmd.kind)) throw bad('kind', `kind must be one of ${MATERIAL_KINDS.join(', ')}`);
    const sha256 = typeof cmd.sha256 === 'string' ? cmd.sha256.trim() : '';
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw bad('sha256', 'sha256 must be 64 lowercase hex digits');
    const fileName = this.fileName(cmd.fileName);
    const { mediaType, bytes } = await this.inspect(sha256);
    if (cmd.kind === 'seal_impression_form') await this.assertUsableImpression(bytes, mediaType);
    return this.ds.transaction(async (m) => {
      const app = await lockApplication(m, id);
      assertMaySee(actor, app);
      assertMayAttach(app.status);
      const allowed = allowedMaterials(app.type, { changes: app.details.changes, sealsRequested: app.seals.length });
      if (!allowed.includes(cmd.kind as MaterialKind)) {
        throw bad('kind', `a ${app.type} application takes ${allowed.join(', ')}; ${cmd.kind} is not one of them`);
      }
      const existing = await m.findOneBy(ApplicationMaterialEntity, { applicationId: id, kind: cmd.kind, sha256 });
      if (!existing) {
        const count = await m.countBy(ApplicationMaterialEntity, { applicationId: id });
        if (count >= 50) throw ProblemError.conflict('too_many_materials', 'an application holds at most 50 materials');
        await m.insert(ApplicationMaterialEntity, {
          id: randomUUID(),
          applicationId: id,
          kind: cmd.kind,
          sha256,
          mediaType,
          size: bytes.length,
          fileName,
          attachedBy: { staffId: actor.staffId ?? null, clientId: actor.clientId ?? null },
          attachedAt: new Date(),
        });
        touch(app);
        await m.save(app);
        await journal(m, app, 'material_attached', actorRef(actor), { kind: cmd.kind, sha256, mediaType });
      }
      return this.views.load(m, app);
    });
  }

  /**
   * The official seal's picture is taken from this scan after approval; a scan it cannot be taken
   * from is refused now, not after the certificate is issued. One impression, PNG or JPEG, at most
   * 512 KiB, and the seal-service must find the red ink in it.
   */
  private async assertUsableImpression(bytes: Uint8Array, mediaType: string): Promise<void> {
    const refuse = (detail: string) => new ProblemError(422, 'impression_scan_unusable', '印章采集扫描件不可用 (seal impression scan unusable)', detail, 'sha256');
    if (mediaType === 'application/pdf') throw refuse('the seal picture is taken from a PNG or JPEG scan of one impression (a PDF is kept as the signed form: attach it as seal_form)');
    if (bytes.length > IMPRESSION_SCAN_MAX_BYTES) throw refuse(`the scan has ${bytes.length} bytes; at most ${IMPRESSION_SCAN_MAX_BYTES} (crop it to one impression)`);
    try {
      await this.bus.asService('impression-scan-check', () => this.bus.call(Subjects.seal.extractImage, { image: Buffer.from(bytes).toString('base64') }));
    } catch (e) {
      if (e instanceof ProblemError && e.status >= 400 && e.status < 500) throw refuse(`the seal-service cannot take a seal picture from it: ${e.detail ?? e.title}`);
      throw e;
    }
  }

  private fileName(v: unknown): string | null {
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'string') throw bad('fileName', 'fileName must be a string');
    const s = v.normalize('NFKC').trim();
    // Kept only to show; never used as a path.
    if (s.length > 200 || /[\u0000-\u001f\u007f/\\]/.test(s)) throw bad('fileName', 'fileName must be at most 200 characters, without control characters or slashes');
    return s;
  }

  private async inspect(sha256: string) {
    let bytes: Uint8Array;
    try {
      bytes = await this.store.get(sha256);
    } catch (e) {
      if (e instanceof DocumentNotFoundError) throw new ProblemError(422, 'material_not_stored', '材料不存在 (material not in the document store)', `no document ${sha256} in the document store; upload it first`, 'sha256');
      if (e instanceof DocumentIntegrityError) throw new ProblemError(422, 'material_integrity', '材料已损坏 (material altered)', `the stored bytes of ${sha256} no longer match their hash`, 'sha256');
      throw e;
    }
    try {
      return { mediaType: inspectMaterial(bytes, { maxBytes: this.config.MATERIAL_MAX_BYTES }).mediaType, bytes };
    } catch (e) {
      if (e instanceof MaterialRejectedError) throw new ProblemError(422, e.code, '材料不符合要求 (material refused)', e.message, 'sha256');
      throw e;
    }
  }
}
