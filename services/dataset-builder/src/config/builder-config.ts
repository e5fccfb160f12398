// The dataset-builder's configuration: every environment variable it reads, validated at once (a ConfigError lists
// each bad key), turned into the typed BuilderConfig. This is the only module that sees the environment; main.ts
// passes process.env in, tests pass plain objects.
import { type LogLevel } from '@nestjs/common';
import { CurationConfigError, parseServiceConfig, type CurationConfig } from '@flywheel/curation';
import {
  busConsumerEnv,
  defineEnv,
  env,
  httpEnv,
  kafkaConfigFrom,
  kafkaConsumerFrom,
  kafkaEnv,
  logLevelEnv,
  logLevelsFrom,
  logFormatFrom,
  logStoreBootEnv,
  logStoreConfigFrom,
  logStoreEnv,
  readJsonFile,
  schemaRegistryEnv,
  shutdownEnv,
  secret,
  storeBootFrom,
  type EnvSource,
} from '@flywheel/service-kit';
import { z } from 'zod';

const DEFAULT_PLATFORM_URL = 'http://127.0.0.1:8080';
/** Any JSON object here; curation's own schema checks it in the build step, so its problems name the key. */
const jsonObject = z.record(z.unknown());

const busEnv = busConsumerEnv({
  prefix: 'BUILDER',
  groupId: {
    default: 'dataset-builder',
    description: 'Consumer group of run requests; records it gives up on go to `<group>.dlq`.',
  },
  handlerTimeoutMs: {
    default: 600_000,
    min: 1000,
    description: 'Longest one build may take (curation of `limit` records plus uploads) before it is retried.',
  },
  maxAttempts: {
    default: 5,
    min: 1,
    description: 'Attempts at a build that hits transient errors; after the last the run is failed (retryable).',
  },
  backoff: { baseMs: 1000, maxMs: 30_000 },
});

