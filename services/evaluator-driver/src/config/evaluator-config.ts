// The evaluator-driver's configuration: every environment variable it reads, validated at once (a ConfigError lists
// each bad key). The only module that sees the environment; main.ts passes process.env in, tests pass plain objects.
import { type LogLevel } from '@nestjs/common';
import { type JudgeRef } from '@flywheel/platform-clients';
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
  platformConfigFrom,
  platformEnv,
  platformWaitFrom,
  schemaRegistryEnv,
  secret,
  shutdownEnv,
  type EnvSource,
} from '@flywheel/service-kit';

/** The blueprint's default LLM judge, served by the platform (the simulator serves it without a deployment). */
export const DEFAULT_JUDGE_MODEL = 'meta/llama-3.3-70b-instruct';

const busEnv = busConsumerEnv({
  prefix: 'EVALUATOR',
  groupId: {
    default: 'evaluator-driver',
    description: 'Consumer group of every event the driver reads; records it gives up on go to `<group>.dlq`.',
  },
  handlerTimeoutMs: {
    default: 30_000,
    min: 100,
    description: 'Longest one handler may take (it only writes the state file) before it is retried.',
  },
  maxAttempts: {
    default: 5,
    min: 1,
    description: 'Attempts at an event whose handler fails (e.g. the state file is locked) before the DLQ.',
  },
  backoff: { baseMs: 500, maxMs: 30_000 },
});

export const evaluatorEnv = defineEnv(
  {
    ...httpEnv({ port: 8095, portDescription: 'HTTP port: /health/live, /health/ready, /metrics.' }),
    ...kafkaEnv({ clientId: 'evaluator-driver' }),
    ...schemaRegistryEnv(),
    ...platformEnv(),
    ...busEnv.vars,
    EVALUATOR_STATE_PATH: env.string({
      default: '.data/evaluator-driver/state.db',
      description: 'SQLite file of what was seen per run and model and of every evaluation job (directory created).',
    }),
    EVALUATOR_MAX_CONCURRENT_JOBS: env.int({
      default: 4,
      min: 1,
      max: 256,
      description: 'Evaluation jobs this driver keeps open on the platform at once; the rest wait their turn.',
    }),
    EVALUATOR_PROGRESS_INTERVAL_MS: env.int({
      default: 5000,
      min: 0,
      description: 'Least time between two evaluation.progress events of one job (status changes always publish).',
    }),
    EVALUATOR_TICK_INTERVAL_MS: env.int({
      default: 1000,
      min: 1,
      description: 'How often the worker looks for work besides being woken by an event.',
    }),
    EVALUATOR_JOB_ATTEMPTS: env.int({
      default: 3,
      min: 1,
      max: 20,
      description:
        'Job creations per evaluation: the first plus re-creations after a transient create error or a lost job.',
    }),
    EVALUATOR_JUDGE_MODEL: env.string({
      default: DEFAULT_JUDGE_MODEL,
      description: 'LLM judge model (tool-calling correctness, similarity).',
    }),
    EVALUATOR_JUDGE_URL: env.optionalUrl({
      description: 'OpenAI-compatible /v1 base URL of the judge; unset = a model the platform serves itself.',
    }),
    EVALUATOR_JUDGE_API_KEY: secret(env.optionalString({ description: 'Bearer token of EVALUATOR_JUDGE_URL.' })),
    EVALUATOR_EVAL_LIMIT: env.int({
      default: 0,
      min: 0,
      description: 'Evaluate at most this many records of each dataset (0 = all).',
    }),
    ...shutdownEnv(),
    ...logLevelEnv(),
  },
  (v, ctx) => {
    const consumer = kafkaConsumerFrom(v, ctx);
    const bus = busEnv.from(v, ctx);
    if (v.EVALUATOR_JUDGE_API_KEY !== undefined && v.EVALUATOR_JUDGE_URL === undefined) {
      ctx.problem('EVALUATOR_JUDGE_API_KEY', 'set without EVALUATOR_JUDGE_URL (a platform judge takes no key)');
    }
    const judge: JudgeRef =
      v.EVALUATOR_JUDGE_URL === undefined
        ? { kind: 'platform', model: v.EVALUATOR_JUDGE_MODEL }
        : {
            kind: 'endpoint',
            baseUrl: v.EVALUATOR_JUDGE_URL,
            model: v.EVALUATOR_JUDGE_MODEL,
            apiKey: v.EVALUATOR_JUDGE_API_KEY,
          };
    return {
      http: { host: v.HTTP_HOST, port: v.HTTP_PORT },
      kafka: kafkaConfigFrom(v),
      consumer,
      schemaRegistryUrl: v.SCHEMA_REGISTRY_URL,
      ...bus,
      statePath: v.EVALUATOR_STATE_PATH,
      platform: platformConfigFrom(v, ctx),
      wait: platformWaitFrom(v),
      worker: {
        maxConcurrentJobs: v.EVALUATOR_MAX_CONCURRENT_JOBS,
        progressIntervalMs: v.EVALUATOR_PROGRESS_INTERVAL_MS,
        tickIntervalMs: v.EVALUATOR_TICK_INTERVAL_MS,
        jobAttempts: v.EVALUATOR_JOB_ATTEMPTS,
        backoffBaseMs: bus.retry.backoffBaseMs,
        backoffMaxMs: bus.retry.backoffMaxMs,
        limit: v.EVALUATOR_EVAL_LIMIT === 0 ? undefined : v.EVALUATOR_EVAL_LIMIT,
        judge,
      },
      shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
      logLevels: logLevelsFrom(v) satisfies LogLevel[],
      logFormat: logFormatFrom(v),
    };
  },
  { ownedPrefixes: ['EVALUATOR_', 'NEMO_', 'PLATFORM_', 'OPENAI_COMPATIBLE_'] },
);

export type EvaluatorConfig = ReturnType<(typeof evaluatorEnv)['load']>;
export type WorkerSettings = EvaluatorConfig['worker'];

/** Reads the configuration from an environment (main.ts passes process.env). Throws ConfigError. */
export function loadEvaluatorConfig(source: EnvSource): EvaluatorConfig {
  return evaluatorEnv.load(source);
}
