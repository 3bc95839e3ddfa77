import { describe, expect, it } from 'vitest';
import { ProblemError } from '@ecert/common';
import { assertMayDecide, type Actor, type ReviewSubject } from './review-rules';

const app = (over: Partial<ReviewSubject> = {}): ReviewSubject => ({ regionCode: '370481', tier: 'county', filedByStaffId: null, decidedBy: [], ...over });
const code = (actor: Actor, subject: ReviewSubject) => {
  try {
    assertMayDecide(actor, subject);
    return 'allowed';
  } catch (e) {
    return (e as ProblemError).code;
  }
};

describe('assertMayDecide', () => {
  it('a county acceptor of 370481 decides on units of 370481, not of 370402', () => {
    const acceptor: Actor = { staffId: 's1', role: 'county_acceptor', regions: ['370481'] };
    expect(code(acceptor, app())).toBe('allowed');
    expect(code(acceptor, app({ regionCode: '370402' }))).toBe('forbidden');
  });

  it('a city reviewer of 450100 decides on 4501xx at the city tier only', () => {
    const reviewer: Actor = { staffId: 's2', role: 'city_reviewer', regions: ['450100'] };
    expect(code(reviewer, app({ regionCode: '450102', tier: 'city' }))).toBe('allowed');
    expect(code(reviewer, app({ regionCode: '450203', tier: 'city' }))).toBe('forbidden');
    expect(code(reviewer, app({ regionCode: '450102', tier: 'province' }))).toBe('wrong_tier');
  });

  it('a provincial approver of 450000 decides on 45xxxx; a city-level scope is not enough for the province tier', () => {
    expect(code({ staffId: 's3', role: 'province_approver', regions: ['450000'] }, app({ regionCode: '450881', tier: 'province' }))).toBe('allowed');
    expect(code({ staffId: 's3', role: 'province_approver', regions: ['450100'] }, app({ regionCode: '450102', tier: 'province' }))).toBe('forbidden');
  });

  it('client systems never decide; nobody decides on what they filed or at two tiers (four eyes)', () => {
    expect(code({ clientId: 'hrss-system', role: undefined, regions: ['000000'] }, app())).toBe('forbidden');
    const acceptor: Actor = { staffId: 's1', role: 'county_acceptor', regions: ['370481'] };
    expect(code(acceptor, app({ filedByStaffId: 's1' }))).toBe('four_eyes');
    expect(code({ staffId: 's1', role: 'city_reviewer', regions: ['370400'] }, app({ tier: 'city', decidedBy: [{ tier: 'county', staffId: 's1' }] }))).toBe('four_eyes');
  });

  it('a closed or undecidable application is a conflict', () => {
    expect(code({ staffId: 's1', role: 'county_acceptor', regions: ['370481'] }, app({ tier: undefined }))).toBe('illegal_state_transition');
  });
});
