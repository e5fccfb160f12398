// The log-ingester's configuration: every environment variable it reads, validated at once (a ConfigError lists
// each bad key), turned into the typed IngesterConfig. This is the only module that sees the environment; main.ts
// passes process.env in, tests pass plain objects.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { RawTopics } from '@flywheel/contracts';
import { redactionConfigSchema, type RedactionConfig } from '@flywheel/redaction';
import { defineEnv, env, secret, type EnvSource } from '@flywheel/service-kit';
import { logStoreConfigSchema, type LogStoreConfigInput } from '@flywheel/stores';

const MiB = 1024 * 1024;
const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

export const ingesterEnv = defineEnv(
  {
    HTTP_HOST: env.string({
      default: '127.0.0.1',
      description: 'Interface the HTTP server binds (0.0.0.0 in containers).',
    }),
    HTTP_PORT: env.port({
      default: 8090,
      description: 'HTTP port: POST /v1/logs, /health/live, /health/ready, /metrics.',
    }),
    KAFKA_BROKERS: env.list({
      default: ['127.0.0.1:9092'],
      description: 'Bootstrap brokers, comma-separated host:port.',
    }),
    KAFKA_CLIENT_ID: env.string({ default: 'log-ingester', description: 'kafkajs client id.' }),
    KAFKA_CONNECTION_TIMEOUT_MS: env.int({ default: 3000, min: 1, description: 'Broker connection timeout.' }),
    KAFKA_REQUEST_TIMEOUT_MS: env.int({ default: 30_000, min: 1, description: 'Broker request timeout.' }),
    KAFKA_SESSION_TIMEOUT_MS: env.int({ default: 30_000, min: 1, description: 'Consumer-group session timeout.' }),
    KAFKA_HEARTBEAT_INTERVAL_MS: env.int({ default: 3000, min: 1, description: 'Consumer heartbeat interval.' }),
    KAFKA_MAX_WAIT_MS: env.int({
      default: 500,
      min: 1,
      description: 'Longest a fetch waits for records: the time bound of a Kafka batch.',
    }),
    KAFKA_FETCH_MAX_BYTES: env.int({
      default: 8 * MiB,
      min: 1,
      description: 'Bytes one fetch may bring (all partitions).',
    }),
    KAFKA_FETCH_MAX_BYTES_PER_PARTITION: env.int({
      default: 2 * MiB,
      min: 1,
      description: 'Bytes one fetch may bring per partition: the size bound of a Kafka batch.',
    }),
    KAFKA_LOG_LEVEL: env.oneOf(['nothing', 'error', 'warn', 'info', 'debug'] as const, {
      default: 'error',
      description: 'kafkajs log level.',
    }),
    SCHEMA_REGISTRY_URL: env.url({
      default: 'http://127.0.0.1:8081',
      description: 'Confluent-compatible schema registry.',
    }),
    INGESTER_GROUP_ID: env.string({
      default: 'log-ingester',
      description: 'Consumer group; invalid records go to `<group>.dlq`.',
    }),
    INGESTER_JSON_TOPIC: env.string({
      default: RawTopics.llmCallJsonV1,
      description:
        'Topic of plain-JSON log records (the Avro topic is the catalogue’s flywheel.log.llm-call-logged.v1).',
    }),
    INGESTER_CREATE_TOPICS: env.bool({ default: true, description: 'Create the input topics at start when missing.' }),
    INGESTER_TOPIC_PARTITIONS: env.int({ default: 3, min: 1, description: 'Partitions of input topics it creates.' }),
    INGESTER_CONSUMERS: env.int({
      default: 1,
      min: 1,
      description:
        'Consumer-group members in this process; with 2+, one fetches while another writes (up to the partition count).',
    }),
    INGESTER_BATCH_MAX_RECORDS: env.int({ default: 1000, min: 1, description: 'Most records in one store append.' }),
    INGESTER_BATCH_MAX_BYTES: env.int({ default: 8 * MiB, min: 1, description: 'Most bytes in one store append.' }),
    INGESTER_BATCH_LINGER_MS: env.int({
      default: 20,
      min: 0,
      description: 'Longest an HTTP record waits for others to share its store append.',
    }),
    INGESTER_BUFFER_MAX_BYTES: env.int({
      default: 32 * MiB,
      min: 1,
      description:
        'Bytes of records accepted and not yet durable, at most (writers beyond it wait); also the bound on HTTP bodies being parsed at once (beyond it: 503).',
    }),
    INGESTER_MAX_RECORD_BYTES: env.int({ default: 5 * MiB, min: 1, description: 'Largest accepted record.' }),
    INGESTER_HTTP_MAX_BODY_BYTES: env.int({ default: 16 * MiB, min: 1, description: 'Largest accepted HTTP body.' }),
    INGESTER_LOGS_INGESTED_INTERVAL_MS: env.int({
      default: 5000,
      min: 10,
      description: 'How often per-workload "logs ingested" events are emitted (when something was stored).',
    }),
    INGESTER_RETRY_BACKOFF_BASE_MS: env.int({
      default: 250,
      min: 0,
      description: 'First wait before retrying a failed batch or start-up step; doubles per attempt.',
    }),
    INGESTER_RETRY_BACKOFF_MAX_MS: env.int({ default: 30_000, min: 0, description: 'Longest such wait.' }),
    INGESTER_INSTANCE_ID: env.optionalString({
      description: 'Names this instance in events; default `<hostname>-<pid>`.',
    }),
    LOG_STORE_KIND: env.oneOf(['sqlite', 'elasticsearch'] as const, {
      default: 'sqlite',
      description: 'Log store backend.',
    }),
    LOG_STORE_SQLITE_PATH: env.string({
      default: '.data/stores/logs.db',
      description: 'SQLite file (directory created); shared with the services that read logs.',
    }),
    LOG_STORE_BOOT_MAX_ATTEMPTS: env.int({
      default: 10,
      min: 1,
      description: 'Connection attempts per store boot round (rounds repeat until the store is up).',
    }),
    ELASTICSEARCH_URL: env.optionalUrl({ description: 'Elasticsearch URL (LOG_STORE_KIND=elasticsearch).' }),
    ELASTICSEARCH_USERNAME: env.optionalString({ description: 'Elasticsearch user.' }),
    ELASTICSEARCH_PASSWORD: secret(env.optionalString({ description: 'Elasticsearch password (secret).' })),
    ELASTICSEARCH_INDEX_PREFIX: env.string({ default: 'flywheel-', description: 'Index and template name prefix.' }),
    REDACTION_CONFIG: env.json(redactionConfigSchema, {
      default: {},
      description: 'PII redaction settings as JSON (detectors, custom regexes, per-workload overrides).',
    }),
    REDACTION_CONFIG_FILE: env.optionalString({ description: 'Path of a JSON file with the redaction settings.' }),
    SHUTDOWN_TIMEOUT_MS: env.int({ default: 30_000, min: 100, description: 'Graceful shutdown deadline.' }),
    LOG_LEVEL: env.oneOf(LOG_LEVELS, { default: 'log', description: 'Most verbose level logged.' }),
  },
  (v, ctx) => {
    if (v.KAFKA_MAX_WAIT_MS + v.KAFKA_HEARTBEAT_INTERVAL_MS >= v.KAFKA_SESSION_TIMEOUT_MS) {
      ctx.problem('KAFKA_SESSION_TIMEOUT_MS', 'must exceed KAFKA_MAX_WAIT_MS + KAFKA_HEARTBEAT_INTERVAL_MS');
    }
    if (v.INGESTER_RETRY_BACKOFF_MAX_MS < v.INGESTER_RETRY_BACKOFF_BASE_MS) {
      ctx.problem('INGESTER_RETRY_BACKOFF_MAX_MS', 'must be >= INGESTER_RETRY_BACKOFF_BASE_MS');
    }
    if (v.INGESTER_MAX_RECORD_BYTES > v.INGESTER_HTTP_MAX_BODY_BYTES) {
      ctx.problem('INGESTER_MAX_RECORD_BYTES', 'must not exceed INGESTER_HTTP_MAX_BODY_BYTES');
    }
    if (v.INGESTER_HTTP_MAX_BODY_BYTES > v.INGESTER_BUFFER_MAX_BYTES) {
      ctx.problem('INGESTER_HTTP_MAX_BODY_BYTES', 'must not exceed INGESTER_BUFFER_MAX_BYTES');
    }
    const store = storeConfig(v, (key, message) => ctx.problem(key, message));
    let redaction: RedactionConfig = v.REDACTION_CONFIG;
    if (v.REDACTION_CONFIG_FILE !== undefined) {
      const fromFile = readRedactionFile(v.REDACTION_CONFIG_FILE);
      if (typeof fromFile === 'string') ctx.problem('REDACTION_CONFIG_FILE', fromFile);
      else redaction = fromFile;
    }
    return {
      http: { host: v.HTTP_HOST, port: v.HTTP_PORT, maxBodyBytes: v.INGESTER_HTTP_MAX_BODY_BYTES },
      kafka: {
        brokers: [...v.KAFKA_BROKERS],
        clientId: v.KAFKA_CLIENT_ID,
        connectionTimeoutMs: v.KAFKA_CONNECTION_TIMEOUT_MS,
        requestTimeoutMs: v.KAFKA_REQUEST_TIMEOUT_MS,
        logLevel: v.KAFKA_LOG_LEVEL,
      },
      schemaRegistryUrl: v.SCHEMA_REGISTRY_URL,
      consumer: {
        groupId: v.INGESTER_GROUP_ID,
        jsonTopic: v.INGESTER_JSON_TOPIC,
        createTopics: v.INGESTER_CREATE_TOPICS,
        topicPartitions: v.INGESTER_TOPIC_PARTITIONS,
        sessionTimeoutMs: v.KAFKA_SESSION_TIMEOUT_MS,
        heartbeatIntervalMs: v.KAFKA_HEARTBEAT_INTERVAL_MS,
        maxWaitTimeMs: v.KAFKA_MAX_WAIT_MS,
        fetchMaxBytes: v.KAFKA_FETCH_MAX_BYTES,
        fetchMaxBytesPerPartition: v.KAFKA_FETCH_MAX_BYTES_PER_PARTITION,
        members: v.INGESTER_CONSUMERS,
      },
      batch: {
        maxRecords: v.INGESTER_BATCH_MAX_RECORDS,
        maxBytes: v.INGESTER_BATCH_MAX_BYTES,
        lingerMs: v.INGESTER_BATCH_LINGER_MS,
        bufferMaxBytes: v.INGESTER_BUFFER_MAX_BYTES,
      },
      maxRecordBytes: v.INGESTER_MAX_RECORD_BYTES,
      retry: { backoffBaseMs: v.INGESTER_RETRY_BACKOFF_BASE_MS, backoffMaxMs: v.INGESTER_RETRY_BACKOFF_MAX_MS },
      logsIngestedIntervalMs: v.INGESTER_LOGS_INGESTED_INTERVAL_MS,
      instanceId: v.INGESTER_INSTANCE_ID ?? `${hostname()}-${process.pid}`,
      store,
      redaction,
      shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
      logLevels: LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(v.LOG_LEVEL) + 1),
    };
  },
  { ownedPrefixes: ['INGESTER_', 'LOG_STORE_', 'REDACTION_', 'ELASTICSEARCH_'] },
);

