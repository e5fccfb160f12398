// The in-memory twin of the Kafka bus, for fast unit tests of services. Same contract checks, Avro encoding,
// keys, headers, handler outcomes, retries and dead letters; no broker. Each topic is one in-memory partition;
// each consumer group reads it in order. `await bus.drain()` waits until every group has caught up.
import { type Catalogue, type PayloadOf, type TopicOf } from '../catalogue';
import { parseMemoryBusConfig, type MemoryBusConfig, type MemoryBusOptions } from '../config';
import { type ConsumerLagSource, type PartitionLag } from '../consumer-lag';
import { type DeadLetterRecord, type InboundRecord } from '../dead-letter';
import { MessageDelivery, type DeliveryResult } from '../delivery';
import { PublishError, errorText } from '../errors';
import { EventCodec } from '../event-codec';
import { type EventHandler, type HandlerRegistration, type SubscribeOptions } from '../handler';
import { HandlerRegistry } from '../handler-registry';
import { type RawHeaders } from '../headers';
import { type BusLogger } from '../logger';
import { buildOutgoing, endPublishSpans } from '../outgoing';
import {
  type EventPublisher,
  type EventSubscriber,
  type OutgoingEvent,
  type PublishOptions,
  type PublishReceipt,
} from '../ports';
import { LocalSchemaSource } from './local-schema-source';

export interface PublishedEvent {
  readonly topic: string;
  readonly key: string;
  readonly payload: unknown;
  readonly headers: Readonly<Record<string, string>>;
  readonly offset: string;
}

export interface DeliveryLogEntry {
  readonly groupId: string;
  readonly topic: string;
  readonly offset: string;
  readonly handler: string;
  readonly result: DeliveryResult;
}

const SILENT: BusLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

export class MemoryEventBus<C extends Catalogue> implements EventPublisher<C>, EventSubscriber<C>, ConsumerLagSource {
  public readonly config: MemoryBusConfig;
  /** Every event published through this bus, in order. */
  public readonly published: PublishedEvent[] = [];
  /** Every dead letter, as it would have been written to `<groupId>.dlq`. */
  public readonly deadLetters: DeadLetterRecord[] = [];
  /** The final result of every record each group consumed. */
  public readonly deliveries: DeliveryLogEntry[] = [];
  /** The twin's schema ids; register older writer schemas here to test evolution. */
  public readonly schemas = new LocalSchemaSource();

  private readonly codec: EventCodec;
  private readonly registry: HandlerRegistry;
  private readonly logs = new Map<string, InboundRecord[]>();
  private readonly cursors = new Map<string, number>();
  private readonly deliveryByGroup = new Map<string, MessageDelivery>();
  private readonly shutdown = new AbortController();
  private pumping: Promise<void> | undefined;
  private pumpError: Error | undefined;
  private consuming = false;

