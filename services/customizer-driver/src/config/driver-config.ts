// The customizer-driver's configuration: every environment variable it reads, validated at once (a ConfigError lists
// each bad key), turned into the typed DriverConfig. The only module that sees the environment: main.ts passes
// process.env in, tests pass plain objects.
import { type LogLevel } from '@nestjs/common';
import {
  defineEnv,
  env,
  groupIdEnv,
  httpEnv,
  kafkaConfigFrom,
  kafkaConsumerFrom,
  kafkaEnv,
  logLevelEnv,
  logLevelsFrom,
  logFormatFrom,
  platformConfigFrom,
  platformEnv,
  platformWaitFrom,
  readJsonFile,
  retryBackoffEnv,
  schemaRegistryEnv,
  shutdownEnv,
  type BuildContext,
  type EnvSource,
} from '@flywheel/service-kit';
import { type z } from 'zod';
import { loraSettingsSchema, trainingSettingsSchema } from '../customization/hyperparameters';
import { modelSettingsSchema, type ModelSettings } from './model-settings';

const backoffEnv = retryBackoffEnv({ prefix: 'CUSTOMIZER', baseMs: 1000, maxMs: 30_000 });

export const driverEnv = defineEnv(
  {
    ...httpEnv({ port: 8094, portDescription: 'HTTP port: /health/live, /health/ready, /metrics.' }),
    ...kafkaEnv({ clientId: 'customizer-driver' }),
    ...schemaRegistryEnv(),
    ...platformEnv(),
    ...groupIdEnv({
      prefix: 'CUSTOMIZER',
      default: 'customizer-driver',
      description: 'Consumer group of every topic the driver reads; records it gives up on go to `<group>.dlq`.',
    }),
    CUSTOMIZER_STATE_PATH: env.string({
      default: '.data/customizer-driver/state.db',
      description: 'SQLite file of runs, customizations and their platform job ids (directory created).',
    }),
    CUSTOMIZER_MAX_CONCURRENT_JOBS: env.int({
      default: 4,
      min: 1,
      max: 1000,
      description: 'Customization jobs this driver keeps in flight on the platform at once; more wait their turn.',
    }),
    CUSTOMIZER_WORKER_INTERVAL_MS: env.int({
      default: 1000,
      min: 10,
      description: 'How often the worker looks for work besides being woken by events (retries, resumed jobs).',
    }),
    CUSTOMIZER_PROGRESS_INTERVAL_MS: env.int({
      default: 5000,
      min: 0,
      description: 'Shortest time between two progress events of one job (a status change is reported at once).',
    }),
    CUSTOMIZER_PROGRESS_HEARTBEAT_MS: env.int({
      default: 60_000,
      min: 1000,
      description: 'A progress event at least this often while a job runs, even unchanged (shows the driver lives).',
    }),
    CUSTOMIZER_MAX_ATTEMPTS: env.int({
      default: 5,
      min: 1,
      description: 'Attempts at a platform step (creating, cancelling a job, deleting a model) that fails transiently.',
    }),
    ...backoffEnv.vars,
    CUSTOMIZER_TRAINING_CONFIG: env.json(trainingSettingsSchema, {
      default: {},
      description:
        'Service training settings as JSON {training_type, finetuning_type, epochs, batch_size, learning_rate}; blueprint defaults under it, run overrides over it.',
    }),
    CUSTOMIZER_LORA_CONFIG: env.json(loraSettingsSchema, {
      default: {},
      description: 'Service LoRA settings as JSON {adapter_dim, adapter_dropout}; blueprint defaults under it.',
    }),
    CUSTOMIZER_MODELS: env.json(modelSettingsSchema, {
      default: [],
      description:
        "Per-model Customizer settings: the blueprint's nims list, [{model_name, customizer_configs: {target, gpus, num_nodes, …, max_seq_length}}].",
    }),
    CUSTOMIZER_MODELS_FILE: env.optionalString({
      description: 'Path of a JSON file with the per-model settings (wins over CUSTOMIZER_MODELS).',
    }),
    ...shutdownEnv(),
    ...logLevelEnv(),
  },
  (v, ctx) => {
    const consumer = kafkaConsumerFrom(v, ctx);
    const backoff = backoffEnv.from(v, ctx);
    let models: ModelSettings = v.CUSTOMIZER_MODELS;
    if (v.CUSTOMIZER_MODELS_FILE !== undefined) {
      const fromFile = readJsonFile(v.CUSTOMIZER_MODELS_FILE);
      if (typeof fromFile === 'string') ctx.problem('CUSTOMIZER_MODELS_FILE', fromFile);
      else models = checked(ctx, 'CUSTOMIZER_MODELS_FILE', fromFile.value, modelSettingsSchema) ?? [];
    }
    return {
      http: { host: v.HTTP_HOST, port: v.HTTP_PORT },
      kafka: kafkaConfigFrom(v),
      consumer,
      schemaRegistryUrl: v.SCHEMA_REGISTRY_URL,
      groupId: v.CUSTOMIZER_GROUP_ID,
      platform: platformConfigFrom(v, ctx),
      wait: platformWaitFrom(v),
      namespace: v.NEMO_NAMESPACE,
      statePath: v.CUSTOMIZER_STATE_PATH,
      worker: {
        maxConcurrentJobs: v.CUSTOMIZER_MAX_CONCURRENT_JOBS,
        intervalMs: v.CUSTOMIZER_WORKER_INTERVAL_MS,
        progressIntervalMs: v.CUSTOMIZER_PROGRESS_INTERVAL_MS,
        progressHeartbeatMs: v.CUSTOMIZER_PROGRESS_HEARTBEAT_MS,
        maxAttempts: v.CUSTOMIZER_MAX_ATTEMPTS,
        ...backoff,
      },
      training: { training: v.CUSTOMIZER_TRAINING_CONFIG, lora: v.CUSTOMIZER_LORA_CONFIG },
      models,
      shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
      logLevels: logLevelsFrom(v) satisfies LogLevel[],
      logFormat: logFormatFrom(v),
    };
  },
  { ownedPrefixes: ['CUSTOMIZER_', 'NEMO_', 'PLATFORM_'] },
);

export type DriverConfig = ReturnType<(typeof driverEnv)['load']>;
export type WorkerSettings = DriverConfig['worker'];

/** Reads the configuration from an environment (main.ts passes process.env). Throws ConfigError. */
export function loadDriverConfig(source: EnvSource): DriverConfig {
  return driverEnv.load(source);
}

function checked<T>(
  ctx: BuildContext,
  key: string,
  value: unknown,
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
): T | undefined {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const i of parsed.error.issues) {
    ctx.problem(key, i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message);
  }
  return undefined;
}
