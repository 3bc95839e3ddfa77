import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { assertInScope, decodePageCursor, encodePageCursor, isCursorTime, ProblemCode, ProblemError, regionLikePatterns, requestContext, validateUscc, pageBounds } from '@ecert/common';
import type { CertificateView, ListCertificatesQuery, Page } from '@ecert/contracts';
import { cursorTimeSql, keysetAfterSql } from '@ecert/database';
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
    const { page, pageSize } = pageBounds(q);
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
    qb.orderBy('c.created_at', 'DESC').addOrderBy('c.serial', 'ASC').addSelect(cursorTimeSql('c.created_at'), 'cursor_at');
    if (q.after !== undefined) {
      // Keyset on (created_at DESC, serial), the position taken from the cursor itself: no row is
      // looked up, so a cursor naming another region's certificate reveals nothing.
      const [afterAt, afterSerial] = decodePageCursor(q.after, [isCursorTime, /^[0-9a-f]{1,64}$/]);
      qb.andWhere(keysetAfterSql('c.created_at', 'c.serial', 'ASC', ':afterAt', ':afterSerial'), { afterAt, afterSerial });
      const { entities, raw } = await qb.take(pageSize + 1).getRawAndEntities();
      const items = entities.slice(0, pageSize);
      return { items: items.map((r) => this.views.toView(r)), page: 1, pageSize, ...(entities.length > pageSize ? { next: cursorOf(items.at(-1)!, raw) } : {}) };
    }
    const { entities: rows, raw } = await qb.skip((page - 1) * pageSize).take(pageSize).getRawAndEntities();
    const total = await qb.getCount();
    const more = (page - 1) * pageSize + rows.length < total;
    return { items: rows.map((r) => this.views.toView(r)), page, pageSize, total, ...(more && rows.length ? { next: cursorOf(rows.at(-1)!, raw) } : {}) };
  }
}

/** The cursor after `row`: its created_at to the microsecond (read with it) and its serial. */
function cursorOf(row: CertificateEntity, raw: { c_serial: string; cursor_at: string }[]): string {
  return encodePageCursor(raw.find((r) => r.c_serial === row.serial)!.cursor_at, row.serial);
}
