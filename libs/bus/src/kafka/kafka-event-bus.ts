// The Kafka implementation of both ports: an idempotent producer (acks=-1) and one consumer runner per consumer
// group, Avro in the Confluent wire format with schemas from the registry.
import { type Kafka, type Producer } from 'kafkajs';
import { contractOf, type Catalogue, type PayloadOf, type TopicOf } from '../catalogue';
import { parseKafkaBusConfig, type KafkaBusConfig, type KafkaBusOptions } from '../config';
import { dlqTopicFor, type DeadLetterRecord } from '../dead-letter';
import { MessageDelivery } from '../delivery';
import { PublishError, errorText } from '../errors';
import { EventCodec, type SchemaSource } from '../event-codec';
import { type EventHandler, type HandlerRegistration, type SubscribeOptions } from '../handler';
import { HandlerRegistry } from '../handler-registry';
import { type BusObserver } from '../bus-observer';
import { type ConsumerLagOptions, type ConsumerLagSource, type PartitionLag } from '../consumer-lag';
import { defaultBusLogger, type BusLogger } from '../logger';
import { buildOutgoing, endPublishSpans, type OutgoingRecord } from '../outgoing';
import {
  type EventPublisher,
  type EventSubscriber,
  type OutgoingEvent,
  type PublishOptions,
  type PublishReceipt,
} from '../ports';
import { createKafka } from './kafka-client';
import { KafkaConsumerRunner } from './kafka-consumer-runner';
import { KafkaLagReader } from './kafka-lag-reader';
import { RegistrySchemaSource } from './registry-schema-source';

export interface KafkaEventBusDeps {
  readonly logger?: BusLogger;
  /** Replaces the schema registry client (tests). */
  readonly schemas?: SchemaSource;
  /** Delivery outcomes and consumer lag, for the service's metrics. */
  readonly observer?: BusObserver;
}

type State = 'idle' | 'consuming' | 'stopped' | 'closed';

export class KafkaEventBus<C extends Catalogue> implements EventPublisher<C>, EventSubscriber<C>, ConsumerLagSource {
  public readonly config: KafkaBusConfig;
  public readonly catalogue: C;
  private readonly logger: BusLogger;
  private readonly observer: BusObserver | undefined;
  private readonly kafka: Kafka;
  private readonly codec: EventCodec;
  private readonly schemas: SchemaSource;
  private readonly registry: HandlerRegistry;
  private readonly producer: Producer;
  private readonly lagReader: KafkaLagReader;
  private producerReady: Promise<void> | undefined;
  private runners: KafkaConsumerRunner[] = [];
  private state: State = 'idle';

  public constructor(options: KafkaBusOptions<C>, deps: KafkaEventBusDeps = {}) {
    const { catalogue, ...config } = options;
    this.config = parseKafkaBusConfig(config, catalogue);
    this.catalogue = catalogue;
    this.logger = deps.logger ?? defaultBusLogger();
    this.observer = deps.observer;
    this.kafka = createKafka(this.config, this.logger);
    const schemas =
      deps.schemas ?? RegistrySchemaSource.connect(this.config.schemaRegistry.url, this.config.kafka.clientId);
    this.codec = new EventCodec(catalogue, schemas);
    this.schemas = schemas;
    this.registry = new HandlerRegistry(catalogue, this.config.groupId);
    this.lagReader = new KafkaLagReader(this.kafka);
    this.producer = this.kafka.producer({
      idempotent: true,
      // One request in flight keeps order across the producer's own retries.
      maxInFlightRequests: 1,
      retry: {
        initialRetryTime: this.config.kafka.retry.initialRetryTimeMs,
        maxRetryTime: this.config.kafka.retry.maxRetryTimeMs,
        retries: this.config.kafka.retry.retries,
      },
    });
  }

  public subscribe<T extends TopicOf<C>>(
    topic: T,
    handler: EventHandler<PayloadOf<C, T>>,
    options?: SubscribeOptions,
  ): void {
    this.registry.add(topic, handler as EventHandler<unknown>, options);
  }

  public handlers(): HandlerRegistration[] {
    return this.registry.all();
  }