export type IngesterConfig = ReturnType<(typeof ingesterEnv)['load']>;

/** Reads the configuration from an environment (main.ts passes process.env). Throws ConfigError. */
export function loadIngesterConfig(source: EnvSource): IngesterConfig {
  return ingesterEnv.load(source);
}

function storeConfig(
  v: {
    LOG_STORE_KIND: 'sqlite' | 'elasticsearch';
    LOG_STORE_SQLITE_PATH: string;
    LOG_STORE_BOOT_MAX_ATTEMPTS: number;
    ELASTICSEARCH_URL?: string;
    ELASTICSEARCH_USERNAME?: string;
    ELASTICSEARCH_PASSWORD?: string;
    ELASTICSEARCH_INDEX_PREFIX: string;
    INGESTER_RETRY_BACKOFF_BASE_MS: number;
    INGESTER_RETRY_BACKOFF_MAX_MS: number;
  },
  problem: (key: string, message: string) => void,
): LogStoreConfigInput {
  const boot = {
    maxAttempts: v.LOG_STORE_BOOT_MAX_ATTEMPTS,
    backoffBaseMs: v.INGESTER_RETRY_BACKOFF_BASE_MS,
    backoffMaxMs: Math.max(v.INGESTER_RETRY_BACKOFF_BASE_MS, Math.min(v.INGESTER_RETRY_BACKOFF_MAX_MS, 10_000)),
  };
  const input: LogStoreConfigInput =
    v.LOG_STORE_KIND === 'sqlite'
      ? { kind: 'sqlite', path: v.LOG_STORE_SQLITE_PATH, boot }
      : {
          kind: 'elasticsearch',
          url: v.ELASTICSEARCH_URL ?? '',
          indexPrefix: v.ELASTICSEARCH_INDEX_PREFIX,
          username: v.ELASTICSEARCH_USERNAME,
          password: v.ELASTICSEARCH_PASSWORD,
          // Throughput over read-your-writes: readers (the dataset builder) run long after ingestion.
          refresh: false,
          boot,
        };
  if (v.LOG_STORE_KIND === 'elasticsearch' && v.ELASTICSEARCH_URL === undefined) {
    problem('ELASTICSEARCH_URL', 'required when LOG_STORE_KIND=elasticsearch');
    return input;
  }
  const parsed = logStoreConfigSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '');
      const key =
        field === 'indexPrefix'
          ? 'ELASTICSEARCH_INDEX_PREFIX'
          : field === 'path'
            ? 'LOG_STORE_SQLITE_PATH'
            : 'LOG_STORE_KIND';
      problem(key, issue.message);
    }
  }
  return input;
}

function readRedactionFile(path: string): RedactionConfig | string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return `${path} is not JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
  const parsed = redactionConfigSchema.safeParse(doc);
  if (parsed.success) return parsed.data;
  return `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
}
