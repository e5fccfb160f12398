// Injection tokens of the bus module. Services inject EventPublisher (the abstract class is its own token).
import { type Catalogue } from '../catalogue';
import { type HandlerRegistration } from '../handler';
import { type EventPublisher, type EventSubscriber } from '../ports';

/** Optional: a BusObserver (delivery outcomes, consumer lag) the Kafka bus reports to; the service kit provides it. */
export const BUS_OBSERVER = Symbol('flywheel.bus.observer');

/** The bus instance (Kafka or in-memory) behind both ports. */
export const EVENT_BUS = Symbol('flywheel.bus.event-bus');

/** What the Nest lifecycle needs of a bus, whichever transport it is. */
export interface ManagedEventBus extends EventPublisher<Catalogue>, EventSubscriber<Catalogue> {
  readonly catalogue: Catalogue;
  readonly config: { readonly groupId: string; readonly subscriptions: readonly string[] };
  handlers(): HandlerRegistration[];
  /** Stops consuming, then flushes and disconnects the producer. */
  close(): Promise<void>;
}
