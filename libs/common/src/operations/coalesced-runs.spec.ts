import { describe, expect, it } from 'vitest';
import { CoalescedRuns } from './coalesced-runs';

describe('CoalescedRuns', () => {
  it('runs once at a time, and once more after a run for everything asked during it', async () => {
    let runs = 0;
    let release!: () => void;
    const runner = new CoalescedRuns(async () => {
      runs++;
      if (runs === 1) await new Promise<void>((r) => (release = r));
    });
    const first = runner.run();
    const during = [runner.run(), runner.run(), runner.run()];
    expect(runs).toBe(1);
    release();
    await Promise.all([first, ...during]);
    expect(runs).toBe(2);
    await runner.run();
    expect(runs).toBe(3);
  });

  it('skips the extra run when told not to go on', async () => {
    let runs = 0;
    let on = true;
    let release!: () => void;
    const runner = new CoalescedRuns(async () => {
      runs++;
      if (runs === 1) await new Promise<void>((r) => (release = r));
    }, () => on);
    const first = runner.run();
    void runner.run();
    on = false;
    release();
    await first;
    expect(runs).toBe(1);
  });
});
