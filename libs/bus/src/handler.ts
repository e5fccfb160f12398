// What a handler sees and returns.
import { type Outcome } from './outcome';

export interface EventMeta {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** Record headers as text (trace context included). */
  readonly headers: Readonly<Record<string, string>>;
  readonly eventId: string | undefined;
  readonly schemaId: number;
  readonly groupId: string;
  /** 1 on first delivery; handlers must be idempotent, since any attempt may be a repeat. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Aborted when this attempt times out: long-running work should stop early. */
  readonly signal: AbortSignal;
}

export type EventHandler<P> = (payload: P, meta: EventMeta) => Outcome | Promise<Outcome>;

export interface SubscribeOptions {
  /** Consumer group; defaults to the bus's groupId. Each group consumes (and dead-letters) independently. */
  readonly groupId?: string;
  /** Shown in the boot wiring log and DLQ triage, e.g. 'DatasetBuilder.onLogIngested'. */
  readonly name?: string;
}

export interface HandlerRegistration {
  readonly topic: string;
  readonly groupId: string;
  readonly name: string;
  readonly handler: EventHandler<unknown>;
}
