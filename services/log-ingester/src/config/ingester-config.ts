// The log-ingester's configuration: every environment variable it reads, validated at once (a ConfigError lists
// each bad key), turned into the typed IngesterConfig. This is the only module that sees the environment; main.ts
// passes process.env in, tests pass plain objects.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { RawTopics } from '@flywheel/contracts';
import { redactionConfigSchema, type RedactionConfig } from '@flywheel/redaction';
import {
  defineEnv,
  env,
  httpEnv,
  kafkaConfigFrom,
  kafkaConsumerFrom,
  kafkaEnv,
  kafkaFetchEnv,
  logLevelEnv,
  logLevelsFrom,
  logFormatFrom,
  logStoreBootEnv,
  logStoreConfigFrom,
  logStoreEnv,
  schemaRegistryEnv,
  shutdownEnv,
  storeBootFrom,
  type EnvSource,
} from '@flywheel/service-kit';

const MiB = 1024 * 1024;

export const ingesterEnv = defineEnv(
  {
    ...httpEnv({ port: 8090, portDescription: 'HTTP port: POST /v1/logs, /health/live, /health/ready, /metrics.' }),
    ...kafkaEnv({ clientId: 'log-ingester' }),
    ...kafkaFetchEnv(),
    ...schemaRegistryEnv(),
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
    INGESTER_PARTITIONS_CONCURRENTLY: env.int({
      default: 1,
      min: 1,
      description:
        'Batches of different partitions handled at once per member; 2+ overlaps decoding with a store that writes asynchronously (Elasticsearch), not with SQLite.',
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
    ...logStoreEnv({
      sqlitePathDescription: 'SQLite file (directory created); shared with the services that read logs.',
    }),
    ...logStoreBootEnv(),
    REDACTION_CONFIG: env.json(redactionConfigSchema, {
      default: {},
      description: 'PII redaction settings as JSON (detectors, custom regexes, per-workload overrides).',
    }),
    REDACTION_CONFIG_FILE: env.optionalString({ description: 'Path of a JSON file with the redaction settings.' }),
    ...shutdownEnv(),
    ...logLevelEnv(),
  },
  (v, ctx) => {
    const consumer = kafkaConsumerFrom(v, ctx);
    if (v.INGESTER_RETRY_BACKOFF_MAX_MS < v.INGESTER_RETRY_BACKOFF_BASE_MS) {
      ctx.problem('INGESTER_RETRY_BACKOFF_MAX_MS', 'must be >= INGESTER_RETRY_BACKOFF_BASE_MS');
    }
    if (v.INGESTER_MAX_RECORD_BYTES > v.INGESTER_HTTP_MAX_BODY_BYTES) {
      ctx.problem('INGESTER_MAX_RECORD_BYTES', 'must not exceed INGESTER_HTTP_MAX_BODY_BYTES');
    }
    if (v.INGESTER_HTTP_MAX_BODY_BYTES > v.INGESTER_BUFFER_MAX_BYTES) {
      ctx.problem('INGESTER_HTTP_MAX_BODY_BYTES', 'must not exceed INGESTER_BUFFER_MAX_BYTES');
    }
    const boot = storeBootFrom(v.LOG_STORE_BOOT_MAX_ATTEMPTS, {
      baseMs: v.INGESTER_RETRY_BACKOFF_BASE_MS,
      maxMs: v.INGESTER_RETRY_BACKOFF_MAX_MS,
    });
    // Throughput over read-your-writes: readers (the dataset builder) run long after ingestion.
    const store = logStoreConfigFrom(v, boot, ctx, { refresh: false });
    let redaction: RedactionConfig = v.REDACTION_CONFIG;
    if (v.REDACTION_CONFIG_FILE !== undefined) {
      const fromFile = readRedactionFile(v.REDACTION_CONFIG_FILE);
      if (typeof fromFile === 'string') ctx.problem('REDACTION_CONFIG_FILE', fromFile);
      else redaction = fromFile;
    }
    return {
      http: { host: v.HTTP_HOST, port: v.HTTP_PORT, maxBodyBytes: v.INGESTER_HTTP_MAX_BODY_BYTES },
      kafka: kafkaConfigFrom(v),
      schemaRegistryUrl: v.SCHEMA_REGISTRY_URL,
      consumer: {
        groupId: v.INGESTER_GROUP_ID,
        jsonTopic: v.INGESTER_JSON_TOPIC,
        createTopics: v.INGESTER_CREATE_TOPICS,
        topicPartitions: v.INGESTER_TOPIC_PARTITIONS,
        ...consumer,
        fetchMaxBytes: v.KAFKA_FETCH_MAX_BYTES,
        fetchMaxBytesPerPartition: v.KAFKA_FETCH_MAX_BYTES_PER_PARTITION,
        members: v.INGESTER_CONSUMERS,
        partitionsConcurrently: v.INGESTER_PARTITIONS_CONCURRENTLY,
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
      logLevels: logLevelsFrom(v),
      logFormat: logFormatFrom(v),
    };
  },
  { ownedPrefixes: ['INGESTER_', 'LOG_STORE_', 'REDACTION_', 'ELASTICSEARCH_'] },
);

export type IngesterConfig = ReturnType<(typeof ingesterEnv)['load']>;

/** Reads the configuration from an environment (main.ts passes process.env). Throws ConfigError. */
export function loadIngesterConfig(source: EnvSource): IngesterConfig {
  return ingesterEnv.load(source);
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
