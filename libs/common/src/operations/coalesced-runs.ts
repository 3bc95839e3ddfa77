/**
 * One run of `task` at a time. Asked for while a run is under way, it runs exactly once more after
 * it (however many asked), so every request is covered by a run that started after the request:
 * a change noticed mid-run is never missed, and a burst of notices costs two runs, not one each.
 * `run()` resolves when the run covering the call ends; `task` handles its own errors.
 * `goOn` can stop the extra run (the service is stopping, the feature was turned off).
 */
export class CoalescedRuns {
  private running?: Promise<void>;
  private again = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly goOn: () => boolean = () => true,
  ) {}

  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.task();
      } while (this.again && this.goOn());
    })().finally(() => (this.running = undefined));
    return this.running;
  }
}
