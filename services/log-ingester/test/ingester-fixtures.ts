// Shared set-up of the ingester's integration tests: a fresh embedded broker and schema registry, the ingester as a
// Nest app in this process with fast timings (or as a child process, see ingester-process.ts), raw kafkajs clients
// for what a producer would send, and readers for the store and the dead-letter topic.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel, type IHeaders, type KafkaMessage } from 'kafkajs';
import { KafkaEventBus } from '@flywheel/bus';
import { catalogue, parseLlmCall, Topics, type LlmCallLoggedV1 } from '@flywheel/contracts';
import { startEmbeddedKafka, type EmbeddedKafka } from '@flywheel/embedded-kafka';
import { startEmbeddedSchemaRegistry, type EmbeddedSchemaRegistry } from '@flywheel/embedded-schema-registry';
import { startHttpService, type HttpService } from '@flywheel/service-kit';
import { SqliteLogStore, type LogStore, type StoredLogRecord } from '@flywheel/stores';
import { IngesterModule, loadIngesterConfig, type IngesterConfig } from '../src';
import { IngesterLifecycle } from '../src/lifecycle/ingester-lifecycle';

export const JSON_TOPIC = 'flywheel.log.llm-call-json.v1';
export const DLQ = 'log-ingester.dlq';
const FIXTURES = resolve(__dirname, '../../../test/fixtures/production-logs');

