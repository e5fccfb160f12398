// A consumer that hands whole batches to its handlers, for high-volume intake where one store write per batch
// matters (the log-ingester). Per kafkajs batch (one topic-partition, offset order): records over the size limit and
// records that do not decode or fail their contract are dead-lettered by the consumer; the rest go to the handler in
// one call; the handler's rejections are dead-lettered too (acks=-1); only then is `last offset + 1` committed.
// A handler that throws has the same batch offered again after a capped backoff while the consumer keeps its group
// membership alive, so nothing is fetched for that partition meanwhile (backpressure) and nothing is committed.
// Stopping lets the batch in hand finish (handler, dead letters, commit); a backoff wait is cut short and its batch
// left uncommitted, to be delivered again.
import { context } from '@opentelemetry/api';
import { type Consumer, type EachBatchPayload, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import {
  parseKafkaBatchConsumerConfig,
  type KafkaBatchConsumerConfig,
  type KafkaBatchConsumerOptions,
} from '../batch/batch-config';
import {
  type BatchConsumerState,
  type BatchConsumerStatus,
  type BatchContext,
  type BatchHandler,
  type BatchRejection,
  type BatchResult,
  type EventRecord,
} from '../batch/batch-handler';
import { contractOf, type Catalogue, type PayloadOf, type TopicOf } from '../catalogue';
import { type ConsumerLagOptions, type ConsumerLagSource, type PartitionLag } from '../consumer-lag';
import { buildDeadLetter, dlqTopicFor, type DeadLetterRecord, type InboundRecord } from '../dead-letter';
import { BusConfigError, DecodeError, errorText } from '../errors';
import { EventCodec, type SchemaSource } from '../event-codec';
import { defaultBusLogger, type BusLogger } from '../logger';
import { backoffDelayMs, sleep } from '../retry-policy';
import { startBatchSpan } from '../tracing/bus-spans';
import { createKafka } from './kafka-client';
import { KafkaLagReader } from './kafka-lag-reader';
import { RegistrySchemaSource } from './registry-schema-source';

export interface KafkaBatchConsumerDeps {
  readonly logger?: BusLogger;
  /** Replaces the schema registry client (tests). */
  readonly schemas?: SchemaSource;
  /** Called for each dead letter once the DLQ topic acknowledged it (metrics). */
  readonly onDeadLetter?: (deadLetter: DeadLetterRecord) => void;
  readonly now?: () => Date;
}

type Subscription =
  | { readonly kind: 'event'; readonly handler: BatchHandler<EventRecord<unknown>> }
  | { readonly kind: 'raw'; readonly handler: BatchHandler<InboundRecord> };

export class KafkaBatchConsumer<C extends Catalogue> implements ConsumerLagSource {
  public readonly config: KafkaBatchConsumerConfig;
  public readonly catalogue: C;
  private readonly logger: BusLogger;
  private readonly kafka: Kafka;
  private readonly codec: EventCodec;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly shutdown = new AbortController();
  private readonly lagReader: KafkaLagReader;
  private consumers: Consumer[] = [];
  private starting: Promise<void> | undefined;
  private producer: Producer | undefined;
  private state: BatchConsumerState = 'idle';
  private failedAttempts = 0;
  private lastError: string | null = null;

  public constructor(
    options: KafkaBatchConsumerOptions<C>,
    private readonly deps: KafkaBatchConsumerDeps = {},
  ) {
    const { catalogue, ...config } = options;
    this.config = parseKafkaBatchConsumerConfig(config);
    this.catalogue = catalogue;
    this.logger = deps.logger ?? defaultBusLogger('BatchConsumer');
    this.kafka = createKafka(this.config, this.logger);
    this.lagReader = new KafkaLagReader(this.kafka);
    this.codec = new EventCodec(
      catalogue,
      deps.schemas ?? RegistrySchemaSource.connect(this.config.schemaRegistry.url, this.config.kafka.clientId),
    );
  }

  /** Batches of a catalogue topic: Avro-decoded, contract-checked payloads. Before start(). */
  public consumeEvents<T extends TopicOf<C>>(topic: T, handler: BatchHandler<EventRecord<PayloadOf<C, T>>>): void {
    contractOf(this.catalogue, topic); // throws BusConfigError for a topic outside the catalogue
    this.add(topic, { kind: 'event', handler: handler as BatchHandler<EventRecord<unknown>> });
  }

  /** Batches of any topic as raw records (bytes, headers): for topics outside the Avro catalogue. Before start(). */
  public consumeRaw(topic: string, handler: BatchHandler<InboundRecord>): void {
    this.add(topic, { kind: 'raw', handler });
  }

  public status(): BatchConsumerStatus {
    return { state: this.state, failedAttempts: this.failedAttempts, lastError: this.lastError };
  }

  /**
   * Lag of this consumer's group from the broker's committed offsets: it keeps growing while a batch is held back
   * (a failing store), when no new batch would report it. None before start() or once stopping.
   */
  public consumerLag(options: ConsumerLagOptions): Promise<readonly PartitionLag[]> {
    if (this.state === 'idle' || this.state === 'stopping' || this.state === 'stopped') return Promise.resolve([]);
    const target = {
      groupId: this.config.groupId,
      topics: [...this.subscriptions.keys()],
      fromBeginning: this.config.consumer.fromBeginning,
    };
    return this.lagReader.read([target], options.timeoutMs);
  }

  /** Connects, creates the DLQ (and, if configured, missing subscribed topics), joins the group and consumes. */
  public start(): Promise<void> {
    if (this.state !== 'idle' && this.state !== 'crashed') return this.starting ?? Promise.resolve();
    if (this.shutdown.signal.aborted) return Promise.resolve();
    this.starting = this.connectAndRun();
    return this.starting;
  }

  private async connectAndRun(): Promise<void> {
    if (this.subscriptions.size === 0) throw new BusConfigError(['batch consumer: nothing to consume']);
    this.state = 'starting';
    await this.disconnectConsumers(); // what a crash left behind
    try {
      this.producer ??= this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await this.producer.connect();
      await this.ensureTopics();
      if (this.shutdown.signal.aborted) return; // stop() came while starting
      this.consumers = Array.from({ length: this.config.fetch.members }, () => this.newConsumer());
      for (const consumer of this.consumers) {
        await consumer.connect();
        await consumer.subscribe({
          topics: [...this.subscriptions.keys()],
          fromBeginning: this.config.consumer.fromBeginning,
        });
      }
      this.state = 'joining';
      for (const consumer of this.consumers) {
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: this.config.fetch.partitionsConsumedConcurrently,
          eachBatch: (payload) => this.eachBatch(payload),
        });
      }
    } catch (err) {
      this.lastError = errorText(err);
      await this.disconnectConsumers();
      if (this.shutdown.signal.aborted) return;
      this.state = 'idle';
      throw err;
    }
  }

  /** Stops fetching, lets the batch in hand finish and commit, leaves the group, disconnects. */
  public async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    this.shutdown.abort();
    await this.starting?.catch(() => undefined);
    try {
      await Promise.all(this.consumers.map((c) => c.disconnect()));
    } finally {
      await this.producer?.disconnect().catch(() => undefined);
      await this.lagReader.close();
      this.state = 'stopped';
    }
  }

  private add(topic: string, subscription: Subscription): void {
    if (this.state !== 'idle') throw new BusConfigError([`batch consumer: subscribe to '${topic}' before start()`]);
    if (this.subscriptions.has(topic)) throw new BusConfigError([`batch consumer: '${topic}' has two handlers`]);
    this.subscriptions.set(topic, subscription);
  }

  private async disconnectConsumers(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.disconnect().catch(() => undefined)));
    this.consumers = [];
  }

  private newConsumer(): Consumer {
    const c = this.config.consumer;
    const consumer = this.kafka.consumer({
      groupId: this.config.groupId,
      sessionTimeout: c.sessionTimeoutMs,
      rebalanceTimeout: c.rebalanceTimeoutMs,
      heartbeatInterval: c.heartbeatIntervalMs,
      maxWaitTimeInMs: c.maxWaitTimeMs,
      metadataMaxAge: c.metadataMaxAgeMs,
      maxBytes: this.config.fetch.maxBytes,
      maxBytesPerPartition: this.config.fetch.maxBytesPerPartition,
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.state === 'joining' || this.state === 'crashed') this.state = 'running';
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.lastError = errorText(payload.error);
      this.logger.error(
        `batch consumer ${this.config.groupId} crashed (restart: ${String(payload.restart)}): ${this.lastError}`,
      );
      if (this.state !== 'stopping' && this.state !== 'stopped') this.state = payload.restart ? 'joining' : 'crashed';
    });
    return consumer;
  }

  private async ensureTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const wanted = [{ topic: dlqTopicFor(this.config.groupId), numPartitions: this.config.deadLetter.partitions }];
      if (this.config.topics.createMissing) {
        for (const topic of this.subscriptions.keys()) {
          wanted.push({ topic, numPartitions: this.config.topics.partitions });
        }
      }
      const missing = wanted.filter((t) => !existing.has(t.topic));
      if (missing.length > 0) await admin.createTopics({ waitForLeaders: true, topics: missing });
    } finally {
      await admin.disconnect();
    }
  }

  private async eachBatch(p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    const last = batch.messages.at(-1);
    const subscription = this.subscriptions.get(batch.topic);
    if (last === undefined || subscription === undefined) return;
    const rebalance = new AbortController();
    const interrupt = AbortSignal.any([this.shutdown.signal, rebalance.signal]);
    // kafkajs heartbeats only between batches; a slow store or a backoff must not let the session expire.
    const keepAlive = setInterval(() => {
      p.heartbeat().catch(() => rebalance.abort());
    }, this.config.consumer.heartbeatIntervalMs);
    // One span per batch, never per record: this path carries the log topics' full volume.
    const span = startBatchSpan({
      topic: batch.topic,
      partition: batch.partition,
      groupId: this.config.groupId,
      count: batch.messages.length,
      firstOffset: batch.firstOffset() ?? last.offset,
    });
    let attempts = 0;
    try {
      const records = batch.messages.map((m) => toInbound(batch.topic, batch.partition, m));
      for (let attempt = 1; ; attempt++) {
        attempts = attempt;
        if (!p.isRunning() || p.isStale()) {
          span.end('abandoned', attempt - 1);
          return;
        }
        try {
          await context.with(span.context, () => this.handle(subscription, records, attempt));
          break;
        } catch (err) {
          this.failedAttempts = attempt;
          this.lastError = errorText(err);
          if (this.state === 'running') this.state = 'retrying';
          const delay = backoffDelayMs({ ...this.config.retry, maxAttempts: Number.MAX_SAFE_INTEGER }, attempt);
          this.logger.warn(
            `${batch.topic}[${batch.partition}]@${batch.firstOffset() ?? '?'}..${last.offset}: attempt ${attempt} ` +
              `failed (${this.lastError}); offered again in ${delay} ms`,
          );
          span.retrying(attempt, this.lastError);
          if (!(await sleep(delay, interrupt))) {
            span.end('abandoned', attempt, this.lastError); // shutdown or rebalance: left uncommitted
            return;
          }
        }
      }
      if (this.state === 'retrying') this.state = 'running';
      this.failedAttempts = 0;
      p.resolveOffset(last.offset);
      const next = (BigInt(last.offset) + 1n).toString();
      await p.commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
      });
      span.end('processed', attempts);
    } catch (err) {
      span.fail(err);
      throw err;
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** One attempt: screen, hand over, dead-letter. Throws when the batch must be offered again. */
  private async handle(subscription: Subscription, records: InboundRecord[], attempt: number): Promise<void> {
    const rejected: BatchRejection[] = [];
    const sized = this.screenSize(records, rejected);
    let result: BatchResult;
    if (subscription.kind === 'raw') {
      result = sized.length > 0 ? await this.invoke(subscription.handler, sized, attempt) : { rejected: [] };
    } else {
      const decoded = await this.decode(sized, rejected);
      result = decoded.length > 0 ? await this.invoke(subscription.handler, decoded, attempt) : { rejected: [] };
    }
    // In offset order, whoever rejected them, so the DLQ reads like the source partition.
    const all = [...rejected, ...result.rejected].sort((a, b) => compareOffsets(a.record.offset, b.record.offset));
    const deadLetters = all.map((r) =>
      buildDeadLetter({
        groupId: this.config.groupId,
        record: r.record,
        reason: r.reason,
        error: r.error,
        attempts: 0,
        schemaId: r.schemaId ?? schemaIdOf(r.record),
        failedAt: this.deps.now?.() ?? new Date(),
      }),
    );
    if (deadLetters.length > 0) await this.sendDeadLetters(deadLetters);
  }

  private screenSize(records: InboundRecord[], rejected: BatchRejection[]): InboundRecord[] {
    const max = this.config.maxValueBytes;
    if (max === undefined) return records;
    return records.filter((record) => {
      const size = record.value?.length ?? 0;
      if (size <= max) return true;
      rejected.push({
        record,
        reason: 'decode:too-large',
        error: `record value is ${size} bytes, over the limit of ${max} bytes`,
      });
      return false;
    });
  }

  private async decode(records: InboundRecord[], rejected: BatchRejection[]): Promise<EventRecord<unknown>[]> {
    const out: EventRecord<unknown>[] = [];
    for (const record of records) {
      let decoded;
      try {
        decoded = await this.codec.decode(record.topic, record.value);
      } catch (err) {
        // Anything but a DecodeError (the registry is down) is transient: the whole batch is offered again.
        if (!(err instanceof DecodeError)) throw err;
        rejected.push({ record, reason: `decode:${err.kind}`, error: err.message, schemaId: err.schemaId });
        continue;
      }
      const withPayload: EventRecord<unknown> = { ...record, payload: decoded.payload, schemaId: decoded.schemaId };
      const problems = this.validate(record.topic, decoded.payload);
      if (problems.length > 0) {
        rejected.push({
          record: withPayload,
          reason: 'decode:invalid-payload',
          error: `payload fails validation of '${record.topic}': ${problems.join('; ')}`,
        });
      } else {
        out.push(withPayload);
      }
    }
    return out;
  }

  private validate(topic: string, payload: unknown): string[] {
    try {
      return contractOf(this.catalogue, topic).validate(payload);
    } catch (err) {
      return [`validate threw ${errorText(err)}`];
    }
  }

  private async invoke<R>(handler: BatchHandler<R>, records: R[], attempt: number): Promise<BatchResult> {
    const timeout = new AbortController();
    const context: BatchContext = { attempt, signal: timeout.signal };
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timeout.abort();
        reject(new Error(`batch handler did not finish within ${this.config.handlerTimeoutMs} ms`));
      }, this.config.handlerTimeoutMs);
    });
    try {
      return await Promise.race([handler(records, context), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async sendDeadLetters(deadLetters: DeadLetterRecord[]): Promise<void> {
    const producer = this.producer;
    if (producer === undefined) throw new Error('batch consumer: no producer');
    // A bad record is the producer's problem, not a fault of this service: warn, with the reason.
    for (const dl of deadLetters) {
      this.logger.warn(
        `${dl.source.topic}[${dl.source.partition}]@${dl.source.offset}: dead-lettered to ${dl.topic} ` +
          `(${dl.reason}): ${dl.error}`,
      );
    }
    const topic = dlqTopicFor(this.config.groupId);
    await producer.send({
      topic,
      acks: -1,
      messages: deadLetters.map((dl) => ({ key: dl.key, value: dl.value, headers: dl.headers })),
    });
    for (const dl of deadLetters) this.deps.onDeadLetter?.(dl);
  }
}

function toInbound(topic: string, partition: number, m: KafkaMessage): InboundRecord {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key,
    value: m.value,
    headers: m.headers ?? {},
    timestamp: m.timestamp,
  };
}

function compareOffsets(a: string, b: string): number {
  const d = BigInt(a) - BigInt(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

function schemaIdOf(record: InboundRecord): number | undefined {
  return 'schemaId' in record && typeof record.schemaId === 'number' ? record.schemaId : undefined;
}
