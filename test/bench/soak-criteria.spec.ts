import { describe, expect, it } from 'vitest';
import { leastSquaresSlope, median, memoryVerdict, percentile, queueVerdict, trendOf, type Point } from '../../bench/soak-criteria';

const series = (n: number, f: (t: number) => number, everyS = 10): Point[] => Array.from({ length: n }, (_, i) => ({ t: i * everyS, v: f(i * everyS) }));
const MEMORY = { maxSlopeMbPerMin: 2, maxGrowthMb: 20, minSamples: 4 };
const QUEUES = { maxGrowth: 10, maxSlopePerMin: 5 };

describe('the soak criteria (bench/soak-criteria)', () => {
  it('fits a least-squares slope and takes medians', () => {
    expect(leastSquaresSlope(series(10, (t) => 3 + 0.5 * t))).toBeCloseTo(0.5, 10);
    expect(leastSquaresSlope([{ t: 5, v: 1 }])).toBe(0);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 99)).toBe(40);
  });

  it('judges only the samples after the warm-up: a service that settles after start-up is flat', () => {
    // 100 MB rising to 180 MB during the first 2 minutes, then flat with ±5 MB of GC noise.
    const pts = series(60, (t) => (t < 120 ? 100 + (80 * t) / 120 : 180 + 5 * Math.sin(t / 7)));
    expect(memoryVerdict(trendOf(pts, 0), MEMORY).pass).toBe(false);
    const after = trendOf(pts, 120);
    expect(after.n).toBe(48);
    expect(memoryVerdict(after, MEMORY).pass).toBe(true);
  });

  it('fails a steady leak of 3 MB/min, and a step of 30 MB late in the run', () => {
    const leak = trendOf(series(60, (t) => 150 + (3 * t) / 60), 120);
    expect(leak.slopePerMin).toBeCloseTo(3, 5);
    expect(memoryVerdict(leak, MEMORY)).toMatchObject({ pass: false, why: expect.stringContaining('slope 3.00 MB/min > 2') });
    const step = trendOf(series(60, (t) => (t < 480 ? 150 : 180)), 120);
    expect(memoryVerdict(step, MEMORY)).toMatchObject({ pass: false, why: expect.stringContaining('quartile growth 30.0 MB > 20') });
  });

  it('gives no memory verdict on too few samples', () => {
    expect(memoryVerdict(trendOf(series(5, () => 100), 30), MEMORY)).toMatchObject({ pass: false, why: expect.stringContaining('run longer') });
  });

  it('passes a queue that fluctuates and drains, fails one that grows or does not drain', () => {
    const noisy = trendOf(series(60, (t) => (t % 30 === 0 ? 8 : 1)), 120);
    expect(queueVerdict(noisy, 0, 0, QUEUES).pass).toBe(true);
    const growing = trendOf(series(60, (t) => Math.floor(t / 20)), 120);
    expect(queueVerdict(growing, 0, 0, QUEUES)).toMatchObject({ pass: false, why: expect.stringContaining('grew by') });
    // A repeatable job waits in `delayed` before the load too: ending at the baseline is drained.
    expect(queueVerdict(trendOf(series(60, () => 1), 120), 1, 1, QUEUES).pass).toBe(true);
    expect(queueVerdict(noisy, 0, 2, QUEUES)).toMatchObject({ pass: false, why: 'ended at 2, above 0 before the load' });
  });
});
