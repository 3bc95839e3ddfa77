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
    case 'report_loss':
      // A lost key is frozen the moment the loss is reported (by phone, by the business system):
      // paperwork follows during review, it never holds up the freeze.
      return [];
    default:
      return ['certificate_form', 'handler_id_copy'];
  }
}

/** The seal picture is taken from a scan of one impression of at most this size (the seal-service's extractor). */
export const IMPRESSION_SCAN_MAX_BYTES = 512 * 1024;

/** What may be attached: the required materials, and the form and ID copy for any type. */
export function allowedMaterials(type: ServiceType, opts: { changes?: readonly ChangeKind[]; sealsRequested?: number } = {}): MaterialKind[] {
  return [...new Set<MaterialKind>([...requiredMaterials(type, opts), 'certificate_form', 'handler_id_copy'])];
}

/**
 * What is still missing: required kinds never attached, and — after a return for supplement — the
 * kinds the reviewer listed that have no material attached since the return (补正: a new copy, not
 * the one already seen).
 */
export function missingMaterials(
  required: readonly MaterialKind[],
  attached: readonly { kind: MaterialKind; attachedAt: Date }[],
  returned?: { missing: readonly string[]; at: string } | null,
): MaterialKind[] {
  const have = new Set(attached.map((m) => m.kind));
  const out = required.filter((k) => !have.has(k));
  if (returned) {
    const since = new Date(returned.at).getTime();
    for (const k of returned.missing as MaterialKind[]) {
      if (!out.includes(k) && !attached.some((m) => m.kind === k && m.attachedAt.getTime() > since)) out.push(k);
    }
  }
  return out;
}
