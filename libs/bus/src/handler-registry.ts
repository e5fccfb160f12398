// Handlers by consumer group and topic: one handler per topic per group, fixed before consuming starts.
import { contractOf, type Catalogue } from './catalogue';
import { BusConfigError } from './errors';
import { type EventHandler, type HandlerRegistration, type SubscribeOptions } from './handler';

export class HandlerRegistry {
  private readonly groups = new Map<string, Map<string, HandlerRegistration>>();
  private sealed = false;

  public constructor(
    private readonly catalogue: Catalogue,
    private readonly defaultGroupId: string,
  ) {}

  public add(topic: string, handler: EventHandler<unknown>, options: SubscribeOptions = {}): HandlerRegistration {
    if (this.sealed) throw new BusConfigError([`subscribe('${topic}') after the bus started`]);
    contractOf(this.catalogue, topic);
    const groupId = options.groupId ?? this.defaultGroupId;
    const name = options.name ?? handler.name ?? 'anonymous';
    const topics = this.groups.get(groupId) ?? new Map<string, HandlerRegistration>();
    const existing = topics.get(topic);
    if (existing !== undefined) {
      throw new BusConfigError([
        `two handlers for topic '${topic}' in consumer group '${groupId}': ${existing.name} and ${name}`,
      ]);
    }
    const registration: HandlerRegistration = { topic, groupId, name, handler };
    topics.set(topic, registration);
    this.groups.set(groupId, topics);
    return registration;
  }

  public seal(): void {
    this.sealed = true;
  }

  public groupIds(): string[] {
    return [...this.groups.keys()];
  }

  public handlersOf(groupId: string): ReadonlyMap<string, HandlerRegistration> {
    return this.groups.get(groupId) ?? new Map<string, HandlerRegistration>();
  }

  public all(): HandlerRegistration[] {
    return [...this.groups.values()].flatMap((topics) => [...topics.values()]);
  }
}
