import type { ChangeKind, MaterialKind, ServiceType } from '@ecert/contracts';

/**
 * The materials each service type needs (办理流程 二(一) table: new / change / reissue; 000 附件2
 * for the seal impressions). Types the table does not cover need the acceptance form and the
 * handler's ID copy (the form 附件1 is filed for every service type).
 */
export function requiredMaterials(type: ServiceType, opts: { changes?: readonly ChangeKind[]; sealsRequested?: number } = {}): MaterialKind[] {
  const seals = (opts.sealsRequested ?? 0) > 0;
  switch (type) {
    case 'apply':
    case 'additional':
      return ['certificate_form', 'seal_form', 'uscc_copy', 'handler_id_copy', ...(seals ? (['seal_impression_form'] as const) : [])];
    case 'change':
      // A new physical seal (or a new name on it) is collected again in four impressions.
      return [
        'certificate_form',
        'seal_form',
        'uscc_copy',
        'establishment_document',
        'handler_id_copy',
        ...(seals && (opts.changes ?? []).some((c) => c === 'physical_seal' || c === 'name') ? (['seal_impression_form'] as const) : []),
      ];
    case 'reissue':
      return ['certificate_form', 'seal_form', 'uscc_copy', 'handler_id_copy'];
    default:
      return ['certificate_form', 'handler_id_copy'];
  }
}

export function missingMaterials(required: readonly MaterialKind[], attached: readonly { kind: MaterialKind }[]): MaterialKind[] {
  const have = new Set(attached.map((m) => m.kind));
  return required.filter((k) => !have.has(k));
}
