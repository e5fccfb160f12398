// One consumer group's consume loop (kafkajs eachBatch, autoCommit off). Records of a partition are handled one at
// a time, in order; an offset is committed only after its record's final outcome (and, for a dead letter, only after
// the DLQ topic acknowledged it). Anything else (a crash, a kill, a failed DLQ publish) leaves it uncommitted, so it is
// delivered again: at-least-once. The records of one fetched batch share a commit (at its end, or every
// COMMIT_INTERVAL_MS within a long one): under load a batch holds many records, and a commit per record was a broker
// round trip per event for every consumer. A kill mid-batch redelivers that batch's handled records; handlers are
// idempotent.
import { type Consumer, type EachBatchPayload, type Kafka } from 'kafkajs';
import { type KafkaBusConfig } from '../config';
import { type DeadLetterRecord, type InboundRecord } from '../dead-letter';
import { type MessageDelivery } from '../delivery';
import { errorText } from '../errors';
import { type HandlerRegistration } from '../handler';
import { type BusObserver } from '../bus-observer';
import { type BusLogger } from '../logger';

/** Within one long batch, handled records are committed at least this often. */
const COMMIT_INTERVAL_MS = 1000;

export interface KafkaConsumerRunnerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly handlers: ReadonlyMap<string, HandlerRegistration>;
  readonly delivery: MessageDelivery;
  readonly sendDeadLetter: (deadLetter: DeadLetterRecord) => Promise<void>;
  readonly consumer: KafkaBusConfig['consumer'];
  readonly logger: BusLogger;
  readonly observer?: BusObserver;
}

export class KafkaConsumerRunner {
  private consumer: Consumer | undefined;
  private readonly shutdown = new AbortController();

  public constructor(private readonly o: KafkaConsumerRunnerOptions) {}

  public get groupId(): string {
    return this.o.groupId;
  }

  public async start(): Promise<void> {
    const c = this.o.consumer;
    const consumer = this.o.kafka.consumer({
      groupId: this.o.groupId,
      sessionTimeout: c.sessionTimeoutMs,
      rebalanceTimeout: c.rebalanceTimeoutMs,
      heartbeatInterval: c.heartbeatIntervalMs,
      maxWaitTimeInMs: c.maxWaitTimeMs,
      metadataMaxAge: c.metadataMaxAgeMs,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.o.logger.error(
        `consumer ${this.o.groupId} crashed (restart: ${String(payload.restart)}): ${errorText(payload.error)}`,
      );
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.o.handlers.keys()], fromBeginning: c.fromBeginning });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: c.partitionsConsumedConcurrently,
      // Offsets are resolved one record at a time, after its outcome; never a whole batch up front.
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** Stops fetching; the record in flight finishes (retry backoffs are cut short, uncommitted) and commits. */
  public async stop(): Promise<void> {
    this.shutdown.abort();
    await this.consumer?.disconnect();
  }

  private async eachBatch(p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    const rebalance = new AbortController();
    const interrupt = AbortSignal.any([this.shutdown.signal, rebalance.signal]);
    // kafkajs heartbeats only between records; a slow handler or a retry backoff would let the session expire.
    const keepAlive = setInterval(() => {
      p.heartbeat().catch(() => rebalance.abort());
    }, this.o.consumer.heartbeatIntervalMs);
    /** The offset after the last handled record, not committed yet. */
    let uncommitted: string | null = null;
    let committedAt = Date.now();
    const commit = async (): Promise<void> => {
      if (uncommitted === null) return;
      const offset = uncommitted;
      uncommitted = null;
      committedAt = Date.now();
      await p.commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset }] }],
      });
    };
    try {
      for (const message of batch.messages) {
        if (!p.isRunning() || p.isStale() || interrupt.aborted) break;
        const record: InboundRecord = {
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
          timestamp: message.timestamp,
        };
        const result = await this.o.delivery.deliver(record, this.o.handlers.get(batch.topic), interrupt);
        if (result.kind === 'abandoned') break;
        if (result.kind === 'dead-lettered') await this.sendDeadLetter(result.deadLetter);
        p.resolveOffset(message.offset);
        uncommitted = (BigInt(message.offset) + 1n).toString();
        if (Date.now() - committedAt >= COMMIT_INTERVAL_MS) await commit();
      }
      // A partition taken away meanwhile is another member's now: its records are delivered there again.
      if (!p.isStale()) await commit();
    } catch (err) {
      // The records handled before the failure are done: best effort, so fewer of them are delivered again.
      if (!p.isStale()) await commit().catch(() => undefined);
      throw err;
    } finally {
      clearInterval(keepAlive);
      // Behind the partition's end after this batch (kafkajs: high watermark − last resolved offset − 1).
      this.o.observer?.lag({
        topic: batch.topic,
        groupId: this.o.groupId,
        partition: batch.partition,
        records: Math.max(0, Number(batch.offsetLag())),
      });
    }
  }

  private async sendDeadLetter(deadLetter: DeadLetterRecord): Promise<void> {
    try {
      await this.o.sendDeadLetter(deadLetter);
    } catch (err) {
      // Not committed: kafkajs fetches the record again and the whole delivery repeats.
      const { topic, partition, offset } = deadLetter.source;
      this.o.logger.error(
        `${topic}[${partition}]@${offset}: publishing to ${deadLetter.topic} failed: ${errorText(err)}`,
      );
      throw err;
    }
  }
}
