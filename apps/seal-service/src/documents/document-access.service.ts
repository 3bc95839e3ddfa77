import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { ProblemError } from '@ecert/common';
import { DocumentProblemCode } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { Actor } from './document-actor';
import { DocumentEntity, SealUseRuleEntity } from './document.entities';
import { uuidOf } from './document-input';
import { mayDecide } from './seal-use-policy';

interface RequestParty {
  requested_by_client: string | null;
  requested_by_staff: string | null;
  region_code: string;
  seal_id: string;
}

/**
 * Who may see a document: whoever registered it (or sealed it, for a sealed result), whoever asked
 * to seal it, whoever may decide such a request (they must read what they approve), and `admin`.
 * Anyone else gets the same 404 as for a document that does not exist.
 */
@Injectable()
export class DocumentAccess {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async readable(idInput: unknown, actor: Actor = Actor.current(), m: EntityManager = this.ds.manager): Promise<DocumentEntity> {
    const id = uuidOf(idInput, 'documentId', { code: DocumentProblemCode.documentNotFound, what: 'document' });
    const doc = await m.findOneBy(DocumentEntity, { id });
    if (!doc || !(await this.maySee(doc, actor, m))) throw ProblemError.notFound(DocumentProblemCode.documentNotFound, `No document with id '${id}'`);
    return doc;
  }

  /** A readable document whose bytes are still kept: past retention it is a 410 document_purged. */
  async withContent(idInput: unknown, actor: Actor = Actor.current(), m: EntityManager = this.ds.manager): Promise<DocumentEntity> {
    const doc = await this.readable(idInput, actor, m);
    if (doc.purgedAt) {
      throw new ProblemError(410, DocumentProblemCode.documentPurged, '文件已过保存期限 (document purged)', `Document ${doc.id} was kept until ${doc.retainedUntil.toISOString()} and removed at ${doc.purgedAt.toISOString()}; its record and signatures remain`, 'documentId', { purgedAt: doc.purgedAt.toISOString() });
    }
    return doc;
  }

  private async maySee(doc: DocumentEntity, actor: Actor, m: EntityManager): Promise<boolean> {
    if (actor.is(doc.uploadedByClient, doc.uploadedByStaff) || actor.holds('admin')) return true;
    const parties: RequestParty[] = await m.query(
      `SELECT r.requested_by_client, r.requested_by_staff, r.seal_id, s.region_code
         FROM "seal"."seal_use_request" r JOIN "seal"."seal" s ON s.id = r.seal_id
        WHERE r.document_id = $1 OR r.sealed_document_id = $1`,
      [doc.id],
    );
    if (parties.some((p) => actor.is(p.requested_by_client, p.requested_by_staff))) return true;
    for (const p of parties) {
      const rule = await m.findOneBy(SealUseRuleEntity, { sealId: p.seal_id });
      if (mayDecide(actor, rule, p.region_code)) return true;
    }
    return false;
  }
}