  public constructor(
    public readonly catalogue: C,
    options: MemoryBusOptions = {},
    private readonly logger: BusLogger = SILENT,
  ) {
    this.config = parseMemoryBusConfig(options, catalogue);
    this.codec = new EventCodec(catalogue, this.schemas);
    this.registry = new HandlerRegistry(catalogue, this.config.groupId);
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

  public start(): Promise<void> {
    if (this.consuming || this.shutdown.signal.aborted) return Promise.resolve();
    this.registry.seal();
    this.consuming = true;
    this.schedule();
    return Promise.resolve();
  }

  /** Stops delivering; a record in flight finishes first (retry backoffs are cut short). */
  public async stop(): Promise<void> {
    this.consuming = false;
    this.shutdown.abort();
    await this.pumping;
  }

  public close(): Promise<void> {
    return this.stop();
  }

  public async publish<T extends TopicOf<C>>(
    topic: T,
    payload: PayloadOf<C, T>,
    options?: PublishOptions,
  ): Promise<PublishReceipt> {
    const out = await buildOutgoing(this.catalogue, this.codec, topic, payload, options, this.config.validateOnPublish);
    const offset = this.append(topic, Buffer.from(out.key), out.value, out.headers);
    endPublishSpans([out]);
    this.published.push({ topic, key: out.key, payload, headers: out.headers, offset });
    return { topic, partition: 0, offset };
  }

  /** Like Kafka's sendBatch: every event is checked and encoded before any is appended. */
  public async publishMany(events: readonly OutgoingEvent<C>[]): Promise<void> {
    const outs = await Promise.all(
      events.map((e) =>
        buildOutgoing(this.catalogue, this.codec, e.topic, e.payload, e.options, this.config.validateOnPublish),
      ),
    );
    outs.forEach((out, i) => {
      const offset = this.append(out.topic, Buffer.from(out.key), out.value, out.headers);
      this.published.push({
        topic: out.topic,
        key: out.key,
        payload: events[i]?.payload,
        headers: out.headers,
        offset,
      });
    });
    endPublishSpans(outs);
  }

  /** Appends raw bytes as a foreign (or broken) producer would: for testing the decode and dead-letter paths. */
  public publishRaw(topic: string, value: Buffer | null, options: { key?: string; headers?: RawHeaders } = {}): void {
    if (!Object.prototype.hasOwnProperty.call(this.catalogue, topic)) {
      throw new PublishError(topic, 'not in the event catalogue');
    }
    this.append(topic, options.key === undefined ? null : Buffer.from(options.key), value, options.headers ?? {});
  }

  /** Wire bytes of a payload (schema-checked, not contract-validated): with publishRaw, a foreign producer. */
  public async encodeRaw<T extends TopicOf<C>>(topic: T, payload: PayloadOf<C, T>): Promise<Buffer> {
    return (await this.codec.encode(topic, payload)).value;
  }

  /** Resolves once every group has consumed everything published so far (including what handlers publish). */
  public async drain(): Promise<void> {
    while (this.pumping !== undefined) await this.pumping;
    if (this.pumpError !== undefined) {
      const err = this.pumpError;
      this.pumpError = undefined;
      throw err;
    }
  }

  /** Like Kafka's: records of each subscribed topic after the group's cursor (the one in flight included). */
  public consumerLag(): Promise<readonly PartitionLag[]> {
    if (!this.consuming) return Promise.resolve([]);
    return Promise.resolve(
      this.registry.all().map((r) => ({
        groupId: r.groupId,
        topic: r.topic,
        partition: 0,
        records: (this.logs.get(r.topic)?.length ?? 0) - (this.cursors.get(`${r.groupId}\u0000${r.topic}`) ?? 0),
      })),
    );
  }

  /** Payloads published to one topic, in order: the usual assertion in a service's unit test. */
  public publishedTo<T extends TopicOf<C>>(topic: T): PayloadOf<C, T>[] {
    return this.published.filter((e) => e.topic === topic).map((e) => e.payload as PayloadOf<C, T>);
  }

  private append(topic: string, key: Buffer | null, value: Buffer | null, headers: RawHeaders): string {
    const log = this.logs.get(topic) ?? [];
    const offset = String(log.length);
    log.push({ topic, partition: 0, offset, key, value, headers, timestamp: String(Date.now()) });
    this.logs.set(topic, log);
    this.schedule();
    return offset;
  }

  private schedule(): void {
    if (!this.consuming || this.pumping !== undefined) return;
    this.pumping = this.pump()
      .catch((err: unknown) => {
        this.pumpError = err instanceof Error ? err : new Error(errorText(err));
      })
      .finally(() => {
        this.pumping = undefined;
        // Something appended between the last scan and now would otherwise wait for the next publish.
        if (this.nextPending() !== undefined) this.schedule();
      });
  }

  private async pump(): Promise<void> {
    // Yield first, so publish() returns before its event is handled (as with a broker).
    await Promise.resolve();
    for (let next = this.nextPending(); next !== undefined && this.consuming; next = this.nextPending()) {
      const { registration, record, cursorKey } = next;
      const result = await this.deliveryFor(registration.groupId).deliver(record, registration, this.shutdown.signal);
      if (result.kind === 'abandoned') return;
      if (result.kind === 'dead-lettered') this.deadLetters.push(result.deadLetter);
      this.deliveries.push({
        groupId: registration.groupId,
        topic: record.topic,
        offset: record.offset,
        handler: registration.name,
        result,
      });
      this.cursors.set(cursorKey, Number(record.offset) + 1);
    }
  }

  private nextPending(): { registration: HandlerRegistration; record: InboundRecord; cursorKey: string } | undefined {
    for (const registration of this.registry.all()) {
      const cursorKey = `${registration.groupId}\u0000${registration.topic}`;
      const record = this.logs.get(registration.topic)?.[this.cursors.get(cursorKey) ?? 0];
      if (record !== undefined) return { registration, record, cursorKey };
    }
    return undefined;
  }

  private deliveryFor(groupId: string): MessageDelivery {
    let delivery = this.deliveryByGroup.get(groupId);
    if (delivery === undefined) {
      delivery = new MessageDelivery({
        groupId,
        catalogue: this.catalogue,
        codec: this.codec,
        retry: this.config.retry,
        handlerTimeoutMs: this.config.handlerTimeoutMs,
        logger: this.logger,
      });
      this.deliveryByGroup.set(groupId, delivery);
    }
    return delivery;
  }
}
