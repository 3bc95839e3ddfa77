import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError, regionLikePatterns, requestContext } from '@ecert/common';
import {
  ACTIVITY_REPORT_MAX_ITEMS,
  ACTIVITY_UNKNOWN_SERIALS,
  type ActivityReportResult,
  REPORTED_ACTIVITY_KINDS,
  type ReportActivityCommand,
} from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { normalizeSerial } from '../../certificates/certificate-transition.runner';
import { type ActivityEntry, writeActivity } from './activity-writer';

/** A reporting system's clock may run a little ahead of ours; more than this is a wrong time. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/**
 * Reports are of recent use (systems report daily): an older time is a wrong one, and could only
 * ever make a certificate look used when it was not. Well inside the two years of 第二十条.
 */
export const ACTIVITY_REPORT_MAX_AGE_DAYS = 90;

/**
 * A business system reports certificates it saw used (第二十条 activity). The whole report is
 * checked first: a bad item, or a serial that is unknown or outside the caller's regions (not
 * told apart, so a system learns nothing of other regions' certificates), refuses all of it and
 * nothing is recorded. Then one statement moves every certificate's last activity forward.
 */
@Injectable()
export class ReportActivityUseCase {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async execute(cmd: ReportActivityCommand, now = new Date()): Promise<ActivityReportResult> {
    const items = cmd?.items;
    if (!Array.isArray(items) || !items.length) throw ProblemError.badRequest(ProblemCode.validationFailed, 'items', 'items must be a non-empty array');
    if (items.length > ACTIVITY_REPORT_MAX_ITEMS) {
      throw ProblemError.badRequest(ProblemCode.validationFailed, 'items', `an activity report holds at most ${ACTIVITY_REPORT_MAX_ITEMS} items, this one ${items.length}`);
    }
    const entries: ActivityEntry[] = items.map((item, i) => this.entryOf(item, i, now));
    const serials = [...new Set(entries.map((e) => e.serial))];
    const patterns = regionLikePatterns(requestContext.getStore());
    const known: { serial: string; not_before: Date }[] = await this.ds.query(
      `SELECT serial, not_before FROM "cert"."certificate" WHERE serial = ANY($1) AND ($2::text[] IS NULL OR region_code LIKE ANY($2))`,
      [serials, patterns ?? null],
    );
    const found = new Set(known.map((r) => r.serial));
    const unknown = serials.filter((s) => !found.has(s));
    if (unknown.length) {
      throw new ProblemError(
        422,
        ACTIVITY_UNKNOWN_SERIALS,
        '证书不存在 (unknown certificates)',
        `${unknown.length} serial(s) are not certificates you may report: ${unknown.slice(0, 20).join(', ')}${unknown.length > 20 ? ', …' : ''}; nothing was recorded`,
        'items',
        { serials: unknown },
      );
    }
    // A use before the certificate existed is a wrong report (a wrong certificate, a wrong clock):
    // refused by name, so the system learns of it; nothing is recorded.
    const issuedAt = new Map(known.map((r) => [r.serial, r.not_before]));
    entries.forEach((e, i) => {
      const nb = issuedAt.get(e.serial)!;
      if (e.at.getTime() < nb.getTime()) {
        throw ProblemError.badRequest(ProblemCode.validationFailed, `items.${i}.at`, `items.${i}.at ${e.at.toISOString()} is before certificate ${e.serial} was issued (${nb.toISOString()})`);
      }
    });
    const advanced = await writeActivity(this.ds, entries);
    return { accepted: entries.length, advanced };
  }

  private entryOf(item: unknown, i: number, now: Date): ActivityEntry {
    const at = `items.${i}`;
    if (typeof item !== 'object' || item === null) throw ProblemError.badRequest(ProblemCode.validationFailed, at, `${at} must be an object {serial, at, kind}`);
    const o = item as Record<string, unknown>;
    let serial: string;
    try {
      serial = normalizeSerial(o.serial);
    } catch {
      throw ProblemError.badRequest(ProblemCode.validationFailed, `${at}.serial`, `${at}.serial must be 2-40 hexadecimal digits`);
    }
    const when = typeof o.at === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(o.at) ? new Date(o.at) : new Date(Number.NaN);
    if (Number.isNaN(when.getTime())) throw ProblemError.badRequest(ProblemCode.validationFailed, `${at}.at`, `${at}.at must be an ISO 8601 date-time`);
    if (when.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) throw ProblemError.badRequest(ProblemCode.validationFailed, `${at}.at`, `${at}.at ${o.at} is in the future`);
    if (when.getTime() < now.getTime() - ACTIVITY_REPORT_MAX_AGE_DAYS * 86_400_000) {
      throw ProblemError.badRequest(ProblemCode.validationFailed, `${at}.at`, `${at}.at ${o.at} is more than ${ACTIVITY_REPORT_MAX_AGE_DAYS} days ago: report use as it happens`);
    }
    // Only the system's own use: a caller cannot claim the platform's observations (a login, a seal).
    if (!(REPORTED_ACTIVITY_KINDS as readonly unknown[]).includes(o.kind)) {
      throw ProblemError.badRequest(ProblemCode.validationFailed, `${at}.kind`, `${at}.kind must be one of ${REPORTED_ACTIVITY_KINDS.join(', ')}`);
    }
    return { serial, at: when, kind: 'business_use', client: requestContext.getStore()?.clientId ?? null };
  }
}
