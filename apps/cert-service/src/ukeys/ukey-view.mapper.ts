import type { DispatchBatchView, UkeyHistoryEntry, UkeyView } from '@ecert/contracts';
import type { UkeyEntity } from './ukey.entity';
import type { UkeyHistoryEntity } from './ukey-history.entity';
import type { UkeyDispatchBatchEntity } from './ukey-dispatch-batch.entity';

/** What the API shows of a UKey: never an SO PIN, the collector's ID only masked. */
export function ukeyView(u: UkeyEntity, certificateSerials: string[], history?: UkeyHistoryEntity[]): UkeyView {
  return {
    serial: u.serial,
    vendor: u.vendor,
    model: u.model,
    batch: u.batch,
    deliveredOn: u.deliveredOn,
    state: u.state,
    ...(u.officeRegionCode ? { officeRegionCode: u.officeRegionCode } : {}),
    ...(u.applicationId ? { applicationId: u.applicationId } : {}),
    ...(u.uscc && u.accountNo && u.regionCode ? { unit: { uscc: u.uscc, accountNo: u.accountNo, regionCode: u.regionCode } } : {}),
    certificateSerials,
    ...(u.collectedAt ? { collectedAt: u.collectedAt.toISOString() } : {}),
    ...(u.collector ? { collector: { name: u.collector.name, idNumberMasked: u.collector.idNumberMasked } } : {}),
    ...(u.warrantyUntil ? { warrantyUntil: u.warrantyUntil } : {}),
    ...(u.dispatchBatchId ? { dispatchBatchId: u.dispatchBatchId } : {}),
    ...(u.damage ? { damage: u.damage } : {}),
    soPinGeneration: u.soPinGeneration,
    version: u.version,
    ...(history ? { history: history.map(historyEntry) } : {}),
  };
}

function historyEntry(h: UkeyHistoryEntity): UkeyHistoryEntry {
  return {
    from: h.fromState,
    to: h.toState,
    action: h.action,
    at: h.at.toISOString(),
    by: { staffId: h.actor, clientId: h.clientId, via: h.via },
    ...(h.reason ? { reason: h.reason } : {}),
    ...(h.detail ? { detail: h.detail } : {}),
  };
}

export function dispatchBatchView(b: UkeyDispatchBatchEntity): DispatchBatchView {
  return {
    id: b.id,
    officeRegionCode: b.officeRegionCode,
    serials: b.serials,
    createdAt: b.createdAt.toISOString(),
    createdBy: b.createdBy ?? b.createdClientId,
    ...(b.receivedAt ? { receivedAt: b.receivedAt.toISOString(), receivedBy: b.receivedBy } : {}),
  };
}
