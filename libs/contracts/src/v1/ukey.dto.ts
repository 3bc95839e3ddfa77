/**
 * UKeys (USB KEY, the medium of certificates and seals): inventory, lifecycle, dispatch to the
 * city offices, collection, warranty and the one-time authorisations of remote PIN unlock. The
 * cert-service owns them (a certificate and its medium change together).
 */

/**
 * States, after Dogtag TPS's token states plus what HRSS needs (offices, dispatch):
 * in_stock → assigned (to an application) → initialised (keys generated on it, certificates and
 * seal written) → dispatched (in a batch to a city office) → at_office → collected → in_use;
 * suspended (reported lost) → in_use (found) or → perm_lost; damaged → returned; terminated.
 */
export const UKEY_STATES = ['in_stock', 'assigned', 'initialised', 'dispatched', 'at_office', 'collected', 'in_use', 'suspended', 'perm_lost', 'damaged', 'returned', 'terminated'] as const;
export type UkeyState = (typeof UKEY_STATES)[number];

/** Actions a caller asks for; the state machine says from which states each is allowed. */
export const UKEY_ACTIONS = [
  'assign',
  'unassign',
  'initialise',
  'dispatch',
  'receive',
  'collect',
  'activate',
  'report_lost',
  'found',
  'declare_perm_lost',
  'report_damaged',
  'return',
  'terminate',
] as const;
export type UkeyAction = (typeof UKEY_ACTIONS)[number];

export interface ImportUkeyItem {
  serial: string;
  vendor: string;
  model: string;
}

export interface ImportUkeysCommand {
  /** The delivery batch (the vendor's lot number, say). */
  batch: string;
  /** YYYY-MM-DD. */
  deliveredOn: string;
  items: ImportUkeyItem[];
}

export interface ImportUkeysResult {
  batch: string;
  imported: number;
}

export interface ListUkeysQuery {
  state?: UkeyState;
  /** Office region (the city office holding or having issued it), within the caller's scope. */
  regionCode?: string;
  batch?: string;
  uscc?: string;
  page?: number;
  pageSize?: number;
}

export interface UkeySerialQuery {
  serial: string;
}

/** A transition: `applicationId` for assign; `reason` for report_lost, found, damaged, terminate. */
export interface UkeyTransitionCommand {
  serial: string;
  action: UkeyAction;
  applicationId?: string;
  reason?: string;
  /** report_damaged: the reviewer's finding that the damage was not the user's doing (第十八条). */
  nonHumanCause?: boolean;
  idempotencyKey?: string;
}

export interface CreateDispatchBatchCommand {
  /** The city office (6-digit region code of a city) the UKeys go to. */
  officeRegionCode: string;
  serials: string[];
}

export interface DispatchBatchIdCommand {
  batchId: string;
}

export interface DispatchBatchView {
  id: string;
  officeRegionCode: string;
  serials: string[];
  createdAt: string;
  createdBy: string | null;
  receivedAt?: string;
  receivedBy?: string | null;
}

/** The handler's collection at the city office (第十二条): the workflow-service checked the person. */
export interface CollectUkeyCommand {
  serial: string;
  applicationId: string;
  collector: { name: string; idNumberMasked: string };
  idempotencyKey?: string;
}

export interface UkeyHistoryEntry {
  from: UkeyState | null;
  to: UkeyState;
  action: UkeyAction | 'import';
  at: string;
  by: { staffId: string | null; clientId: string | null; via: string | null };
  reason?: string;
  detail?: Record<string, unknown>;
}

export interface UkeyView {
  serial: string;
  vendor: string;
  model: string;
  batch: string;
  deliveredOn: string;
  state: UkeyState;
  /** The city office it is dispatched to / held at / was issued by. */
  officeRegionCode?: string;
  applicationId?: string;
  unit?: { uscc: string; accountNo: string; regionCode: string };
  /** Certificates on it (serials, hex). */
  certificateSerials: string[];
  collectedAt?: string;
  collector?: { name: string; idNumberMasked: string };
  /** One year from collection (办理流程 二(五)). */
  warrantyUntil?: string;
  dispatchBatchId?: string;
  version: number;
  history?: UkeyHistoryEntry[];
}

/**
 * The one-time authorisation of a remote PIN unlock (解锁): the SO PIN of one UKey, released to
 * carry out one approved `unlock` application, once, and expiring.
 */
export interface IssueUnlockAuthorisationCommand {
  applicationId: string;
  serial: string;
}

export interface UnlockAuthorisationView {
  serial: string;
  applicationId: string;
  /** The token's SO (administrator) PIN: log in as SO and C_InitPIN a new user PIN. */
  soPin: string;
  expiresAt: string;
}

/** The production station's initialisation: the SO PIN to initialise a fresh token with. */
export interface ProductionSoPinCommand {
  applicationId: string;
  serial: string;
}

export const UKEY_EVENT_TYPES = ['ukey.imported', 'ukey.transitioned'] as const;
export type UkeyEventType = (typeof UKEY_EVENT_TYPES)[number];

export interface UkeyEventData {
  serial: string;
  from: UkeyState | null;
  to: UkeyState;
  action: UkeyAction | 'import';
  applicationId?: string;
  officeRegionCode?: string;
  uscc?: string;
  certificateSerials: string[];
  version: number;
}
