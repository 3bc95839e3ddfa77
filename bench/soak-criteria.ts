/**
 * The soak's verdicts, as pure functions of the samples (no I/O): whether a series — a service's
 * RSS, a queue's depth — grew over the run after its warm-up, and whether a queue ended drained.
 */

/** One value sampled at `t` (seconds since the load started). */
export interface Point {
  t: number;
  v: number;
}

export interface Trend {
  /** Samples the trend was computed over (those at or after the warm-up). */
  n: number;
  first: number;
  last: number;
  /** Least-squares slope, value units per minute. */
  slopePerMin: number;
  /** Median of the last quarter of the samples minus the median of the first quarter. */
  quartileGrowth: number;
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Least-squares slope of v over t (per second); 0 for fewer than two distinct times. */
export function leastSquaresSlope(points: readonly Point[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mv = points.reduce((a, p) => a + p.v, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.v - mv);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** The trend of the samples taken at or after `warmupS`. */
export function trendOf(points: readonly Point[], warmupS: number): Trend {
  const kept = points.filter((p) => p.t >= warmupS);
  const q = Math.max(1, Math.floor(kept.length / 4));
  return {
    n: kept.length,
    first: kept[0]?.v ?? 0,
    last: kept[kept.length - 1]?.v ?? 0,
    slopePerMin: leastSquaresSlope(kept) * 60,
    quartileGrowth: kept.length ? median(kept.slice(-q).map((p) => p.v)) - median(kept.slice(0, q).map((p) => p.v)) : 0,
  };
}

/**
 * RSS of a service is flat when, after the warm-up, it neither rises steadily (slope) nor sits
 * higher at the end than at the start (quartile medians). Both, because each alone misleads: one
 * GC cycle late in the run moves the slope of a short series, one step moves the medians.
 */
export interface MemoryLimits {
  /** MB per minute. */
  maxSlopeMbPerMin: number;
  /** MB. */
  maxGrowthMb: number;
  /** Fewest samples after the warm-up for a verdict at all. */
  minSamples: number;
}

export interface QueueLimits {
  /** Items: last-quartile median minus first-quartile median. */
  maxGrowth: number;
  /** Items per minute. */
  maxSlopePerMin: number;
}

export interface Verdict {
  pass: boolean;
  why: string;
}

export function memoryVerdict(t: Trend, limits: MemoryLimits): Verdict {
  if (t.n < limits.minSamples) return { pass: false, why: `only ${t.n} samples after the warm-up (need ${limits.minSamples}): run longer` };
  const problems: string[] = [];
  if (t.slopePerMin > limits.maxSlopeMbPerMin) problems.push(`slope ${t.slopePerMin.toFixed(2)} MB/min > ${limits.maxSlopeMbPerMin}`);
  if (t.quartileGrowth > limits.maxGrowthMb) problems.push(`quartile growth ${t.quartileGrowth.toFixed(1)} MB > ${limits.maxGrowthMb}`);
  return problems.length ? { pass: false, why: problems.join('; ') } : { pass: true, why: `slope ${t.slopePerMin.toFixed(2)} MB/min, growth ${t.quartileGrowth.toFixed(1)} MB` };
}

/**
 * A queue (consumer pending, BullMQ waiting/delayed/failed, unpublished outbox rows) is healthy when
 * it does not trend up under the steady load and, once the load stops and it had time to drain,
 * holds no more than it held before the load began (`baseline`: a repeatable job waits in
 * `delayed` on an idle platform too). A failed job is a dead letter: `strictEnd` series may not
 * end above their baseline by even one.
 */
export function queueVerdict(t: Trend, baseline: number, end: number, limits: QueueLimits): Verdict {
  const problems: string[] = [];
  if (t.quartileGrowth > limits.maxGrowth) problems.push(`grew by ${t.quartileGrowth} (> ${limits.maxGrowth})`);
  if (t.slopePerMin > limits.maxSlopePerMin) problems.push(`slope ${t.slopePerMin.toFixed(2)}/min (> ${limits.maxSlopePerMin})`);
  if (end > baseline) problems.push(`ended at ${end}, above ${baseline} before the load`);
  return problems.length ? { pass: false, why: problems.join('; ') } : { pass: true, why: `end ${end} (baseline ${baseline}), growth ${t.quartileGrowth}, slope ${t.slopePerMin.toFixed(2)}/min` };
}

/** Percentile (0–100) of unsorted values, nearest rank. */
export function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
