// An embedded, Confluent-compatible Schema Registry (Avro only) for the dev/test profile: the REST subset that
// @kafkajs/confluent-schema-registry and Confluent's serializers use, in memory or persisted to one JSON file.
import { type AddressInfo } from 'node:net';
import { errorMessage } from './errors';
import { createRegistryServer, DEFAULT_MAX_BODY_BYTES } from './http-server';
import { SchemaRegistryCore } from './registry';
import { FileRegistryStore } from './registry-store';

export { COMPATIBILITY_LEVELS, type CompatibilityLevel } from './compatibility';
export { RegistryError } from './errors';
export { CONTENT_TYPE, DEFAULT_MAX_BODY_BYTES } from './http-server';
export {
  SchemaRegistryCore,
  type RegisterResult,
  type SchemaInput,
  type SchemaView,
  type SubjectVersionView,
  type VersionSpec,
} from './registry';
export { FileRegistryStore, STATE_FILE_NAME, type RegistrySnapshot, type RegistryStore } from './registry-store';
export { type SchemaReference } from './avro-schema';

export interface EmbeddedSchemaRegistryOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Persist to `<dataDir>/schema-registry.json`; in memory when absent. */
  dataDir?: string;
  log?: (msg: string) => void;
  /** Request bodies above this get 413; defaults to 1 MiB. */
  maxBodyBytes?: number;
}

export interface EmbeddedSchemaRegistry {
  /** e.g. http://127.0.0.1:8081 */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startEmbeddedSchemaRegistry(
  opts: EmbeddedSchemaRegistryOptions = {},
): Promise<EmbeddedSchemaRegistry> {
  const log = opts.log ?? (() => undefined);
  const host = opts.host ?? '127.0.0.1';
  // Loading first: a corrupt state file fails the start before a port is taken.
  const registry = new SchemaRegistryCore(opts.dataDir === undefined ? undefined : new FileRegistryStore(opts.dataDir));
  const server = createRegistryServer(registry, { log, maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => log(`schema registry: server error: ${errorMessage(err)}`));

  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const { schemas, subjects } = registry.stats();
  const storage = opts.dataDir === undefined ? 'in memory' : `data dir ${opts.dataDir}`;
  log(`schema registry listening on ${url} (${storage}; ${schemas} schemas, ${subjects} subjects)`);

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    stop: () => {
      stopping ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets from clients would otherwise hold close() open until they time out.
        server.closeAllConnections();
      }).then(() => log(`schema registry on ${url} stopped`));
      return stopping;
    },
  };
}
