import { Inject, Injectable } from '@nestjs/common';
import { Brackets, type DataSource } from 'typeorm';
import { decodePageCursor, encodePageCursor, isCursorTime, ProblemCode, ProblemError, regionLikePatterns, validateRegionCode, validateUscc, pageBounds } from '@ecert/common';
import { APPLICATION_STATUSES, REVIEW_TIERS, SERVICE_TYPES, type ApplicationView, type ListApplicationsQuery, type Page } from '@ecert/contracts';
import { cursorTimeSql, keysetAfterSql } from '@ecert/database';
import { DATA_SOURCE } from '@ecert/messaging';
import { ApplicationEntity } from './entities/application.entity';
import { currentActor } from './application-actor';
import { assertMaySee } from './application-access';
import { applicationIdOf } from './application-loader';
import { ApplicationViewMapper } from './application-view.mapper';
import { bad } from './application-input';


/** Reading applications: one with its timeline, or lists filtered in SQL within the caller's scope. */
@Injectable()
export class ApplicationQueries {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly views: ApplicationViewMapper,
  ) {}

  async get(applicationId: unknown): Promise<ApplicationView> {
    const id = applicationIdOf(applicationId);
    const app = await this.ds.getRepository(ApplicationEntity).findOneBy({ id });
    if (!app) throw ProblemError.notFound(ProblemCode.notFound, `application ${id} not found`);
    assertMaySee(currentActor(), app);
    return this.views.load(this.ds.manager, app);
  }

  async list(q: ListApplicationsQuery): Promise<Page<ApplicationView>> {
    const actor = currentActor();
    const { page, pageSize } = pageBounds(q);
    const qb = this.ds.getRepository(ApplicationEntity).createQueryBuilder('a');
    const patterns = regionLikePatterns({ regions: [...actor.regions] });
    if (patterns !== undefined) {
      if (!patterns.length) return { items: [], page, pageSize, ...(q.after === undefined ? { total: 0 } : {}) };
      qb.andWhere(new Brackets((w) => patterns.forEach((p, i) => w.orWhere(`a.region_code LIKE :rp${i}`, { [`rp${i}`]: p }))));
    }
    // A client system sees what it filed (it tells its own handlers); staff see their region.
    if (actor.clientId) qb.andWhere('a.filed_by_client = :cid', { cid: actor.clientId });
    if (q.status !== undefined) {
      if (!(APPLICATION_STATUSES as readonly unknown[]).includes(q.status)) throw bad('status', `status must be one of ${APPLICATION_STATUSES.join(', ')}`);
      qb.andWhere('a.status = :status', { status: q.status });
    }
    if (q.type !== undefined) {
      if (!(SERVICE_TYPES as readonly unknown[]).includes(q.type)) throw bad('type', `type must be one of ${SERVICE_TYPES.join(', ')}`);
      qb.andWhere('a.type = :type', { type: q.type });
    }
    if (q.tier !== undefined) {
      if (!(REVIEW_TIERS as readonly unknown[]).includes(q.tier)) throw bad('tier', `tier must be one of ${REVIEW_TIERS.join(', ')}`);
      qb.andWhere('a.tier = :tier', { tier: q.tier });
    }
    if (q.regionCode !== undefined) {
      const r = validateRegionCode(q.regionCode);
      if (!r.ok) throw bad('regionCode', r.message);
      const like = regionLikePatterns({ regions: [r.value] })!;
      qb.andWhere('a.region_code LIKE :rc', { rc: like[0] });
    }
    if (q.uscc !== undefined) {
      const u = validateUscc(q.uscc);
      if (!u.ok) throw bad('uscc', u.message);
      qb.andWhere('a.uscc = :uscc', { uscc: u.value });
    }
    if (q.overdue !== undefined) {
      const overdue = q.overdue === true || (q.overdue as unknown) === 'true';
      if (!overdue && q.overdue !== false && (q.overdue as unknown) !== 'false') throw bad('overdue', 'overdue must be true or false');
      const cond = `a.closed_at IS NULL AND (a.due_at < now() OR a.step_due_at < now())`;
      qb.andWhere(overdue ? cond : `NOT (${cond})`.replace('a.due_at < now() OR a.step_due_at < now()', 'coalesce(a.due_at < now(), false) OR coalesce(a.step_due_at < now(), false)'));
    }
    qb.orderBy('a.created_at', 'DESC').addOrderBy('a.id', 'ASC').addSelect(cursorTimeSql('a.created_at'), 'cursor_at');
    if (q.after !== undefined) {
      // Keyset on (created_at DESC, id), the position taken from the cursor itself: no row is
      // looked up, so a cursor naming an application outside the caller's scope reveals nothing.
      const [afterAt, afterId] = decodePageCursor(q.after, [isCursorTime, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/]);
      qb.andWhere(keysetAfterSql('a.created_at', 'a.id', 'ASC', ':afterAt', ':afterId'), { afterAt, afterId });
      const { entities, raw } = await qb.take(pageSize + 1).getRawAndEntities();
      const rows = entities.slice(0, pageSize);
      const items = await this.views.loadMany(this.ds.manager, rows);
      return { items, page: 1, pageSize, ...(entities.length > pageSize ? { next: cursorOf(rows.at(-1)!, raw) } : {}) };
    }
    const { entities: rows, raw } = await qb.skip((page - 1) * pageSize).take(pageSize).getRawAndEntities();
    const total = await qb.getCount();
    const items = await this.views.loadMany(this.ds.manager, rows);
    const more = (page - 1) * pageSize + rows.length < total;
    return { items, page, pageSize, total, ...(more && rows.length ? { next: cursorOf(rows.at(-1)!, raw) } : {}) };
  }
}

/** The cursor after `row`: its created_at to the microsecond (read with it) and its id. */
function cursorOf(row: ApplicationEntity, raw: { a_id: string; cursor_at: string }[]): string {
  return encodePageCursor(raw.find((r) => r.a_id === row.id)!.cursor_at, row.id);
}
