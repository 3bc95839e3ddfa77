import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemError } from '@ecert/common';
import { DocumentProblemCode, type DocumentVerificationReport, type VerificationReportQuery } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { Actor } from './document-actor';
import { VerificationReportEntity } from './document.entities';
import { uuidOf } from './document-input';

/** A verification report as it was given, for the caller who asked for it (and admin). */
@Injectable()
export class VerificationReportQueries {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async get(q: VerificationReportQuery): Promise<DocumentVerificationReport> {
    const actor = Actor.current();
    const id = uuidOf(q?.id, 'id', { code: DocumentProblemCode.verificationReportNotFound, what: 'verification report' });
    const row = await this.ds.getRepository(VerificationReportEntity).findOneBy({ id });
    if (!row || !(actor.is(row.createdByClient, row.createdByStaff) || actor.holds('admin'))) {
      throw ProblemError.notFound(DocumentProblemCode.verificationReportNotFound, `No verification report with id '${id}' of yours`);
    }
    return row.report as DocumentVerificationReport;
  }
}
