import { describe, expect, it } from 'vitest';
import { WorkerRestarts } from './worker-restarts';

describe('WorkerRestarts', () => {
  it('replaces a lone death at once, and backs off 1, 2, 4 … 30 s for more within the minute', () => {
    const r = new WorkerRestarts();
    const delays = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => r.onDeath(1000 + i * 10, 1));
    expect(delays).toEqual([0, 1000, 2000, 4000, 8000, 16000, 30000, 30000].map((delayMs) => ({ action: 'replace', delayMs })));
  });

  it('forgets deaths older than the window', () => {
    const r = new WorkerRestarts();
    r.onDeath(0, 1);
    r.onDeath(10, 1);
    expect(r.onDeath(60_011, 1)).toEqual({ action: 'replace', delayMs: 0 });
    expect(r.recent).toBe(1);
  });

  it('never stops while a worker serves, however many deaths', () => {
    const r = new WorkerRestarts();
    for (let i = 0; i < 50; i++) expect(r.onDeath(i, 1).action).toBe('replace');
  });

  it('stops at the fifth death within the window when no worker serves', () => {
    const r = new WorkerRestarts();
    const actions = [0, 1, 2, 3, 4].map((i) => r.onDeath(i, 0).action);
    expect(actions).toEqual(['replace', 'replace', 'replace', 'replace', 'stop']);
  });

  it('stops when no worker has served for two minutes, however slowly the replacements die', () => {
    const r = new WorkerRestarts();
    expect(r.onDeath(0, 0).action).toBe('replace');
    expect(r.onDeath(50_000, 0).action).toBe('replace');
    expect(r.onDeath(100_000, 0).action).toBe('replace');
    expect(r.onDeath(120_000, 0).action).toBe('stop');
  });

  it('counts the time without a serving worker afresh once one served again', () => {
    const r = new WorkerRestarts();
    r.onDeath(0, 0);
    r.onDeath(100_000, 1);
    expect(r.onDeath(200_000, 0).action).toBe('replace');
  });

  it('counts afresh once a replacement listens, even if no worker died in between', () => {
    const r = new WorkerRestarts();
    r.onDeath(0, 0); // the last one serving died; its replacement starts
    r.onServing(); // … and listens at once, then serves for minutes
    expect(r.onDeath(130_000, 0).action).toBe('replace');
    const stale = new WorkerRestarts();
    stale.onDeath(0, 0);
    expect(stale.onDeath(130_000, 0).action).toBe('stop');
  });
});
