import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { assertInScope, decodePageCursor, encodePageCursor, ProblemCode, ProblemError, regionLikePatterns, requestContext, validateUscc } from '@ecert/common';
import type { CertificateView, ListCertificatesQuery, Page } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { CertificateEntity } from '../certificate.entity';
import { CertificateViewMapper } from '../certificate-view.mapper';
import { normalizeSerial, serialAsSent } from '../certificate-transition.runner';

const STATUSES = ['active', 'frozen', 'revoked', 'expired', 'invalid'];

@Injectable()
export class CertificateQueries {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly views: CertificateViewMapper,
  ) {}

  async get(serialInput: unknown): Promise<CertificateView> {
    const serial = normalizeSerial(serialInput);
    const row = await this.ds.getRepository(CertificateEntity).findOneBy({ serial });
    if (!row) throw ProblemError.notFound(ProblemCode.certificateNotFound, `No certificate with serial ${serialAsSent(serialInput)}`);
    assertInScope(requestContext.getStore(), row.regionCode, `certificate ${serial}`);
    return this.views.toView(row);
  }

  async list(q: ListCertificatesQuery): Promise<Page<CertificateView>> {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 20;
    if (!Number.isInteger(page) || page < 1) throw ProblemError.badRequest(ProblemCode.validationFailed, 'page', 'page must be an integer ≥ 1');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw ProblemError.badRequest(ProblemCode.validationFailed, 'pageSize', 'pageSize must be 1-100');
    const qb = this.ds.getRepository(CertificateEntity).createQueryBuilder('c');
    const patterns = regionLikePatterns(requestContext.getStore());
    if (patterns) qb.andWhere('c.region_code LIKE ANY(:patterns)', { patterns });
    if (q.uscc !== undefined) {
      const u = validateUscc(q.uscc);
      if (!u.ok) throw ProblemError.badRequest(ProblemCode.validationFailed, 'uscc', u.message);
      qb.andWhere('c.uscc = :uscc', { uscc: u.value });
    }
    if (q.profile !== undefined) {
      if (q.profile !== 'unit' && q.profile !== 'personal') throw ProblemError.badRequest(ProblemCode.validationFailed, 'profile', "profile must be 'unit' or 'personal'");
      qb.andWhere('c.profile = :profile', { profile: q.profile });
    }
    if (q.status !== undefined) {
      if (!STATUSES.includes(q.status)) throw ProblemError.badRequest(ProblemCode.validationFailed, 'status', `status must be one of ${STATUSES.join(', ')}`);
      if (q.status === 'expired') qb.andWhere("c.status IN ('active','frozen') AND c.not_after <= now()");
      else if (q.status === 'revoked' || q.status === 'invalid') qb.andWhere('c.status = :status', { status: q.status });
      else qb.andWhere('c.status = :status AND c.not_after > now()', { status: q.status });
    }
    qb.orderBy('c.created_at', 'DESC').addOrderBy('c.serial');
    if (q.after !== undefined) {
      // Keyset: after the cursor's certificate in (created_at DESC, serial). Its created_at is read
      // from its row, not carried in the cursor, where it would lose PostgreSQL's microseconds.
      const [afterSerial] = decodePageCursor(q.after, [/^[0-9a-f]{1,64}$/]);
      const at = `(SELECT k.created_at FROM "cert"."certificate" k WHERE k.serial = :afterSerial)`;
      qb.andWhere(`(c.created_at < ${at} OR (c.created_at = ${at} AND c.serial > :afterSerial))`, { afterSerial });
      const rows = await qb.take(pageSize + 1).getMany();
      const items = rows.slice(0, pageSize);
      return { items: items.map((r) => this.views.toView(r)), page: 1, pageSize, ...(rows.length > pageSize ? { next: encodePageCursor(items.at(-1)!.serial) } : {}) };
    }
    const [rows, total] = await qb.skip((page - 1) * pageSize).take(pageSize).getManyAndCount();
    const more = (page - 1) * pageSize + rows.length < total;
    return { items: rows.map((r) => this.views.toView(r)), page, pageSize, total, ...(more && rows.length ? { next: encodePageCursor(rows.at(-1)!.serial) } : {}) };
  }
}
