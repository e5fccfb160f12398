// Group commit of the simulator's data dir. Every answer that tells a client of a change waits until that change is
// saved, but the saves of requests that arrive together are one write: the first request to ask schedules a save
// (on the next turn of the event loop, or `minSpacingMs` after the previous save), the others join it. A lone
// request waits for nothing but its own save; 20 concurrent flywheel runs no longer rewrite the whole state once for
// every request that changed something.

export class StateSaver {
  private pending: Promise<void> | null = null;
  private lastSaveAt = Number.NEGATIVE_INFINITY;

  public constructor(
    private readonly save: () => void,
    private readonly minSpacingMs = 20,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves once every change made before the call is saved; rejects with the error of that save. */
  public saved(): Promise<void> {
    if (this.pending !== null) return this.pending;
    const wait = Math.max(0, this.lastSaveAt + this.minSpacingMs - this.now());
    this.pending = new Promise<void>((resolve, reject) => {
      const flush = (): void => {
        // Changes made from here on belong to the next save.
        this.pending = null;
        this.lastSaveAt = this.now();
        try {
          this.save();
          resolve();
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      };
      if (wait === 0) setImmediate(flush);
      else setTimeout(flush, wait);
    });
    return this.pending;
  }
}
