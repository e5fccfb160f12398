// @OnEvent(topic) marks a provider method as the handler of a topic; BusModule finds it at boot.
import 'reflect-metadata';
import { type Catalogue, type PayloadOf, type TopicOf } from '../catalogue';
import { type EventMeta } from '../handler';
import { type Outcome } from '../outcome';

export const ON_EVENT_METADATA = 'flywheel.bus.on-event';

export interface OnEventOptions {
  /** Consumer group of this handler; defaults to the module's groupId. */
  readonly groupId?: string;
}

export interface OnEventMetadata extends OnEventOptions {
  readonly topic: string;
}

/** Any handler method: payload type up to the method, an explicit Outcome required. */
export type EventHandlerMethod = (payload: never, meta: EventMeta) => Outcome | Promise<Outcome>;

/** Generic over the method's own type, so TypedPropertyDescriptor's invariance does not reject narrower handlers. */
type HandlerDecorator<Bound> = <F extends Bound>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<F>,
) => void;

export function OnEvent(topic: string, options: OnEventOptions = {}): HandlerDecorator<EventHandlerMethod> {
  return (_target, _key, descriptor) => {
    const method = descriptor.value;
    if (method === undefined) return;
    // A method may handle several topics; each @OnEvent adds one entry.
    const existing = (Reflect.getMetadata(ON_EVENT_METADATA, method) as OnEventMetadata[] | undefined) ?? [];
    Reflect.defineMetadata(ON_EVENT_METADATA, [...existing, { topic, ...options }], method);
  };
}

/**
 * A catalogue-typed @OnEvent: the topic must be in the catalogue and the method's payload parameter must accept
 * that topic's payload. `export const OnFlywheelEvent = onEventFor<typeof catalogue>();`
 */
export function onEventFor<C extends Catalogue>() {
  return <T extends TopicOf<C>>(
      topic: T,
      options?: OnEventOptions,
    ): HandlerDecorator<(payload: PayloadOf<C, T>, meta: EventMeta) => Outcome | Promise<Outcome>> =>
    (target, key, descriptor) =>
      OnEvent(topic, options)(target, key, descriptor as unknown as TypedPropertyDescriptor<EventHandlerMethod>);
}

export function onEventMetadataOf(method: unknown): OnEventMetadata[] {
  if (typeof method !== 'function') return [];
  return (Reflect.getMetadata(ON_EVENT_METADATA, method) as OnEventMetadata[] | undefined) ?? [];
}
