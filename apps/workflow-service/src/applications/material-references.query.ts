import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import { MATERIALS_REFERENCED_MAX, type MaterialsReferencedQuery, type MaterialsReferencedReply } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Which contents of the shared document store are application materials (Subjects.workflow.
 * materialsReferenced, the seal-service's document retention only): one set-based query. Materials
 * are kept with their application, whatever its status, so any row counts.
 */
@Injectable()
export class MaterialReferencesQuery {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async execute(q: MaterialsReferencedQuery): Promise<MaterialsReferencedReply> {
    const list = q?.sha256s;
    if (!Array.isArray(list) || list.length > MATERIALS_REFERENCED_MAX || !list.every((s) => typeof s === 'string' && SHA256.test(s))) {
      throw ProblemError.badRequest(ProblemCode.validationFailed, 'sha256s', `sha256s must be at most ${MATERIALS_REFERENCED_MAX} lowercase hex SHA-256s`);
    }
    if (!list.length) return { referenced: [] };
    const rows: { sha256: string }[] = await this.ds.query('SELECT DISTINCT sha256 FROM "workflow"."application_material" WHERE sha256 = ANY($1::text[])', [list]);
    return { referenced: rows.map((r) => r.sha256).sort() };
  }
}
