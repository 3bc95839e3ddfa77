/**
 * Writes started off a request's path (the request never waits for them), kept so shutdown can
 * wait for them before the data source closes. `settled` waits until none is left: a request still
 * served while the first ones finish may start another.
 */
export class WritesUnderWay {
  private readonly writes = new Set<Promise<unknown>>();

  track(write: Promise<unknown>): void {
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write)).catch(() => undefined);
  }

  async settled(): Promise<void> {
    while (this.writes.size) await Promise.allSettled([...this.writes]);
  }
}
