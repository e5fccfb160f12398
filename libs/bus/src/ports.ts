// The bus's ports. Services depend on these abstract classes (they double as Nest injection tokens); Kafka and the
// in-memory twin implement them.
import { type Catalogue, type PayloadOf, type TopicOf } from './catalogue';
import { type EventHandler, type SubscribeOptions } from './handler';

export interface PublishOptions {
  /** Sent as the `event-id` header; defaults to the payload's `eventId` field when it has one. */
  readonly eventId?: string;
  /** Extra headers (the bus's own headers win on a clash). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface PublishReceipt {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export type OutgoingEvent<C extends Catalogue> = {
  [T in TopicOf<C>]: { readonly topic: T; readonly payload: PayloadOf<C, T>; readonly options?: PublishOptions };
}[TopicOf<C>];

export abstract class EventPublisher<C extends Catalogue = Catalogue> {
  /** Resolves once the broker has acknowledged the record on all in-sync replicas (acks=-1). */
  public abstract publish<T extends TopicOf<C>>(
    topic: T,
    payload: PayloadOf<C, T>,
    options?: PublishOptions,
  ): Promise<PublishReceipt>;

  /** Several events in one round trip; resolves when all are acknowledged, rejects if any is not. */
  public abstract publishMany(events: readonly OutgoingEvent<C>[]): Promise<void>;
}

export abstract class EventSubscriber<C extends Catalogue = Catalogue> {
  /** Registers the one handler of `topic` in its consumer group; only before start(). */
  public abstract subscribe<T extends TopicOf<C>>(
    topic: T,
    handler: EventHandler<PayloadOf<C, T>>,
    options?: SubscribeOptions,
  ): void;

  /** Starts consuming every subscribed topic. */
  public abstract start(): Promise<void>;

  /** Stops fetching, lets in-flight handlers finish and commits their offsets. */
  public abstract stop(): Promise<void>;
}
