import type { IdempotentCommand } from './idempotency';

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
  /**
   * Who holds the stock (normally the province that ordered it), within the caller's scope. Absent:
   * the caller's region when it has exactly one that is not national, else national stock, which
   * only national callers see.
   */
  officeRegionCode?: string;
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
export interface UkeyTransitionCommand extends IdempotentCommand {
  serial: string;
  action: UkeyAction;
  applicationId?: string;
  reason?: string;
  /** report_damaged: the reviewer's finding that the damage was not the user's doing (第十八条). */
  nonHumanCause?: boolean;
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
export interface CollectUkeyCommand extends IdempotentCommand {
  serial: string;
  applicationId: string;
  collector: { name: string; idNumberMasked: string };
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
  /** report_damaged: the reviewer's finding and whether the report was inside the warranty. */
  damage?: { at: string; nonHumanCause: boolean; withinWarranty: boolean; reason?: string };
  /** The generation of its SO PIN (0 at production, +1 per confirmed unlock); never the PIN. */
  soPinGeneration: number;
  /** Its history steps so far (1 at import, +1 per transition): order its events by it. */
  version: number;
  history?: UkeyHistoryEntry[];
}

export interface UkeyPage {
  items: UkeyView[];
  page: number;
  pageSize: number;
  total: number;
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
  /**
   * The token's SO (administrator) PIN now. The tool logs in as SO with it (if that fails with
   * CKR_PIN_INCORRECT, with `nextSoPin`: an earlier unlock set it but was never confirmed), sets
   * the SO PIN to `nextSoPin` (C_SetPIN) before anything else, then C_InitPIN a new user PIN, and
   * confirms (`ukeyUnlockConfirm`): from then on `soPin` is worthless.
   */
  soPin: string;
  /** The SO PIN of the next generation, which the tool sets on the token. */
  nextSoPin: string;
  /** Do not start an unlock with it after this. */
  expiresAt: string;
  /**
   * Added by the workflow-service: after the reset the tool logs in with the new PIN and signs these
   * bytes (base64) with the UKey's key; the completion carries that signature, the proof that the
   * reset was done on the token itself before the SO PIN generation advances.
   */
  completionChallenge?: string;
}

/** The production station's initialisation: the SO PIN to initialise a fresh token with. */
export interface ProductionSoPinCommand {
  applicationId: string;
  serial: string;
}

export interface ProductionSoPinView {
  serial: string;
  applicationId: string;
  /** C_InitToken the fresh token with this SO PIN (generation 0, or the key's current one). */
  soPin: string;
  /** Initialise the token before this. */
  expiresAt: string;
}

/**
 * The unlock tool set the token's SO PIN to the `nextSoPin` it was given (and a new user PIN):
 * the UKey's SO PIN generation advances, so the released `soPin` opens nothing any more.
 * Repeating it changes nothing.
 */
export interface ConfirmUnlockCommand {
  applicationId: string;
  serial: string;
}

export const UKEY_EVENT_TYPES = ['ukey.imported', 'ukey.transitioned', 'ukey.so_pin_released', 'ukey.so_pin_rotated'] as const;
export type UkeyEventType = (typeof UKEY_EVENT_TYPES)[number];

/** ukey.so_pin_released / ukey.so_pin_rotated: what was released to whom, never a PIN. */
export interface UkeySoPinEventData {
  serial: string;
  applicationId: string;
  purpose: 'production' | 'unlock';
  /** The generation released (its PIN), or after a rotation the new one. */
  generation: number;
  expiresAt?: string;
  releasedTo?: string;
}

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
  /** What the step did besides the state: certificates frozen/unfrozen/revoked, warranty, damage finding, batch. */
  detail?: Record<string, unknown>;
}