export interface Stack {
  readonly kafka: EmbeddedKafka;
  readonly registry: EmbeddedSchemaRegistry;
  readonly brokers: string[];
  readonly dir: string;
  stop(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const kafka = await startEmbeddedKafka({ minSessionTimeoutMs: 100, initialRebalanceDelayMs: 0 });
  const registry = await startEmbeddedSchemaRegistry();
  const dir = mkdtempSync(join(tmpdir(), 'log-ingester-'));
  return {
    kafka,
    registry,
    brokers: kafka.bootstrapServers,
    dir,
    stop: async () => {
      await registry.stop();
      await kafka.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The environment a test ingester runs with: fast timings, a SQLite file in the test's directory. */
export function testEnv(stack: Stack, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    HTTP_PORT: '0',
    KAFKA_BROKERS: stack.brokers.join(','),
    SCHEMA_REGISTRY_URL: stack.registry.url,
    KAFKA_CONNECTION_TIMEOUT_MS: '1000',
    KAFKA_REQUEST_TIMEOUT_MS: '5000',
    KAFKA_SESSION_TIMEOUT_MS: '3000',
    KAFKA_HEARTBEAT_INTERVAL_MS: '100',
    KAFKA_MAX_WAIT_MS: '100',
    KAFKA_LOG_LEVEL: 'nothing',
    INGESTER_RETRY_BACKOFF_BASE_MS: '50',
    INGESTER_RETRY_BACKOFF_MAX_MS: '500',
    INGESTER_LOGS_INGESTED_INTERVAL_MS: '200',
    INGESTER_INSTANCE_ID: 'test-ingester',
    LOG_STORE_SQLITE_PATH: join(stack.dir, 'logs.db'),
    LOG_LEVEL: 'error',
    ...overrides,
  };
}

export interface RunningIngester {
  readonly service: HttpService;
  readonly config: IngesterConfig;
  readonly lifecycle: IngesterLifecycle;
  post(body: string | Buffer, contentType?: string): Promise<{ status: number; body: unknown }>;
  get(path: string): Promise<{ status: number; body: string }>;
}

export async function startIngester(
  env: Record<string, string>,
  options: { store?: LogStore; waitUntilStarted?: boolean } = {},
): Promise<RunningIngester> {
  const config = loadIngesterConfig(env);
  const service = await startHttpService(IngesterModule.forRoot(config, { store: options.store }), {
    name: 'log-ingester',
    host: '127.0.0.1',
    port: 0,
    bodyParser: false,
    logLevels: config.logLevels,
  });
  const lifecycle = service.app.get(IngesterLifecycle);
  if (options.waitUntilStarted ?? true) await lifecycle.whenStarted();
  return {
    service,
    config,
    lifecycle,
    post: async (body, contentType = 'application/x-ndjson') => {
      const res = await fetch(`${service.url}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
      const text = await res.text();
      return { status: res.status, body: text.length > 0 ? (JSON.parse(text) as unknown) : undefined };
    },
    get: async (path) => {
      const res = await fetch(`${service.url}${path}`);
      return { status: res.status, body: await res.text() };
    },
  };
}

/** The sample production logs as JSON objects (the blueprint's shape). */
export function sampleLogLines(): Record<string, unknown>[] {
  return ['bfcl-live-simple.jsonl', 'gsm8k-chat.jsonl'].flatMap((f) =>
    readFileSync(join(FIXTURES, f), 'utf8')
      .split('\n')
      .filter((l) => l.trim().length > 0)
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}

let eventCounter = 0;
/** A catalogue payload from a sample log line, with a fresh event id. */
export function avroPayload(line: Record<string, unknown>, overrides: Partial<LlmCallLoggedV1> = {}): LlmCallLoggedV1 {
  eventCounter += 1;
  const eventId = `00000000-0000-4000-8000-${eventCounter.toString(16).padStart(12, '0')}`;
  return { ...parseLlmCall(line, { eventId }), ...overrides };
}

export function rawKafka(brokers: string[]): Kafka {
  return new Kafka({
    clientId: 'test',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { initialRetryTime: 50, maxRetryTime: 1000, retries: 5 },
  });
}

/** A publisher of catalogue events, as an application using the schema registry would publish logs. */
export async function avroPublisher(stack: Stack): Promise<KafkaEventBus<typeof catalogue>> {
  const bus = new KafkaEventBus(
    {
      catalogue,
      kafka: { brokers: stack.brokers, clientId: 'app', logLevel: 'nothing', requestTimeoutMs: 5000 },
      schemaRegistry: { url: stack.registry.url },
      groupId: 'app',
      consumer: {},
    },
    { logger: { log: () => undefined, warn: () => undefined, error: () => undefined } },
  );
  await bus.start();
  return bus;
}

export async function produce(
  brokers: string[],
  topic: string,
  values: (Buffer | string | null)[],
  headers: IHeaders = {},
): Promise<void> {
  const producer = rawKafka(brokers).producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: values.map((value) => ({ key: 'k', value, headers })) });
  } finally {
    await producer.disconnect();
  }
}

export async function registeredId(stack: Stack, topic: string): Promise<number> {
  const res = await fetch(`${stack.registry.url}/subjects/${encodeURIComponent(`${topic}-value`)}/versions/latest`);
  return ((await res.json()) as { id: number }).id;
}

/** Reads `count` records of a topic from the beginning with a fresh group. */
export async function readTopic(brokers: string[], topic: string, count: number, timeoutMs = 20_000) {
  const consumer = rawKafka(brokers).consumer({
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

export async function decodeAvro<T>(stack: Stack, messages: KafkaMessage[]): Promise<T[]> {
  const registry = new SchemaRegistry({ host: stack.registry.url });
  return Promise.all(messages.map(async (m) => (await registry.decode(m.value ?? Buffer.alloc(0))) as T));
}

export function header(message: KafkaMessage, name: string): string | undefined {
  const v = message.headers?.[name];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return last?.toString();
}

/** A second connection to the ingester's SQLite file (WAL: readers do not block the writer). */
export async function openStore(stack: Stack): Promise<SqliteLogStore> {
  const store = new SqliteLogStore({ path: join(stack.dir, 'logs.db') });
  await store.connect();
  return store;
}

export async function storedRecords(store: LogStore, workloadIds: readonly string[]): Promise<StoredLogRecord[]> {
  const out: StoredLogRecord[] = [];
  for (const workloadId of new Set(workloadIds)) out.push(...(await store.query({ workloadId, limit: 100_000 })));
  return out;
}

export async function storedCount(store: LogStore): Promise<number> {
  return (await store.countByWorkload()).reduce((sum, c) => sum + c.count, 0);
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export { Topics };
