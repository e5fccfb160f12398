// Shared set-up of the bus integration tests: a fresh embedded broker and schema registry per test (topics of
// the test catalogue are fixed names, so tests never share a broker), fast kafkajs timings (broker reference,
// "Pitfalls and settings"), and raw kafkajs clients for what the bus itself would never do.
import { execFileSync } from 'node:child_process';
import { KafkaContainer, type StartedKafkaContainer } from '@testcontainers/kafka';
import { startEmbeddedKafka, type EmbeddedKafka } from '@flywheel/embedded-kafka';
import { startEmbeddedSchemaRegistry, type EmbeddedSchemaRegistry } from '@flywheel/embedded-schema-registry';
import { Kafka, logLevel, type IHeaders, type KafkaMessage } from 'kafkajs';
import { type BusLogger, type KafkaBusOptions } from '../src';
import { testCatalogue, type TestCatalogue } from '../src/testing/test-catalogue';

/** Where the suite's Kafka comes from: the embedded broker always, a real one through testcontainers with Docker. */
export type KafkaTarget = 'embedded' | 'testcontainers';

const KAFKA_IMAGE = 'confluentinc/cp-kafka:7.6.1';

let targets: KafkaTarget[] | undefined;

/** The targets this machine can run; says so when real Kafka is skipped (never silently). */
export function kafkaTargets(): KafkaTarget[] {
  if (targets) return targets;
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 15_000 });
    targets = ['embedded', 'testcontainers'];
  } catch {
    console.warn(
      'Docker is not available (`docker info` failed): the bus suite runs against the embedded broker only; ' +
        `the same suite against real Kafka (${KAFKA_IMAGE} via testcontainers) is skipped.`,
    );
    targets = ['embedded'];
  }
  return targets;
}

export interface Stack {
  readonly target: KafkaTarget;
  /** The embedded broker (state hooks for fault injection); undefined on real Kafka. */
  readonly kafka: EmbeddedKafka | undefined;
  readonly registry: EmbeddedSchemaRegistry;
  readonly brokers: string[];
  stop(): Promise<void>;
}

export async function startStack(target: KafkaTarget = 'embedded'): Promise<Stack> {
  const registry = await startEmbeddedSchemaRegistry();
  if (target === 'testcontainers') {
    let container: StartedKafkaContainer;
    try {
      // The suite's fast consumer timings are below Kafka's 6 s minimum session timeout: lower it, as the
      // embedded broker does, and skip the initial rebalance delay (kafkajs's own CI does the same).
      container = await new KafkaContainer(KAFKA_IMAGE)
        .withKraft()
        .withEnvironment({ KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS: '100', KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0' })
        .start();
    } catch (err) {
      await registry.stop();
      throw err;
    }
    return {
      target,
      kafka: undefined,
      registry,
      brokers: [`${container.getHost()}:${container.getMappedPort(9093)}`],
      stop: async () => {
        await registry.stop();
        await container.stop();
      },
    };
  }
  const kafka = await startEmbeddedKafka({ minSessionTimeoutMs: 100, initialRebalanceDelayMs: 0 });
  return {
    target,
    kafka,
    registry,
    brokers: kafka.bootstrapServers,
    stop: async () => {
      await registry.stop();
      await kafka.stop();
    },
  };
}

export const FAST_CONSUMER = {
  sessionTimeoutMs: 3000,
  rebalanceTimeoutMs: 3000,
  heartbeatIntervalMs: 100,
  maxWaitTimeMs: 100,
  metadataMaxAgeMs: 1000,
};

export function busOptions(
  stack: { brokers: string[]; registryUrl: string },
  groupId: string,
  overrides: Partial<KafkaBusOptions<TestCatalogue>> = {},
): KafkaBusOptions<TestCatalogue> {
  return {
    catalogue: testCatalogue,
    kafka: {
      brokers: stack.brokers,
      clientId: groupId,
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 5000,
      retry: { initialRetryTimeMs: 50, maxRetryTimeMs: 1000, retries: 5 },
      logLevel: 'nothing',
    },
    schemaRegistry: { url: stack.registryUrl },
    groupId,
    consumer: FAST_CONSUMER,
    retry: { maxAttempts: 3, backoffBaseMs: 20, backoffMaxMs: 100 },
    handlerTimeoutMs: 1000,
    // One partition: these tests assert order across keys.
    topics: { partitions: 1 },
    ...overrides,
  };
}

/** Collects what the bus logs, for assertions and for printing when a test fails. */
export class CapturingLogger implements BusLogger {
  public readonly lines: string[] = [];
  public log(m: string): void {
    this.lines.push(`log: ${m}`);
  }
  public warn(m: string): void {
    this.lines.push(`warn: ${m}`);
  }
  public error(m: string): void {
    this.lines.push(`error: ${m}`);
  }
  public debug(m: string): void {
    this.lines.push(`debug: ${m}`);
  }
}

export function rawKafka(brokers: string[], clientId = 'raw'): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { initialRetryTime: 50, maxRetryTime: 1000, retries: 5 },
  });
}

/** Writes bytes the bus would never write (a broken or foreign producer). */
export async function produceRaw(
  brokers: string[],
  topic: string,
  value: Buffer | null,
  key = 'raw-key',
  headers: IHeaders = {},
): Promise<void> {
  const producer = rawKafka(brokers).producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
  } finally {
    await producer.disconnect();
  }
}

/** Reads `count` records of a topic from the beginning (a fresh group each call). */
export async function readTopic(
  brokers: string[],
  topic: string,
  count: number,
  timeoutMs = 15_000,
): Promise<KafkaMessage[]> {
  const consumer = rawKafka(brokers, 'reader').consumer({
    groupId: `reader-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    sessionTimeout: 3000,
    rebalanceTimeout: 3000,
    heartbeatInterval: 100,
    maxWaitTimeInMs: 100,
  });
  const got: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message);
      },
    });
    await waitFor(() => got.length >= count, timeoutMs, `${count} records on ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return got;
}

/** Polls until `check` is true (no fixed sleeps in tests). */
export async function waitFor(check: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function header(message: KafkaMessage, name: string): string | undefined {
  const v = message.headers?.[name];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return last?.toString();
}
