// The deployer's configuration: every environment variable it reads, validated at once (a ConfigError lists each bad
// key), turned into the typed DeployerConfig. This is the only module that sees the environment; main.ts passes
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
  retryBackoffEnv,
  schemaRegistryEnv,
  shutdownEnv,
  type EnvSource,
  type PlatformConfig,
} from '@flywheel/service-kit';
import { z } from 'zod';

/** GPUs per model name, e.g. `{"meta/llama-3.1-8b-instruct": 2}`. */
const modelGpusSchema = z.record(z.string().min(1), z.number().int().positive());

const backoffEnv = retryBackoffEnv({ prefix: 'DEPLOYER', baseMs: 1000, maxMs: 30_000 });

export const deployerEnv = defineEnv(
  {
    ...httpEnv({ port: 8093, portDescription: 'HTTP port: /health/live, /health/ready, /metrics.' }),
    ...kafkaEnv({ clientId: 'deployer' }),
    ...schemaRegistryEnv(),
    ...platformEnv(),
    ...groupIdEnv({
      prefix: 'DEPLOYER',
      default: 'deployer',
      description: 'Consumer group of deploy requests and run events; records it gives up on go to `<group>.dlq`.',
    }),
    DEPLOYER_STATE_PATH: env.string({
      default: '.data/deployer/state.db',
      description: 'SQLite file of leases, the queue and deployments (directory created); `:memory:` in tests.',
    }),
    DEPLOYER_GPU_CAPACITY: env.int({
      default: 8,
      min: 1,
      description: 'GPUs the deployer may hold at once; deployments beyond it wait in a FIFO queue.',
    }),
    DEPLOYER_DEFAULT_GPUS: env.int({
      default: 1,
      min: 1,
      description: 'GPUs of a model when neither the request nor DEPLOYER_MODEL_GPUS names a number.',
    }),
    DEPLOYER_MODEL_GPUS: env.json(modelGpusSchema, {
      default: {},
      description: 'GPUs per model as JSON, e.g. {"meta/llama-3.1-8b-instruct": 2}; the request\'s `gpus` wins.',
    }),
    DEPLOYER_DEPLOY_ATTEMPTS: env.int({
      default: 3,
      min: 1,
      max: 20,
      description:
        'Attempts at one deployment on transient errors (platform unreachable, deployment vanished) before it fails.',
    }),
    ...backoffEnv.vars,
    DEPLOYER_RECONCILE_INTERVAL_MS: env.int({
      default: 60_000,
      min: 0,
      description: 'How often ready deployments are checked against the platform (0: only at start-up).',
    }),
    DEPLOYER_TICK_INTERVAL_MS: env.int({
      default: 5000,
      min: 10,
      description: 'Safety net: the worker looks at its state this often even when no event woke it.',
    }),
    ...shutdownEnv(),
    ...logLevelEnv(),
  },
  (v, ctx) => {
    const consumer = kafkaConsumerFrom(v, ctx);
    const backoff = backoffEnv.from(v, ctx);
    for (const [model, gpus] of Object.entries(v.DEPLOYER_MODEL_GPUS)) {
      if (gpus > v.DEPLOYER_GPU_CAPACITY) {
        ctx.problem(
          'DEPLOYER_MODEL_GPUS',
          `${model}: ${gpus} GPUs is more than DEPLOYER_GPU_CAPACITY (${v.DEPLOYER_GPU_CAPACITY})`,
        );
      }
    }
    const platform: PlatformConfig = platformConfigFrom(v, ctx);
    return {
      http: { host: v.HTTP_HOST, port: v.HTTP_PORT },
      kafka: kafkaConfigFrom(v),
      consumer,
      schemaRegistryUrl: v.SCHEMA_REGISTRY_URL,
      groupId: v.DEPLOYER_GROUP_ID,
      statePath: v.DEPLOYER_STATE_PATH,
      platform,
      wait: platformWaitFrom(v),
      capacity: {
        gpus: v.DEPLOYER_GPU_CAPACITY,
        defaultGpus: v.DEPLOYER_DEFAULT_GPUS,
        modelGpus: v.DEPLOYER_MODEL_GPUS,
      },
      deploy: {
        maxAttempts: v.DEPLOYER_DEPLOY_ATTEMPTS,
        ...backoff,
      },
      reconcileIntervalMs: v.DEPLOYER_RECONCILE_INTERVAL_MS,
      tickIntervalMs: v.DEPLOYER_TICK_INTERVAL_MS,
      shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
      logLevels: logLevelsFrom(v) satisfies LogLevel[],
      logFormat: logFormatFrom(v),
    };
  },
  { ownedPrefixes: ['DEPLOYER_', 'NEMO_', 'PLATFORM_'] },
);

export type DeployerConfig = ReturnType<(typeof deployerEnv)['load']>;

/** Reads the configuration from an environment (main.ts passes process.env). Throws ConfigError. */
export function loadDeployerConfig(source: EnvSource): DeployerConfig {
  return deployerEnv.load(source);
}
