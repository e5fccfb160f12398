// Env fragments every flywheel service reads the same way: spread them into a `defineEnv` shape, then map the parsed
// variables with the `*From` helpers. One definition keeps names, defaults and checks identical across services;
// what differs per service (port, client id, a description) is a parameter.
import { type LogLevel } from '@nestjs/common';
import { type BuildContext } from './define-env';
import { env } from './env';

const MiB = 1024 * 1024;

/** Nest log levels, least to most verbose: LOG_LEVEL picks a prefix of this list. */
export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const satisfies readonly LogLevel[];
export type ServiceLogLevel = (typeof LOG_LEVELS)[number];

export const KAFKA_LOG_LEVELS = ['nothing', 'error', 'warn', 'info', 'debug'] as const;

/** HTTP_HOST / HTTP_PORT. The port differs per service, and so does what it serves (the description). */
export function httpEnv(opts: { port: number; portDescription: string }) {
  return {
    HTTP_HOST: env.string({
      default: '127.0.0.1',
      description: 'Interface the HTTP server binds (0.0.0.0 in containers).',
    }),
    HTTP_PORT: env.port({ default: opts.port, description: opts.portDescription }),
  };
}

/** The kafkajs client and consumer-group timings (KAFKA_*); `clientId` is the KAFKA_CLIENT_ID default. */
export function kafkaEnv(opts: { clientId: string }) {
  return {
    KAFKA_BROKERS: env.list({
      default: ['127.0.0.1:9092'],
      description: 'Bootstrap brokers, comma-separated host:port.',
    }),
    KAFKA_CLIENT_ID: env.string({ default: opts.clientId, description: 'kafkajs client id.' }),
    KAFKA_CONNECTION_TIMEOUT_MS: env.int({ default: 3000, min: 1, description: 'Broker connection timeout.' }),
    KAFKA_REQUEST_TIMEOUT_MS: env.int({ default: 30_000, min: 1, description: 'Broker request timeout.' }),
    KAFKA_SESSION_TIMEOUT_MS: env.int({ default: 30_000, min: 1, description: 'Consumer-group session timeout.' }),
    KAFKA_HEARTBEAT_INTERVAL_MS: env.int({ default: 3000, min: 1, description: 'Consumer heartbeat interval.' }),
    KAFKA_MAX_WAIT_MS: env.int({
      default: 500,
      min: 1,
      description: 'Longest a fetch waits for records: the time bound of a Kafka batch.',
    }),
    KAFKA_LOG_LEVEL: env.oneOf(KAFKA_LOG_LEVELS, { default: 'error', description: 'kafkajs log level.' }),
  };
}

/** Fetch size bounds, for consumers that read in large batches (the size bound of a Kafka batch). */
export function kafkaFetchEnv() {
  return {
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
  };
}

export function schemaRegistryEnv() {
  return {
    SCHEMA_REGISTRY_URL: env.url({
      default: 'http://127.0.0.1:8081',
      description: 'Confluent-compatible schema registry.',
    }),
  };
}

export function shutdownEnv() {
  return { SHUTDOWN_TIMEOUT_MS: env.int({ default: 30_000, min: 100, description: 'Graceful shutdown deadline.' }) };
}

/** LOG_LEVEL; map it with `logLevelsFrom`. */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function logLevelEnv() {
  return {
    LOG_LEVEL: env.oneOf(LOG_LEVELS, { default: 'log', description: 'Most verbose level logged.' }),
    LOG_FORMAT: env.oneOf(LOG_FORMATS, {
      default: 'text',
      description:
        'text (Nest lines) or json (one JSON object a line: time, level, service, context, and trace_id / span_id / run_id inside a trace; secrets masked).',
    }),
  };
}

export function logFormatFrom(v: { readonly LOG_FORMAT: LogFormat }): LogFormat {
  return v.LOG_FORMAT;
}

export interface KafkaVars {
  readonly KAFKA_BROKERS: readonly string[];
  readonly KAFKA_CLIENT_ID: string;
  readonly KAFKA_CONNECTION_TIMEOUT_MS: number;
  readonly KAFKA_REQUEST_TIMEOUT_MS: number;
  readonly KAFKA_SESSION_TIMEOUT_MS: number;
  readonly KAFKA_HEARTBEAT_INTERVAL_MS: number;
  readonly KAFKA_MAX_WAIT_MS: number;
  readonly KAFKA_LOG_LEVEL: (typeof KAFKA_LOG_LEVELS)[number];
}

/** The kafkajs client settings. */
export function kafkaConfigFrom(v: KafkaVars) {
  return {
    brokers: [...v.KAFKA_BROKERS],
    clientId: v.KAFKA_CLIENT_ID,
    connectionTimeoutMs: v.KAFKA_CONNECTION_TIMEOUT_MS,
    requestTimeoutMs: v.KAFKA_REQUEST_TIMEOUT_MS,
    logLevel: v.KAFKA_LOG_LEVEL,
  };
}

/**
 * The consumer-group timings. A session shorter than a fetch wait plus a heartbeat gets the member evicted while it
 * waits, so that combination is a config problem (reported on KAFKA_SESSION_TIMEOUT_MS).
 */
export function kafkaConsumerFrom(v: KafkaVars, ctx: BuildContext) {
  if (v.KAFKA_MAX_WAIT_MS + v.KAFKA_HEARTBEAT_INTERVAL_MS >= v.KAFKA_SESSION_TIMEOUT_MS) {
    ctx.problem('KAFKA_SESSION_TIMEOUT_MS', 'must exceed KAFKA_MAX_WAIT_MS + KAFKA_HEARTBEAT_INTERVAL_MS');
  }
  return {
    sessionTimeoutMs: v.KAFKA_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: v.KAFKA_HEARTBEAT_INTERVAL_MS,
    maxWaitTimeMs: v.KAFKA_MAX_WAIT_MS,
  };
}

/** The Nest log levels up to LOG_LEVEL. */
export function logLevelsFrom(v: { readonly LOG_LEVEL: ServiceLogLevel }): ServiceLogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(v.LOG_LEVEL) + 1);
}
