/** What the primary does when a worker of a running pool died. */
export type RestartDecision = { action: 'replace'; delayMs: number } | { action: 'stop' };

export interface WorkerRestartOptions {
  /** Deaths further back than this are forgotten. */
  windowMs: number;
  /** With no worker serving, this many deaths within the window stop the gateway. */
  crashLoop: number;
  /** The second death within the window waits this long before its replacement, doubling after. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** With no worker serving for this long, the next death stops the gateway however slowly they die. */
  unservedMs: number;
}

export const DEFAULT_WORKER_RESTARTS: WorkerRestartOptions = { windowMs: 60_000, crashLoop: 5, firstDelayMs: 1000, maxDelayMs: 30_000, unservedMs: 120_000 };

/**
 * When to replace a dead gateway worker, and when to give up. A lone death is replaced at once;
 * more within the window back off (a backing service down makes every new worker fail), so they
 * never spin. The gateway is stopped only when no worker serves any more and the deaths keep
 * coming (five within the window, or any after two minutes without one): then the port would
 * accept connections nobody answers, and a supervisor must see it.
 * While one worker serves, the others are retried for as long as it takes.
 */
export class WorkerRestarts {
  private readonly deaths: number[] = [];
  private unservedSince?: number;

  constructor(private readonly opts: WorkerRestartOptions = DEFAULT_WORKER_RESTARTS) {}

  onDeath(now: number, serving: number): RestartDecision {
    while (this.deaths.length && this.deaths[0]! <= now - this.opts.windowMs) this.deaths.shift();
    this.deaths.push(now);
    const n = this.deaths.length;
    if (serving > 0) this.unservedSince = undefined;
    else this.unservedSince ??= now;
    if (serving === 0 && (n >= this.opts.crashLoop || now - this.unservedSince! >= this.opts.unservedMs)) return { action: 'stop' };
    return { action: 'replace', delayMs: n <= 1 ? 0 : Math.min(this.opts.firstDelayMs * 2 ** (n - 2), this.opts.maxDelayMs) };
  }

  /** A worker listens: the time without one serving starts again at the next death. */
  onServing(): void {
    this.unservedSince = undefined;
  }

  /** Deaths within the window (for the log). */
  get recent(): number {
    return this.deaths.length;
  }
}
