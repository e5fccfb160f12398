// What a service's Kafka integration test starts before the service: the embedded broker and schema registry (fast
// group timings, so joins and restarts take milliseconds), the env that points the service at them, and probe
// consumers that record what the service publishes. One `stop()` closes the probes, then the registry and broker.
import { KafkaEventBus, Outcome, type Catalogue, type PayloadOf, type TopicOf } from '@flywheel/bus';
import { startEmbeddedKafka, type EmbeddedKafka } from '@flywheel/embedded-kafka';
import { startEmbeddedSchemaRegistry, type EmbeddedSchemaRegistry } from '@flywheel/embedded-schema-registry';

/** Consumer-group session of the services and probes: short, so a killed member's partitions move on quickly. */
export const TEST_SESSION_TIMEOUT_MS = 3000;

/** Events seen per name, in arrival order: `{ started: Topics.runStartedV1 }` gives `started: RunStartedV1[]`. */
export type SeenEvents<C extends Catalogue, M extends Record<string, TopicOf<C>>> = {
  readonly [K in keyof M]: PayloadOf<C, M[K]>[];
};

export interface KafkaTestStack<C extends Catalogue> {
  readonly kafka: EmbeddedKafka;
  readonly registry: EmbeddedSchemaRegistry;
  /** KAFKA_* and SCHEMA_REGISTRY_URL of a service on this stack, with the fast test timings. */
  serviceEnv(): Record<string, string>;
  /** Starts a probe (its own consumer group) on the named topics; each name collects its topic's events. */
  collect<const M extends Record<string, TopicOf<C>>>(topics: M): Promise<SeenEvents<C, M>>;
  /** Publishes as a producer outside the service (through the first probe; a silent one is started if none is). */
  publish<T extends TopicOf<C>>(topic: T, payload: PayloadOf<C, T>): Promise<void>;
  /** Closes the probes, then the registry and the broker. */
  stop(): Promise<void>;
}

export async function startKafkaTestStack<C extends Catalogue>(catalogue: C): Promise<KafkaTestStack<C>> {
  const kafka = await startEmbeddedKafka({ minSessionTimeoutMs: 100, initialRebalanceDelayMs: 0 });
  let registry: EmbeddedSchemaRegistry;
  try {
    registry = await startEmbeddedSchemaRegistry();
  } catch (err) {
    await kafka.stop();
    throw err;
  }
  const probes: KafkaEventBus<C>[] = [];

  const newProbe = (): KafkaEventBus<C> => {
    const name = `probe-${probes.length}`;
    const probe = new KafkaEventBus<C>({
      catalogue,
      kafka: { brokers: kafka.bootstrapServers, clientId: name, logLevel: 'nothing' },
      schemaRegistry: { url: registry.url },
      groupId: name,
      consumer: { sessionTimeoutMs: TEST_SESSION_TIMEOUT_MS, heartbeatIntervalMs: 100, maxWaitTimeMs: 100 },
    });
    probes.push(probe);
    return probe;
  };

  return {
    kafka,
    registry,
    serviceEnv: () => ({
      KAFKA_BROKERS: kafka.bootstrapServers.join(','),
      SCHEMA_REGISTRY_URL: registry.url,
      KAFKA_CONNECTION_TIMEOUT_MS: '1000',
      KAFKA_REQUEST_TIMEOUT_MS: '5000',
      KAFKA_SESSION_TIMEOUT_MS: String(TEST_SESSION_TIMEOUT_MS),
      KAFKA_HEARTBEAT_INTERVAL_MS: '100',
      KAFKA_MAX_WAIT_MS: '100',
      KAFKA_LOG_LEVEL: 'nothing',
    }),
    async collect<const M extends Record<string, TopicOf<C>>>(topics: M): Promise<SeenEvents<C, M>> {
      const probe = newProbe();
      const seen: Record<string, unknown[]> = {};
      for (const [name, topic] of Object.entries(topics)) {
        const events: unknown[] = [];
        seen[name] = events;
        probe.subscribe(topic, (event) => (events.push(event), Outcome.processed()));
      }
      await probe.start();
      // Each name's list receives only its topic's payloads (subscribed above).
      return seen as SeenEvents<C, M>;
    },
    async publish(topic, payload) {
      let probe = probes[0];
      if (probe === undefined) {
        probe = newProbe();
        await probe.start();
      }
      await probe.publish(topic, payload);
    },
    async stop() {
      for (const probe of probes.splice(0)) await probe.close();
      await registry.stop();
      await kafka.stop();
    },
  };
}
