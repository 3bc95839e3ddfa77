import { describe, expect, it } from 'vitest';
import { decisionTransition, submitTransition, assertMayAttach } from './application-state-machine';
import { routeOf, SERVICE_ROUTES } from './service-routes';
import { requiredMaterials } from './required-materials';
import { SERVICE_TYPES } from '@ecert/contracts';

describe('application state machine', () => {
  const route = routeOf('apply', 'on_site')!.tiers;

  it('goes county → city → province → fulfilling on approvals', () => {
    const s = submitTransition('draft', route);
    expect(s).toEqual({ status: 'under_review', tier: 'county', resubmitted: false });
    const c = decisionTransition('under_review', 'county', route, 'approve');
    expect(c).toMatchObject({ status: 'under_review', tier: 'city', approved: false });
    const p = decisionTransition('under_review', 'province', route, 'approve');
    expect(p).toMatchObject({ status: 'fulfilling', approved: true });
  });

  it('a return pauses the clock and resubmission goes back to the tier that returned it', () => {
    expect(decisionTransition('under_review', 'city', route, 'return')).toMatchObject({ status: 'returned', tier: 'city', pauses: true });
    expect(submitTransition('returned', route, 'city')).toEqual({ status: 'under_review', tier: 'city', resubmitted: true });
  });

  it('refuses decisions and materials on closed applications', () => {
    expect(() => decisionTransition('rejected', undefined, route, 'approve')).toThrow(/not waiting/);
    expect(() => decisionTransition('completed', undefined, route, 'reject')).toThrow();
    expect(() => submitTransition('under_review', route)).toThrow();
    expect(() => assertMayAttach('rejected')).toThrow();
    expect(() => assertMayAttach('returned')).not.toThrow();
  });

  it('a change by post goes to the province directly within 10 working days; on site the same day', () => {
    expect(routeOf('change', 'by_post')).toMatchObject({ tiers: ['province'], limitWorkingDays: 10 });
    expect(routeOf('change', 'on_site')).toMatchObject({ limitWorkingDays: 0 });
    expect(routeOf('reissue', 'by_post')!.limitWorkingDays).toBe(15);
    expect(routeOf('medium_replacement', 'on_site')!.limitWorkingDays).toBe(15);
  });

  it('a report of loss freezes on acceptance and a rejection lifts it', () => {
    expect(routeOf('report_loss', 'on_site')).toMatchObject({ onAcceptance: ['freeze_certificate'], onRejection: ['unfreeze_certificate'] });
  });

  it('every type has an on-site route with tiers; replacements revoke what they replace only after issuing', () => {
    for (const t of SERVICE_TYPES) {
      const r = SERVICE_ROUTES[t].on_site;
      expect(r.tiers.length).toBeGreaterThan(0);
      const f = r.fulfilment;
      if (f.includes('revoke_replaced')) expect(f.indexOf('revoke_replaced')).toBeGreaterThan(f.indexOf('issue_certificate'));
    }
  });

  it('materials per type follow the seeds table (编办文件 only for a change)', () => {
    expect(requiredMaterials('apply', { sealsRequested: 1 })).toEqual(['certificate_form', 'seal_form', 'uscc_copy', 'handler_id_copy', 'seal_impression_form']);
    expect(requiredMaterials('change', { changes: ['people'] })).toContain('establishment_document');
    expect(requiredMaterials('reissue')).not.toContain('establishment_document');
    expect(requiredMaterials('report_loss')).toEqual([]);
    expect(requiredMaterials('restore')).toEqual(['certificate_form', 'handler_id_copy']);
  });
});

describe('missingMaterials', () => {
  it('after a return, a listed kind needs a copy attached since the return', async () => {
    const { missingMaterials } = await import('./required-materials');
    const before = new Date('2026-01-05T01:00:00Z');
    const after = new Date('2026-01-06T01:00:00Z');
    const returned = { missing: ['uscc_copy'], at: '2026-01-05T12:00:00Z' };
    expect(missingMaterials(['uscc_copy'], [{ kind: 'uscc_copy', attachedAt: before }], returned)).toEqual(['uscc_copy']);
    expect(missingMaterials(['uscc_copy'], [{ kind: 'uscc_copy', attachedAt: before }, { kind: 'uscc_copy', attachedAt: after }], returned)).toEqual([]);
  });
});
