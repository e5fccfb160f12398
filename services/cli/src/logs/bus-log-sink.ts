// The LogSink on Kafka: the event bus publishes each record to the production-log topic in the Confluent Avro wire
// format (schema registered through the registry, key = workload_id, idempotent producer, acks=all). Connecting and
// every publish are bounded by the CLI's timeout, so an unreachable broker or registry is a clear error, not a hang.
import { KafkaEventBus, type BusLogger } from '@flywheel/bus';
import { catalogue, Topics, type LlmCallLoggedV1 } from '@flywheel/contracts';
import { type ConnectionOptions } from '../config';
import { CliError, errorText, rootCauseText } from '../errors';
import { type LogSink } from './load-logs';

export interface BusLogSink extends LogSink {
  close(): Promise<void>;
}

// kafkajs logs every failed connection attempt; the CLI reports the outcome once instead.
const quiet: BusLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CliError(`${what}: no answer within ${ms / 1000} s (--timeout)`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Fails fast, with the URL and the cause, when nothing answers at the schema registry's address. */
async function checkRegistry(url: string, timeoutMs: number): Promise<void> {
  try {
    const res = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(Math.min(timeoutMs, 10_000)) });
    if (!res.ok) throw new Error(`GET /subjects answered HTTP ${res.status}`);
  } catch (err) {
    throw new CliError(
      `schema registry at ${url} is not reachable (${rootCauseText(err)}); start the embedded stack with \`npm run kafka\` ` +
        'or pass --schema-registry-url / set FLYWHEEL_SCHEMA_REGISTRY_URL',
      undefined,
      { cause: err },
    );
  }
}

export async function openBusLogSink(connection: ConnectionOptions): Promise<BusLogSink> {
  const { kafkaBrokers, schemaRegistryUrl, timeoutMs } = connection;
  await checkRegistry(schemaRegistryUrl, timeoutMs);
  const bus = new KafkaEventBus(
    {
      catalogue,
      kafka: {
        brokers: [...kafkaBrokers],
        clientId: 'flywheel-cli',
        connectionTimeoutMs: Math.min(timeoutMs, 5000),
        requestTimeoutMs: timeoutMs,
        // A few quick retries: a CLI user would rather hear "unreachable" in seconds than wait out a long backoff.
        retry: { retries: 2, initialRetryTimeMs: 200, maxRetryTimeMs: 2000 },
        logLevel: 'nothing',
      },
      schemaRegistry: { url: schemaRegistryUrl },
      groupId: 'flywheel-cli',
      consumer: {},
    },
    { logger: quiet },
  );
  const close = async (): Promise<void> => {
    // A producer stuck reconnecting must not keep the CLI from exiting.
    await withTimeout(bus.close(), 5000, 'closing the Kafka producer').catch(() => undefined);
  };
  try {
    // Connects the producer and registers the catalogue's schemas.
    await withTimeout(bus.start(), timeoutMs, `connecting to Kafka at ${kafkaBrokers.join(',')}`);
  } catch (err) {
    await close();
    if (err instanceof CliError) throw err;
    throw new CliError(
      `cannot publish to Kafka at ${kafkaBrokers.join(',')} (${errorText(err)}); start the embedded stack with ` +
        '`npm run kafka` or pass --brokers / set FLYWHEEL_KAFKA_BROKERS',
      undefined,
      { cause: err },
    );
  }
  return {
    publish: async (records: readonly LlmCallLoggedV1[]) => {
      await withTimeout(
        bus.publishMany(
          records.map((payload) => ({
            topic: Topics.llmCallLoggedV1,
            payload,
            options: { eventId: payload.event_id },
          })),
        ),
        timeoutMs,
        `publishing ${records.length} records to ${Topics.llmCallLoggedV1}`,
      );
    },
    close,
  };
}
