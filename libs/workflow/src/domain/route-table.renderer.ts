import { SERVICE_TYPES } from '@ecert/contracts';
import { requiredMaterials } from './required-materials';
import { SERVICE_ROUTES } from './service-routes';

/**
 * The route table as Markdown, for docs/application-routes.md: the document is generated from the
 * data the service runs on (a test keeps them equal), so it cannot drift.
 */
export function renderRouteTable(): string {
  const rows = ['| type | channel | tiers | on acceptance | carried out by | limit (working days) | source of the limit | materials |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
  for (const type of SERVICE_TYPES) {
    for (const [channel, r] of Object.entries(SERVICE_ROUTES[type])) {
      if (!r) continue;
      const materials = requiredMaterials(type, { sealsRequested: 1, changes: ['physical_seal'] }).join(', ');
      rows.push(
        `| ${type} | ${channel} | ${r.tiers.join(' → ')} | ${r.onAcceptance.join(', ') || '—'}${r.onRejection.length ? ` (undone on rejection: ${r.onRejection.join(', ')})` : ''} | ${r.fulfilment.join(' → ') || '—'} | ${r.limitWorkingDays === 0 ? '0 (same day)' : r.limitWorkingDays} | ${r.limitSource} | ${materials} |`,
      );
    }
  }
  return rows.join('\n') + '\n';
}
