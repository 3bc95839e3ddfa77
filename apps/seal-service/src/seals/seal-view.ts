import type { SealStatus, SealView } from '@ecert/contracts';
import type { SealEntity, SealImageEntity } from './seal.entities';

/** Stored status, or `expired` once an active or suspended seal is past validTo. */
export function effectiveSealStatus(s: Pick<SealEntity, 'status' | 'validTo'>, now = new Date()): SealStatus {
  if ((s.status === 'active' || s.status === 'suspended') && s.validTo.getTime() <= now.getTime()) return 'expired';
  return s.status;
}

export function toSealView(s: SealEntity, img: SealImageEntity, now = new Date()): SealView {
  return {
    id: s.id,
    esId: s.esId,
    kind: s.kind,
    ...(s.purpose ? { purpose: s.purpose } : {}),
    typeCode: s.typeCode,
    name: s.name,
    status: effectiveSealStatus(s, now),
    ...(s.statusReason ? { statusReason: s.statusReason } : {}),
    additional: s.additional,
    ...(s.additionalReason ? { additionalReason: s.additionalReason } : {}),
    unit: { uscc: s.uscc, name: s.unitName, regionCode: s.regionCode },
    certificate: { serial: s.certificateSerial, profile: s.certificateProfile, notAfter: s.certificateNotAfter.toISOString() },
    image: {
      widthPx: img.widthPx,
      heightPx: img.heightPx,
      widthMm: img.widthMm,
      heightMm: img.heightMm,
      bytes: img.bytes,
      sha256: img.sha256,
      source: img.source,
    },
    validFrom: s.validFrom.toISOString(),
    validTo: s.validTo.toISOString(),
    createdAt: s.createdAt.toISOString(),
    statusChangedAt: s.statusChangedAt.toISOString(),
    ...(s.replaces ? { replaces: s.replaces } : {}),
    ...(s.replacedBy ? { replacedBy: s.replacedBy } : {}),
    sha256: s.derSha256,
    bytes: s.derBytes,
  };
}