export const builderEnv = defineEnv(
  {
    ...httpEnv({ port: 8092, portDescription: 'HTTP port: /health/live, /health/ready, /metrics.' }),
    ...kafkaEnv({ clientId: 'dataset-builder' }),
    ...schemaRegistryEnv(),
    ...busEnv.vars,
    BUILDER_STATE_PATH: env.string({
      default: '.data/dataset-builder/state.db',
      description: 'SQLite file of cancelled runs and finished builds (directory created); `:memory:` in tests.',
    }),
    BUILDER_CONCURRENT_BUILDS: env.int({
      default: 4,
      min: 1,
      max: 64,
      description:
        'Runs built at once. Requests are queued in the state file as they arrive; beyond this many they wait, oldest first. A build mostly waits on the log store and the Data Store, so several overlap well.',
    }),
    BUILDER_READ_FACTOR: env.int({
      default: 2,
      min: 1,
      max: 100,
      description: 'Log records read per record a run may use (`limit` × this, newest first; the blueprint reads 2×).',
    }),
    ...logStoreEnv({ sqlitePathDescription: 'SQLite file the log-ingester writes (shared).' }),
    ...logStoreBootEnv(),
    PLATFORM_BACKEND: env.oneOf(['nemo', 'openai-compatible'] as const, {
      default: 'nemo',
      description:
        'Where datasets go: the NeMo Data Store / Entity Store, or a directory (OpenAI-compatible backends).',
    }),
    NEMO_BASE_URL: env.url({
      default: DEFAULT_PLATFORM_URL,
      description: 'Entity Store ingress (the platform simulator by default).',
    }),
    NEMO_DATASTORE_URL: env.optionalUrl({ description: 'Data Store (HF Hub protocol); default NEMO_BASE_URL.' }),
    NEMO_NIM_URL: env.optionalUrl({ description: 'NIM proxy; default NEMO_BASE_URL (unused for datasets).' }),
    NEMO_NAMESPACE: env.string({ default: 'dfwbp', description: 'Namespace of the datasets (both backends).' }),
    NEMO_HF_TOKEN: secret(env.optionalString({ description: 'Bearer token for the Data Store (secret).' })),
    PLATFORM_TIMEOUT_MS: env.int({ default: 30_000, min: 1, description: 'Per platform call.' }),
    PLATFORM_UPLOAD_TIMEOUT_MS: env.int({ default: 600_000, min: 1, description: 'Per request of a file upload.' }),
    DATASETS_DIR: env.string({
      default: '.data/datasets',
      description: 'Dataset directory of the OpenAI-compatible backend, shared with the evaluator.',
    }),
    CURATION_CONFIG: env.json(jsonObject, {
      default: {},
      description:
        'Service curation config as JSON (data_split_config, icl_config, training_config); blueprint defaults under it.',
    }),
    CURATION_CONFIG_FILE: env.optionalString({ description: 'Path of a JSON file with the curation config.' }),
    EMBEDDING_BASE_URL: env.optionalUrl({
      description: 'OpenAI-compatible /v1 base URL of the embedding model for semantic ICL selection.',
    }),
    EMBEDDING_MODEL: env.string({
      default: 'nvidia/llama-3.2-nv-embedqa-1b-v2',
      description: 'Embedding model name.',
    }),
    EMBEDDING_API_KEY: secret(env.optionalString({ description: 'Bearer token of the embedding endpoint (secret).' })),
    EMBEDDING_TIMEOUT_MS: env.int({ default: 30_000, min: 1, description: 'Per embedding call.' }),
    ...shutdownEnv(),
    ...logLevelEnv(),
  },
  (v, ctx) => {
    const consumer = kafkaConsumerFrom(v, ctx);
    const bus = busEnv.from(v, ctx);
    const boot = storeBootFrom(v.LOG_STORE_BOOT_MAX_ATTEMPTS, {
      baseMs: bus.retry.backoffBaseMs,
      maxMs: bus.retry.backoffMaxMs,
    });
    const store = logStoreConfigFrom(v, boot, ctx);
    let curationInput: unknown = v.CURATION_CONFIG;
    let curationKey = 'CURATION_CONFIG';
    if (v.CURATION_CONFIG_FILE !== undefined) {
      const fromFile = readJsonFile(v.CURATION_CONFIG_FILE);
      curationKey = 'CURATION_CONFIG_FILE';
      if (typeof fromFile === 'string') ctx.problem('CURATION_CONFIG_FILE', fromFile);
      else curationInput = fromFile.value;
    }
    let curation: CurationConfig | undefined;
    try {
      curation = parseServiceConfig(curationInput);
    } catch (err) {
      if (!(err instanceof CurationConfigError)) throw err;
      for (const issue of err.issues) ctx.problem(curationKey, `${issue.path}: ${issue.message}`);
    }
    const platform: PlatformSettings =
      v.PLATFORM_BACKEND === 'nemo'
        ? {
            backend: 'nemo',
            nemoBaseUrl: v.NEMO_BASE_URL,
            datastoreBaseUrl: v.NEMO_DATASTORE_URL ?? v.NEMO_BASE_URL,
            nimBaseUrl: v.NEMO_NIM_URL ?? v.NEMO_BASE_URL,
            hfToken: v.NEMO_HF_TOKEN,
            timeoutMs: v.PLATFORM_TIMEOUT_MS,
            uploadTimeoutMs: v.PLATFORM_UPLOAD_TIMEOUT_MS,
          }
        : { backend: 'openai-compatible', datasetsDir: v.DATASETS_DIR };
    return {
      http: { host: v.HTTP_HOST, port: v.HTTP_PORT },
      kafka: kafkaConfigFrom(v),
      consumer,
      schemaRegistryUrl: v.SCHEMA_REGISTRY_URL,
      ...bus,
      statePath: v.BUILDER_STATE_PATH,
      concurrentBuilds: v.BUILDER_CONCURRENT_BUILDS,
      readFactor: v.BUILDER_READ_FACTOR,
      store,
      platform,
      namespace: v.NEMO_NAMESPACE,
      // Only reached when parsing succeeded: a problem above makes load() throw before the config is used.
      curation: curation as CurationConfig,
      embedding:
        v.EMBEDDING_BASE_URL === undefined
          ? null
          : {
              baseUrl: v.EMBEDDING_BASE_URL,
              model: v.EMBEDDING_MODEL,
              apiKey: v.EMBEDDING_API_KEY,
              timeoutMs: v.EMBEDDING_TIMEOUT_MS,
            },
      shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
      logLevels: logLevelsFrom(v) satisfies LogLevel[],
      logFormat: logFormatFrom(v),
    };
  },
  { ownedPrefixes: ['BUILDER_', 'LOG_STORE_', 'NEMO_', 'PLATFORM_', 'CURATION_', 'EMBEDDING_', 'ELASTICSEARCH_'] },
);

export type PlatformSettings =
  | {
      readonly backend: 'nemo';
      readonly nemoBaseUrl: string;
      readonly datastoreBaseUrl: string;
      readonly nimBaseUrl: string;
      readonly hfToken: string | undefined;
      readonly timeoutMs: number;
      readonly uploadTimeoutMs: number;
    }
  | { readonly backend: 'openai-compatible'; readonly datasetsDir: string };

export type BuilderConfig = ReturnType<(typeof builderEnv)['load']>;

/** Reads the configuration from an environment (main.ts passes process.env). Throws ConfigError. */
export function loadBuilderConfig(source: EnvSource): BuilderConfig {
  return builderEnv.load(source);
}