  /** Connects the producer, registers every catalogue schema, creates the DLQ topics, then starts consuming. */
  public async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.registry.seal();
    await this.connectProducer();
    const groups = this.registry.groupIds();
    if (groups.length === 0) {
      this.state = 'consuming';
      return;
    }
    await this.ensureDeadLetterTopics(groups);
    for (const groupId of groups) {
      const runner = new KafkaConsumerRunner({
        kafka: this.kafka,
        groupId,
        handlers: this.registry.handlersOf(groupId),
        delivery: new MessageDelivery({
          groupId,
          catalogue: this.catalogue,
          codec: this.codec,
          retry: this.config.retry,
          handlerTimeoutMs: this.config.handlerTimeoutMs,
          logger: this.logger,
          observer: this.observer,
        }),
        sendDeadLetter: (dl) => this.sendDeadLetter(dl),
        consumer: this.config.consumer,
        logger: this.logger,
        observer: this.observer,
      });
      this.runners.push(runner);
    }
    this.state = 'consuming';
    await Promise.all(this.runners.map((r) => r.start()));
  }

  /** Stops consuming: in-flight handlers finish and commit. The producer stays up for close(). */
  public async stop(): Promise<void> {
    if (this.state !== 'consuming') return;
    this.state = 'stopped';
    await Promise.all(this.runners.map((r) => r.stop()));
  }

  /** stop(), then flush and disconnect the producer. */
  public async close(): Promise<void> {
    await this.stop();
    if (this.state === 'closed') return;
    this.state = 'closed';
    await this.lagReader.close();
    if (this.producerReady !== undefined) await this.producer.disconnect();
  }

  /** Lag of every group this bus consumes for, from the broker's committed offsets; none unless consuming. */
  public consumerLag(options: ConsumerLagOptions): Promise<readonly PartitionLag[]> {
    if (this.state !== 'consuming') return Promise.resolve([]);
    const targets = this.runners.map((r) => ({
      groupId: r.groupId,
      topics: [...this.registry.handlersOf(r.groupId).keys()],
      fromBeginning: this.config.consumer.fromBeginning,
    }));
    return this.lagReader.read(targets, options.timeoutMs);
  }

  public async publish<T extends TopicOf<C>>(
    topic: T,
    payload: PayloadOf<C, T>,
    options?: PublishOptions,
  ): Promise<PublishReceipt> {
    const record = await this.prepare(topic, payload, options);
    const [meta] = await this.sendTraced([record], topic, () =>
      this.producer.send({ topic, acks: -1, messages: [this.toMessage(record)] }),
    );
    return { topic, partition: meta?.partition ?? -1, offset: meta?.baseOffset ?? '-1' };
  }

  public async publishMany(events: readonly OutgoingEvent<C>[]): Promise<void> {
    if (events.length === 0) return;
    const records = await prepareAll(events.map((e) => this.prepare(e.topic, e.payload, e.options)));
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const r of records) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
    const topics = [...byTopic.keys()].join(', ');
    await this.sendTraced(records, topics, () =>
      this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, rs]) => ({ topic, messages: rs.map((r) => this.toMessage(r)) })),
      }),
    );
  }

  private async prepare(topic: string, payload: unknown, options?: PublishOptions): Promise<OutgoingRecord> {
    if (this.state === 'closed') throw new PublishError(topic, 'the event bus is closed');
    await this.connectProducer().catch((err: unknown) => {
      throw new PublishError(topic, errorText(err), { cause: err });
    });
    return buildOutgoing(this.catalogue, this.codec, topic, payload, options, this.config.validateOnPublish);
  }

  private toMessage(r: OutgoingRecord): { key: string; value: Buffer; headers: Record<string, string> } {
    return { key: r.key, value: r.value, headers: r.headers };
  }

  private async sendTraced<R>(records: readonly OutgoingRecord[], what: string, fn: () => Promise<R>): Promise<R> {
    try {
      const result = await fn();
      endPublishSpans(records);
      return result;
    } catch (err) {
      endPublishSpans(records, err);
      throw new PublishError(what, errorText(err), { cause: err });
    }
  }

  private connectProducer(): Promise<void> {
    this.producerReady ??= (async () => {
      await this.producer.connect();
      await this.ensureCatalogueTopics();
      // Registering every contract up front fails the boot on an incompatible schema, not the first publish.
      await Promise.all(Object.keys(this.catalogue).map((t) => this.schemas.idFor(contractOf(this.catalogue, t))));
    })().catch((err: unknown) => {
      this.producerReady = undefined;
      throw err;
    });
    return this.producerReady;
  }

  private async ensureCatalogueTopics(): Promise<void> {
    if (!this.config.topics.createMissing) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = Object.keys(this.catalogue).filter((t) => !existing.has(t));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: this.config.topics.partitions })),
        });
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async ensureDeadLetterTopics(groups: string[]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = groups.map(dlqTopicFor).filter((t) => !existing.has(t));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: this.config.deadLetter.partitions })),
        });
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async sendDeadLetter(dl: DeadLetterRecord): Promise<void> {
    await this.producer.send({
      topic: dl.topic,
      acks: -1,
      messages: [{ key: dl.key, value: dl.value, headers: dl.headers }],
    });
  }
}

/** Like Promise.all, but when one event fails to prepare, the others' publish spans still end (as failed). */
async function prepareAll(pending: Promise<OutgoingRecord>[]): Promise<OutgoingRecord[]> {
  const settled = await Promise.allSettled(pending);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const records = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (failed === undefined) return records;
  endPublishSpans(records, failed.reason);
  throw failed.reason;
}
