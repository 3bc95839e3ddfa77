/**
 * Applications (受理表 as data) and their way through the review tiers: what crosses NATS between
 * the gateway and the workflow-service, and what the workflow-service's events carry.
 * Material bytes never ride here: they are in the document store and travel as their SHA-256.
 */
import type { RevocationReason } from './certificate.dto';
import type { SealKind, SealPurpose } from './seal.dto';

/** Service types of the form (附件1) and 第十七条–第二十条. */
export const SERVICE_TYPES = [
  'apply',
  'additional',
  'renew',
  'change',
  'report_loss',
  'restore',
  'reissue',
  'revoke',
  'unlock',
  'medium_replacement',
] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

/** On site at an acceptance point, or by post to the provincial centre (办理流程 二(三)/(四)). */
export const APPLICATION_CHANNELS = ['on_site', 'by_post'] as const;
export type ApplicationChannel = (typeof APPLICATION_CHANNELS)[number];

/** The review tiers: 受理点 (county), 市信息化综合管理机构 (city), 自治区人社信息中心 (province). */
export const REVIEW_TIERS = ['county', 'city', 'province'] as const;
export type ReviewTier = (typeof REVIEW_TIERS)[number];

export const APPLICATION_STATUSES = [
  /** Filed, materials being gathered; not yet accepted. */
  'draft',
  /** Accepted, waiting for the decision of `tier`. */
  'under_review',
  /** Sent back for supplement (补正): the SLA clock stops until it is resubmitted. */
  'returned',
  'rejected',
  /** Approved at the last tier; the CA operator's station is to produce the UKey (CSR + UKey serial). */
  'awaiting_production',
  /** Approved; the workflow-service is carrying it out through the cert- and seal-service. */
  'fulfilling',
  /** Produced and dispatched to the city office; the handler is to collect it. */
  'ready_for_collection',
  'completed',
  /** A step could not succeed: an operator must look (the reason is on the application). */
  'needs_attention',
  /** Withdrawn by its filer, or cancelled by staff, before it was approved. */
  'withdrawn',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** Closed: no decision, material or step may change it any more. */
export const CLOSED_APPLICATION_STATUSES: readonly ApplicationStatus[] = ['rejected', 'completed', 'withdrawn'];

/** Materials of 办理流程 二(一) and 000 附件2. */
export const MATERIAL_KINDS = [
  /** 数字证书申请表 / 受理表 */
  'certificate_form',
  /** 电子印章申请表 */
  'seal_form',
  /** 统一社会信用代码证 (or licence / organisation code) copy, stamped */
  'uscc_copy',
  /** 编办文件 copy, stamped (changes) */
  'establishment_document',
  /** 经办人身份证 copy */
  'handler_id_copy',
  /** 印章采集表 with four impressions of the physical seal (000 附件2) */
  'seal_impression_form',
] as const;
export type MaterialKind = (typeof MATERIAL_KINDS)[number];

export const MATERIAL_MEDIA_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type MaterialMediaType = (typeof MATERIAL_MEDIA_TYPES)[number];

/** What changed, for a `change` (第十七条). */
export const CHANGE_KINDS = ['name', 'structure', 'people', 'physical_seal'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Causes of 第十九条, each with the RFC 5280 reason it revokes with. */
export const REVOCATION_CAUSES = ['unit_dissolved', 'unit_merged', 'seal_retired', 'seal_unused', 'key_compromised', 'medium_damaged', 'medium_stolen', 'medium_lost'] as const;
export type RevocationCause = (typeof REVOCATION_CAUSES)[number];

export const REVOCATION_CAUSE_REASONS: Record<RevocationCause, Extract<RevocationReason, 'keyCompromise' | 'cessationOfOperation' | 'affiliationChanged'>> = {
  unit_dissolved: 'cessationOfOperation',
  unit_merged: 'affiliationChanged',
  seal_retired: 'cessationOfOperation',
  seal_unused: 'cessationOfOperation',
  key_compromised: 'keyCompromise',
  medium_damaged: 'cessationOfOperation',
  medium_stolen: 'keyCompromise',
  medium_lost: 'keyCompromise',
};

export const DECISIONS = ['approve', 'reject', 'return'] as const;
export type Decision = (typeof DECISIONS)[number];

export interface ApplicantUnit {
  name: string;
  address: string;
  postalCode: string;
  uscc: string;
  regionCode: string;
  /** 社保账户: one application and one certificate per account. */
  accountNo: string;
}

export interface ApplicantHandler {
  name: string;
  idNumber: string;
  phone: string;
  email: string;
}

export interface RequestedSeal {
  kind: SealKind;
  purpose?: SealPurpose;
  name: string;
  widthMm?: number;
  heightMm?: number;
}

export interface CreateApplicationCommand {
  type: ServiceType;
  channel?: ApplicationChannel;
  unit: ApplicantUnit;
  handler: ApplicantHandler;
  seals?: RequestedSeal[];
  /** The certificate a lifecycle type is about (renew, change, report_loss, restore, reissue, revoke, unlock, medium_replacement). */
  targetSerial?: string;
  /** The UKey it is on, where known. */
  targetUkeySerial?: string;
  /** Why a further certificate is needed (additional, 第九条). */
  justification?: string;
  changes?: ChangeKind[];
  revocationCause?: RevocationCause;
  /** The handler's account of the loss or the damage. */
  statement?: string;
  /** Medium replacement: the damage was not caused by the user (第十八条). */
  damageNotUserCaused?: boolean;
}

/** A material already in the document store: the workflow-service reads and checks it again itself. */
export interface AttachMaterialCommand {
  applicationId: string;
  kind: MaterialKind;
  /** SHA-256 (hex) of the bytes: their id in the document store. */
  sha256: string;
  fileName?: string;
}

export interface CheckMaterialCommand {
  applicationId: string;
  kind?: MaterialKind;
}

export interface ApplicationIdCommand {
  applicationId: string;
}

export interface WithdrawApplicationCommand {
  applicationId: string;
  reason: string;
}

export interface DecideApplicationCommand {
  applicationId: string;
  decision: Decision;
  /** Required for reject and return: the applicant is told it (第十条). */
  reason?: string;
  /** For return: the materials to supplement. */
  missing?: MaterialKind[];
  /** For additional: the reviewer accepts the justification (第九条) by approving with this set. */
  justificationAccepted?: boolean;
  /** Medium replacement, city tier: the reviewer finds the damage was not the user's doing (第十八条). */
  nonHumanCause?: boolean;
  /** The version the reviewer saw (If-Match): a decision on anything newer is a 409. */
  expectedVersion?: number;
}

/** The production station's or the unlock tool's request about the UKey it holds. */
export interface ApplicationUkeyCommand {
  applicationId: string;
  ukeySerial: string;
}

/** The unlock tool's report: done, with the completion challenge signed by the UKey's key (base64 DER). */
export interface CompleteUnlockCommand extends ApplicationUkeyCommand {
  signature: string;
}

/** From the CA operator's station: the keys were generated on the UKey. */
export interface RecordProductionCommand {
  applicationId: string;
  ukeySerial: string;
  /** PKCS#10 made on the UKey (PEM or base64 DER). */
  csr: string;
}

export interface RecordCollectionCommand {
  applicationId: string;
  collector: { name: string; idNumber: string };
}

export interface ListApplicationsQuery {
  status?: ApplicationStatus;
  type?: ServiceType;
  regionCode?: string;
  tier?: ReviewTier;
  overdue?: boolean;
  uscc?: string;
  page?: number;
  pageSize?: number;
  /** The `next` of the previous page (keyset: newest first, then id). */
  after?: string;
}

export interface MaterialView {
  kind: MaterialKind;
  sha256: string;
  mediaType: MaterialMediaType;
  size: number;
  fileName?: string;
  attachedAt: string;
}

export interface DecisionView {
  tier: ReviewTier;
  decision: Decision;
  reason?: string;
  missing?: MaterialKind[];
  by: { staffId: string | null; clientId: string | null; role: string | null };
  at: string;
  /** The materials the reviewer saw, as kind:sha256. */
  materialsSeen: string[];
}

export interface StepView {
  name: string;
  status: 'pending' | 'running' | 'done' | 'failed' | 'compensated';
  attempts: number;
  lastError?: string;
  result?: Record<string, unknown>;
  updatedAt: string;
}

export interface DeadlineView {
  /** Working days the whole application may take (0 = the day of acceptance). */
  limitWorkingDays: number;
  /** End of the last working day allowed (Asia/Shanghai), clock pauses added. */
  dueAt: string;
  /** The current step's own due time, where it has one. */
  stepDueAt?: string;
  overdue: boolean;
  /** Working days spent waiting for the applicant's supplement (not counted). */
  pausedWorkingDays: number;
  /** The calendar does not know a year this deadline crosses: counted with weekends only. */
  calendarIncomplete?: true;
}

export interface TimelineEntry {
  at: string;
  what: string;
  by?: { staffId: string | null; clientId: string | null; via: string | null };
  detail?: Record<string, unknown>;
}

export interface ApplicationView {
  id: string;
  type: ServiceType;
  channel: ApplicationChannel;
  status: ApplicationStatus;
  /** The tier whose decision it waits for (under_review / returned). */
  tier?: ReviewTier;
  route: ReviewTier[];
  unit: ApplicantUnit;
  handler: { name: string; idNumberMasked: string; phoneMasked: string; email: string };
  seals: RequestedSeal[];
  targetSerial?: string;
  targetUkeySerial?: string;
  justification?: string;
  changes?: ChangeKind[];
  revocationCause?: RevocationCause;
  statement?: string;
  materials: MaterialView[];
  checklist: { required: MaterialKind[]; missing: MaterialKind[] };
  decisions: DecisionView[];
  steps: StepView[];
  deadline?: DeadlineView;
  attention?: { reason: string; step: string; at: string };
  rejection?: { reason: string; tier: ReviewTier; at: string };
  returned?: { reason: string; missing: MaterialKind[]; tier: ReviewTier; at: string };
  results: {
    certificateSerial?: string;
    sealIds?: string[];
    replacedSerial?: string;
    ukeySerial?: string;
    /** Sent to the city office: the limit's clock stops here (办理完毕并寄回). */
    dispatchedAt?: string;
    collectedAt?: string;
    collector?: { name: string; idNumberMasked: string };
  };
  filedBy: { clientId: string | null; staffId: string | null };
  createdAt: string;
  updatedAt: string;
  version: number;
  timeline: TimelineEntry[];
}

/** A year of the working-day calendar loaded by an operator (the State Council's notice). */
export interface CalendarYearOverride {
  year: number;
  /** Days off that would be working days (YYYY-MM-DD). */
  holidays: string[];
  /** Weekend days that are working days (调休). */
  workdays: string[];
  source?: string;
}

export interface CalendarStatusView {
  knownYears: number[];
  overrideYears: number[];
  /** Years the platform needs (this one and the next) that neither the package nor an override knows. */
  missingYears: number[];
}

export const APPLICATION_EVENT_TYPES = [
  'application.submitted',
  'application.forwarded',
  'application.returned',
  'application.resubmitted',
  'application.rejected',
  'application.approved',
  'application.produced',
  'application.ready_for_collection',
  'application.collected',
  'application.completed',
  'application.failed',
  'application.withdrawn',
] as const;
export type ApplicationEventType = (typeof APPLICATION_EVENT_TYPES)[number];

export interface ApplicationEventData {
  applicationId: string;
  type: ServiceType;
  status: ApplicationStatus;
  tier?: ReviewTier;
  uscc: string;
  accountNo: string;
  regionCode: string;
  /** The client system that filed it, so it can tell its handler. */
  filedByClientId: string | null;
  reason?: string;
  certificateSerial?: string;
  sealIds?: string[];
  version: number;
}

/** The most SHA-256s one Subjects.workflow.materialsReferenced asks about. */
export const MATERIALS_REFERENCED_MAX = 1000;

/** Subjects.workflow.materialsReferenced (seal-service): which of these contents are application materials. */
export interface MaterialsReferencedQuery {
  sha256s: string[];
}

export interface MaterialsReferencedReply {
  /** Those of the asked SHA-256s that some application's material has (any status: materials are kept). */
  referenced: string[];
}
