import type { InvalidationReason } from './events';
import type { CertificateProfile } from './certificate.dto';

/**
 * What counts as a certificate's activity (第二十条: two years without any makes it invalid):
 * every use the platform sees, and what business systems report having seen.
 */
export const ACTIVITY_KINDS = ['certificate_login', 'seal_creation', 'document_signing', 'unlock', 'lifecycle', 'business_use'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];
/**
 * The kinds a business system may report: only its own use. The others are the platform's own
 * observations (logins, seals, signatures, unlocks, lifecycle) and are never taken from a caller.
 */
export const REPORTED_ACTIVITY_KINDS = ['business_use'] as const satisfies readonly ActivityKind[];
export type ReportedActivityKind = (typeof REPORTED_ACTIVITY_KINDS)[number];

/** Largest activity report a business system may send at once. */
export const ACTIVITY_REPORT_MAX_ITEMS = 1000;

export interface ActivityReportItem {
  /** Certificate serial (hex). */
  serial: string;
  /** When the system saw it used (ISO 8601); not in the future. */
  at: string;
  kind: ReportedActivityKind;
}

/**
 * A business system saw these certificates used. Idempotent: activity only moves forward (the
 * latest time wins), so the same report twice changes nothing the second time. All or nothing:
 * one unknown serial (or one outside the caller's regions) and nothing is recorded.
 */
export interface ReportActivityCommand {
  items: ActivityReportItem[];
}

export interface ActivityReportResult {
  /** Items accepted (all of them). */
  accepted: number;
  /** Distinct certificates whose last activity moved forward. */
  advanced: number;
}

/** Problem code of a report naming certificates the caller may not report (unknown, or not of its regions). */
export const ACTIVITY_UNKNOWN_SERIALS = 'activity_unknown_serials';

export interface InvalidListQuery {
  /** Region code; a prefix region (450000, 450100) includes its cities / counties. */
  region?: string;
  reason?: InvalidationReason;
  /** Invalidated at or after (ISO 8601). */
  since?: string;
  page?: number;
  pageSize?: number;
  /**
   * Keyset cursor for exports: entries strictly after this one (its `cursor`), in list order.
   * With it, `page` is ignored and no total is counted.
   */
  after?: string;
  /** false: no total is counted (the export's first page; a count(*) over the whole list per export is wasted). */
  count?: boolean;
}

export interface InvalidListEntry {
  serial: string;
  caId: string;
  profile: CertificateProfile;
  unitName: string;
  uscc: string;
  accountNo: string;
  regionCode: string;
  invalidReason: InvalidationReason;
  revocationReason: string;
  invalidatedAt: string;
  lastActivityAt: string;
  notAfter: string;
  ukeySerial?: string;
  /** Opaque keyset cursor of this entry (for `after`). */
  cursor: string;
}

export interface InvalidListPage {
  items: InvalidListEntry[];
  page: number;
  pageSize: number;
  /** Absent on keyset (`after`) pages. */
  total?: number;
  /** Cursor of the last item when more may follow. */
  next?: string;
}

/** Start a 第二十条 run: a dry run answers with the counts it would act on; a real run is queued. */
export interface StartInvalidationRunCommand {
  dryRun: boolean;
}

export interface InvalidationCount {
  regionCode: string;
  reason: InvalidationReason;
  count: number;
}

export interface InvalidationRunView {
  id: string;
  dryRun: boolean;
  trigger: 'schedule' | 'operator';
  requestedBy: string | null;
  /** The instant the rule was applied at. */
  asOf: string;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  status: 'queued' | 'running' | 'finished' | 'failed';
  /** Per region and reason: what was (a dry run: would be) made invalid. */
  counts?: InvalidationCount[];
  total?: number;
  error?: string;
}
