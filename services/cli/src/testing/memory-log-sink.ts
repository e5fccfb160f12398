// A LogSink that keeps what it is given (unit tests of the loader and the command).
import { type LlmCallLoggedV1 } from '@flywheel/contracts';
import { type BusLogSink } from '../logs/bus-log-sink';

export class MemoryLogSink implements BusLogSink {
  public readonly batches: LlmCallLoggedV1[][] = [];
  public closed = false;

  /** @param failOnBatch the 1-based publish call that rejects (a broker going away part way). */
  public constructor(private readonly failOnBatch?: number) {}

  public get records(): LlmCallLoggedV1[] {
    return this.batches.flat();
  }

  public publish(records: readonly LlmCallLoggedV1[]): Promise<void> {
    if (this.failOnBatch === this.batches.length + 1) {
      return Promise.reject(new Error('broker went away'));
    }
    this.batches.push([...records]);
    return Promise.resolve();
  }

  public close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
