// Parked Fetch requests (long-poll): woken when any partition they watch gets data, or at their deadline.

type Wake = () => void;

export class FetchWaiters {
  private readonly byPartition = new Map<string, Set<Wake>>();

  /** Parks until data arrives on one of the partitions, the deadline passes, or `cancel` is called. */
  public wait(
    partitions: readonly { topic: string; partition: number }[],
    timeoutMs: number,
  ): {
    done: Promise<void>;
    cancel: () => void;
  } {
    let wake: Wake = () => undefined;
    const keys = partitions.map((p) => pkey(p.topic, p.partition));
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => wake(), timeoutMs);
      timer.unref();
      wake = () => {
        clearTimeout(timer);
        for (const k of keys) {
          const set = this.byPartition.get(k);
          set?.delete(wake);
          if (set?.size === 0) this.byPartition.delete(k);
        }
        resolve();
      };
      for (const k of keys) {
        let set = this.byPartition.get(k);
        if (!set) this.byPartition.set(k, (set = new Set()));
        set.add(wake);
      }
    });
    return { done, cancel: () => wake() };
  }

  public notify(topic: string, partition: number): void {
    const set = this.byPartition.get(pkey(topic, partition));
    if (!set) return;
    for (const wake of [...set]) wake();
  }

  public cancelAll(): void {
    for (const set of [...this.byPartition.values()]) for (const wake of [...set]) wake();
  }
}

function pkey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
