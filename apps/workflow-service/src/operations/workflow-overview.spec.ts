import { describe, expect, it } from 'vitest';
import { summariseBreaches } from './workflow-overview.query';

describe('summariseBreaches', () => {
  const rows = [
    { tier: 'city' as const, regionCode: '450102', count: 2 },
    { tier: 'province' as const, regionCode: '450102', count: 1 },
    { tier: 'city' as const, regionCode: '450201', count: 4 },
    { tier: 'none' as const, regionCode: '450301', count: 1 },
  ];

  it('totals by tier and by region, most first', () => {
    expect(summariseBreaches(rows, 10)).toEqual({
      total: 8,
      byTier: [
        { tier: 'city', count: 6 },
        { tier: 'none', count: 1 },
        { tier: 'province', count: 1 },
      ],
      byRegion: [
        { regionCode: '450201', count: 4 },
        { regionCode: '450102', count: 3 },
        { regionCode: '450301', count: 1 },
      ],
    });
  });

  it('keeps only the top regions but counts every breach', () => {
    const s = summariseBreaches(rows, 1);
    expect(s.byRegion).toEqual([{ regionCode: '450201', count: 4 }]);
    expect(s.total).toBe(8);
  });

  it('is empty with no breach', () => {
    expect(summariseBreaches([], 5)).toEqual({ total: 0, byTier: [], byRegion: [] });
  });
});
