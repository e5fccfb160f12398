// The embedded default profile's infrastructure in one process: a Kafka-protocol broker and a
// Confluent-compatible schema registry, optionally persisted under one data directory.
import { join } from 'node:path';
import { startEmbeddedKafka, type EmbeddedKafka } from '@flywheel/embedded-kafka';
import { startEmbeddedSchemaRegistry } from '@flywheel/embedded-schema-registry';

export interface DevStackOptions {
  host?: string;
  /** Port of the (first) Kafka broker; 0 = any free port. */
  kafkaPort?: number;
  brokers?: number;
  registryPort?: number;
  /** Persist under this directory (kafka/ and schema-registry/); in memory when absent. */
  dataDir?: string;
  fsync?: 'always' | 'never';
  log?: (line: string) => void;
}

export interface DevStack {
  readonly kafka: EmbeddedKafka;
  readonly bootstrapServers: string[];
  readonly schemaRegistryUrl: string;
  stop(): Promise<void>;
}

export async function startDevStack(opts: DevStackOptions = {}): Promise<DevStack> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? (() => undefined);
  const kafka = await startEmbeddedKafka({
    host,
    port: opts.kafkaPort ?? 0,
    brokers: opts.brokers ?? 1,
    dataDir: opts.dataDir ? join(opts.dataDir, 'kafka') : undefined,
    fsync: opts.fsync ?? 'never',
    log: (l) => log(`[kafka] ${l}`),
  });
  let registry: Awaited<ReturnType<typeof startEmbeddedSchemaRegistry>>;
  try {
    registry = await startEmbeddedSchemaRegistry({
      host,
      port: opts.registryPort ?? 0,
      dataDir: opts.dataDir ? join(opts.dataDir, 'schema-registry') : undefined,
      log: (l) => log(`[schema-registry] ${l}`),
    });
  } catch (err) {
    await kafka.stop();
    throw err;
  }
  return {
    kafka,
    bootstrapServers: kafka.bootstrapServers,
    schemaRegistryUrl: registry.url,
    stop: async () => {
      await Promise.all([kafka.stop(), registry.stop()]);
    },
  };
}
