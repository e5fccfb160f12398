// Finds @OnEvent methods on every provider and controller at boot, and checks the wiring before anything
// consumes: unknown topics, two handlers for one topic in one group, and required subscriptions without a handler
// all stop the boot with one BusConfigError listing every problem.
import { Inject, Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { type Catalogue } from '../catalogue';
import { type EventHandler } from '../handler';
import { onEventMetadataOf } from './on-event.decorator';

export interface DiscoveredHandler {
  readonly topic: string;
  readonly groupId: string | undefined;
  /** 'Class.method' */
  readonly name: string;
  readonly handler: EventHandler<unknown>;
  /** Request- or transient-scoped providers have no single instance to call. */
  readonly staticScope: boolean;
}

export interface WiringPlan {
  readonly handlers: readonly (DiscoveredHandler & { readonly groupId: string })[];
  readonly problems: readonly string[];
  /** One line per handler: `group: topic → Class.method`. */
  readonly lines: readonly string[];
}

export function planWiring(
  discovered: readonly DiscoveredHandler[],
  wiring: { readonly catalogue: Catalogue; readonly groupId: string; readonly subscriptions: readonly string[] },
): WiringPlan {
  const problems: string[] = [];
  const handlers = discovered.map((h) => ({ ...h, groupId: h.groupId ?? wiring.groupId }));
  const claims = new Map<string, string[]>();
  for (const h of handlers) {
    if (!Object.prototype.hasOwnProperty.call(wiring.catalogue, h.topic)) {
      problems.push(`${h.name} handles '${h.topic}', which is not in the event catalogue`);
    }
    if (!h.staticScope)
      problems.push(`${h.name} is in a request- or transient-scoped provider; handlers must be singletons`);
    const key = `${h.groupId}\u0000${h.topic}`;
    claims.set(key, [...(claims.get(key) ?? []), h.name]);
  }
  for (const [key, names] of claims) {
    if (names.length < 2) continue;
    const [groupId, topic] = key.split('\u0000');
    problems.push(`topic '${topic}' has ${names.length} handlers in consumer group '${groupId}': ${names.join(', ')}`);
  }
  for (const topic of wiring.subscriptions) {
    if (!handlers.some((h) => h.topic === topic && h.groupId === wiring.groupId)) {
      problems.push(`subscribed topic '${topic}' has no @OnEvent handler in consumer group '${wiring.groupId}'`);
    }
  }
  const lines = handlers.map((h) => `${h.groupId}: ${h.topic} → ${h.name}`).sort();
  return { handlers, problems, lines };
}

@Injectable()
export class HandlerExplorer {
  public constructor(
    // Explicit tokens: the bus must also wire up under transpilers without decorator metadata (tsx, esbuild).
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
  ) {}

  public explore(): DiscoveredHandler[] {
    const found: DiscoveredHandler[] = [];
    const seen = new Set<object>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance: unknown = wrapper.instance;
      if (wrapper.isAlias || typeof instance !== 'object' || instance === null || seen.has(instance)) continue;
      seen.add(instance);
      const proto = Object.getPrototypeOf(instance) as Record<string, unknown> | null;
      if (proto === null) continue;
      for (const methodName of this.scanner.getAllMethodNames(proto)) {
        const method = proto[methodName];
        for (const meta of onEventMetadataOf(method)) {
          const fn = method as (this: object, payload: unknown, ...rest: unknown[]) => unknown;
          found.push({
            topic: meta.topic,
            groupId: meta.groupId,
            name: `${instance.constructor.name}.${methodName}`,
            handler: (payload, eventMeta) => fn.call(instance, payload, eventMeta) as ReturnType<EventHandler<unknown>>,
            staticScope: wrapper.isDependencyTreeStatic(),
          });
        }
      }
    }
    return found;
  }
}
