// Idempotent-producer state: producer ids, epochs, and per-partition sequence windows (Kafka keeps the
// last five batches per producer and partition, so a retried duplicate gets its original offset).
import { ErrorCode } from '../protocol/error-codes';
import type { StoredBatch } from '../storage/partition-log';
import type { Storage } from '../storage/storage';

const WINDOW = 5;

interface BatchEntry {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

interface PartitionProducerState {
  epoch: number;
  recent: BatchEntry[];
}

export type SequenceCheck =
  { kind: 'append' } | { kind: 'duplicate'; baseOffset: number } | { kind: 'error'; errorCode: number; reason: string };

export class ProducerRegistry {
  private lastIssued: number;
  private readonly state = new Map<string, PartitionProducerState>();

  public constructor(private readonly storage: Storage) {
    this.lastIssued = storage.loadProducerIdSequence();
  }

  public initProducerId(): { producerId: number; producerEpoch: number } {
    this.lastIssued += 1;
    this.storage.saveProducerIdSequence(this.lastIssued);
    return { producerId: this.lastIssued, producerEpoch: 0 };
  }

  /** Decides what to do with a batch from producer `pid` (>= 0) before it is appended. */
  public check(
    topic: string,
    partition: number,
    pid: number,
    epoch: number,
    baseSeq: number,
    count: number,
  ): SequenceCheck {
    const st = this.state.get(key(topic, partition, pid));
    const lastSeq = (baseSeq + count - 1) % 2 ** 31;
    if (!st) {
      if (baseSeq !== 0) {
        return {
          kind: 'error',
          errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          reason: `first sequence ${baseSeq}, expected 0`,
        };
      }
      return { kind: 'append' };
    }
    if (epoch < st.epoch) {
      return { kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, reason: `epoch ${epoch} < ${st.epoch}` };
    }
    if (epoch > st.epoch) {
      if (baseSeq !== 0) {
        return {
          kind: 'error',
          errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          reason: `new epoch must start at 0`,
        };
      }
      return { kind: 'append' };
    }
    const dup = st.recent.find((b) => b.firstSeq === baseSeq && b.lastSeq === lastSeq);
    if (dup) return { kind: 'duplicate', baseOffset: dup.baseOffset };
    const last = st.recent[st.recent.length - 1];
    const expected = last ? (last.lastSeq + 1) % 2 ** 31 : 0;
    if (baseSeq !== expected) {
      return {
        kind: 'error',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        reason: `sequence ${baseSeq}, expected ${expected}`,
      };
    }
    return { kind: 'append' };
  }

  /** Records an appended batch of an idempotent producer (also used to rebuild state from a log). */
  public record(topic: string, partition: number, batch: StoredBatch): void {
    if (batch.producerId < 0) return;
    const k = key(topic, partition, batch.producerId);
    let st = this.state.get(k);
    if (!st || batch.producerEpoch > st.epoch) {
      st = { epoch: batch.producerEpoch, recent: [] };
      this.state.set(k, st);
    }
    const count = batch.lastOffset - batch.baseOffset + 1;
    st.recent.push({
      firstSeq: batch.baseSequence,
      lastSeq: (batch.baseSequence + count - 1) % 2 ** 31,
      baseOffset: batch.baseOffset,
    });
    if (st.recent.length > WINDOW) st.recent.shift();
    if (batch.producerId > this.lastIssued) this.lastIssued = batch.producerId;
  }

  public forgetTopic(topic: string): void {
    const prefix = `${topic}\u0000`;
    for (const k of this.state.keys()) if (k.startsWith(prefix)) this.state.delete(k);
  }
}

function key(topic: string, partition: number, pid: number): string {
  return `${topic}\u0000${partition}\u0000${pid}`;
}
