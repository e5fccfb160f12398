// The results-aggregator's configuration: every environment variable it reads, validated at once (a ConfigError lists
// each bad key). This is the only module that sees the environment; main.ts passes process.env, tests plain objects.
import { readFileSync } from 'node:fs';
import { type LogLevel } from '@nestjs/common';
import { z } from 'zod';
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
  logStoreConfigFrom,
  logStoreEnv,
  schemaRegistryEnv,
  shutdownEnv,
  runStoreConfigFrom,
  runStoreEnv,
  storeBootFrom,
  type EnvSource,
} from '@flywheel/service-kit';
import { runRequestInputSchema } from '@flywheel/contracts';

const candidateSchema = z
  .object({
    model_name: z.string().trim().min(1),
    context_length: z.number().int().positive().nullable().default(null),
    icl_enabled: z.boolean().default(true),
    customization_enabled: z.boolean().default(false),
  })
  .strict();

/** The blueprint's default NIM list (config.yaml), used when a job names no candidates. */
const DEFAULT_CANDIDATES = [
  { model_name: 'meta/llama-3.2-1b-instruct', context_length: 8192, icl_enabled: true, customization_enabled: true },
  { model_name: 'meta/llama-3.2-3b-instruct', context_length: 8192, icl_enabled: true, customization_enabled: true },
  { model_name: 'meta/llama-3.1-8b-instruct', context_length: 8192, icl_enabled: true, customization_enabled: true },
];

/** The teacher's reference score per metric: the logged answers are its own, so accuracy 1.0 and similarity 10. */
const DEFAULT_TEACHER_SCORES: Record<string, number> = {
  function_name_accuracy: 1,
  function_name_and_args_accuracy: 1,
  tool_calling_correctness: 1,
  similarity: 10,
};

const jsonObject = z.record(z.unknown());

/** One run trigger: the workload's traffic starts a run (see AGGREGATOR_RUN_TRIGGERS). */
const runTriggerSchema = z
  .object({
    workload_id: z.string().trim().min(1),
    client_id: z.string().trim().min(1),
    min_new_records: z.number().int().min(1),
    /** The POST /api/jobs body, without workload_id and client_id (candidates, data_split_config, …). */
    job: jsonObject.default({}),
  })
  .strict();

const busEnv = busConsumerEnv({
  prefix: 'AGGREGATOR',
  groupId: {
    default: 'results-aggregator',
    description: 'Consumer group; events that cannot be applied go to `<group>.dlq`.',
  },
  handlerTimeoutMs: { default: 30_000, min: 100, description: 'Longest one event may take.' },
  maxAttempts: { default: 5, min: 1, description: 'Attempts per event before the DLQ.' },
  attemptsName: 'RETRY_MAX_ATTEMPTS',
  backoff: {
    baseMs: 500,
    maxMs: 30_000,
    baseDescription: 'First retry wait; doubles.',
    maxDescription: 'Longest retry wait.',
  },
});

export const aggregatorEnv = defineEnv(
  {
    ...httpEnv({ port: 8000, portDescription: 'HTTP port of the jobs API (the blueprint used 8000).' }),
    ...kafkaEnv({ clientId: 'results-aggregator' }),
    ...schemaRegistryEnv(),
    ...busEnv.vars,
    AGGREGATOR_DEFAULT_CANDIDATES: env.json(z.array(candidateSchema).min(1), {
      default: DEFAULT_CANDIDATES,
      description:
        'Candidates of a job that names none (JSON array of {model_name, context_length, icl_enabled, customization_enabled}).',
    }),
    AGGREGATOR_TEACHER_MODEL: env.string({
      default: 'meta/llama-3.3-70b-instruct',
      description: 'Production (teacher) model whose logged answers are the reference.',
    }),
    AGGREGATOR_TEACHER_SCORES: env.json(z.record(z.number().finite()), {
      default: DEFAULT_TEACHER_SCORES,
      description: "The teacher's reference score per metric (JSON object).",
    }),
    AGGREGATOR_MAX_GAP: env.string({
      default: '0.1',
      description: 'A candidate qualifies when its best primary score is within this fraction of the teacher (0..1).',
    }),
    AGGREGATOR_PRICES: env.json(z.record(z.number().finite().min(0)), {
      default: {},
      description:
        "USD per 1M tokens by model name, for the report's cost estimate (JSON object); a model not listed is priced by its size: 0.01 + 0.012 × billions of parameters.",
    }),
    AGGREGATOR_RUN_TRIGGERS: env.json(z.array(runTriggerSchema), {
      default: [],
      description:
        "Runs started by traffic (JSON array): each {workload_id, client_id, min_new_records, job} starts a run (POST /api/jobs with `job` as the body) once min_new_records records newer than the workload's last run are stored and none of its runs is open.",
    }),
    AGGREGATOR_STALL_TIMEOUT_MS: env.int({
      default: 30 * 60_000,
      min: 0,
      description: 'A running run with no event for this long is failed (a stage died); 0 turns this off.',
    }),
    AGGREGATOR_PENDING_REPUBLISH_MS: env.int({
      default: 120_000,
      min: 0,
      description:
        'A run still pending (not picked up by the dataset-builder) after this long has its request published again; 0 turns this off.',
    }),
    AGGREGATOR_STALL_CHECK_INTERVAL_MS: env.int({
      default: 60_000,
      min: 100,
      description: 'How often running runs are checked for stalls.',
    }),
    CURATION_CONFIG: env.json(jsonObject, {
      default: {},
      description:
        'Service curation config as JSON (same value as the dataset-builder): job overrides are checked against it.',
    }),
    CURATION_CONFIG_FILE: env.optionalString({ description: 'Path of a JSON file with the curation config.' }),
    ...runStoreEnv(),
    ...logStoreEnv({
      sqlitePathDescription: 'SQLite file of the log store (written by the log-ingester; read here for record counts).',
    }),
    STORE_BOOT_MAX_ATTEMPTS: env.int({ default: 10, min: 1, description: 'Connection attempts per store boot round.' }),
    ...shutdownEnv(),
    ...logLevelEnv(),
  },
  (v, ctx) => {
    const consumer = kafkaConsumerFrom(v, ctx);
    const bus = busEnv.from(v, ctx);
    const maxGap = Number(v.AGGREGATOR_MAX_GAP);
    if (!Number.isFinite(maxGap) || maxGap < 0 || maxGap >= 1) {
      ctx.problem('AGGREGATOR_MAX_GAP', `must be a number in [0, 1), got ${JSON.stringify(v.AGGREGATOR_MAX_GAP)}`);
    }
    v.AGGREGATOR_RUN_TRIGGERS.forEach((t, i) => {
      // The body a trigger posts must be a valid job request now, not when it first fires.
      const body = runRequestInputSchema.safeParse({ ...t.job, workload_id: t.workload_id, client_id: t.client_id });
      if (!body.success) {
        for (const issue of body.error.issues)
          ctx.problem(`AGGREGATOR_RUN_TRIGGERS.${i}.job.${issue.path.join('.')}`, issue.message);
      }
    });
    const names = v.AGGREGATOR_DEFAULT_CANDIDATES.map((c) => c.model_name);
    if (new Set(names).size !== names.length) ctx.problem('AGGREGATOR_DEFAULT_CANDIDATES', 'repeats a model');
    // One boot-attempts setting for both stores; no backoff given, so the stores' defaults apply.
    const boot = storeBootFrom(v.STORE_BOOT_MAX_ATTEMPTS);
    const runStore = runStoreConfigFrom(v, boot, ctx);
    const logStore = logStoreConfigFrom(v, boot, ctx);
    const curation = curationConfig(v.CURATION_CONFIG, v.CURATION_CONFIG_FILE, (key, message) =>
      ctx.problem(key, message),
    );
    return {
      http: { host: v.HTTP_HOST, port: v.HTTP_PORT },
      kafka: kafkaConfigFrom(v),
      consumer,
      schemaRegistryUrl: v.SCHEMA_REGISTRY_URL,
      ...bus,
      jobs: {
        defaultCandidates: v.AGGREGATOR_DEFAULT_CANDIDATES,
        curation,
      },
      decision: {
        teacherModel: v.AGGREGATOR_TEACHER_MODEL,
        teacherScores: v.AGGREGATOR_TEACHER_SCORES,
        maxGap: Number.isFinite(maxGap) ? maxGap : 0.1,
        prices: v.AGGREGATOR_PRICES,
      },
      triggers: v.AGGREGATOR_RUN_TRIGGERS,
      stall: {
        timeoutMs: v.AGGREGATOR_STALL_TIMEOUT_MS,
        checkIntervalMs: v.AGGREGATOR_STALL_CHECK_INTERVAL_MS,
        republishPendingAfterMs: v.AGGREGATOR_PENDING_REPUBLISH_MS,
      },
      runStore,
      logStore,
      shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
      logLevels: logLevelsFrom(v) satisfies LogLevel[],
      logFormat: logFormatFrom(v),
    };
  },
  { ownedPrefixes: ['AGGREGATOR_', 'RUN_STORE_', 'LOG_STORE_', 'CURATION_'] },
);

export type AggregatorConfig = ReturnType<(typeof aggregatorEnv)['load']>;
export type DecisionConfig = AggregatorConfig['decision'];
export type RunTrigger = z.output<typeof runTriggerSchema>;
export type JobsConfig = AggregatorConfig['jobs'];

/** Reads the configuration from an environment (main.ts passes process.env). Throws ConfigError. */
export function loadAggregatorConfig(source: EnvSource): AggregatorConfig {
  return aggregatorEnv.load(source);
}

function curationConfig(
  inline: Record<string, unknown>,
  file: string | undefined,
  problem: (key: string, message: string) => void,
): CurationConfig {
  let input: unknown = inline;
  let key = 'CURATION_CONFIG';
  if (file !== undefined) {
    key = 'CURATION_CONFIG_FILE';
    try {
      input = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      problem(key, `cannot read ${file} as JSON: ${err instanceof Error ? err.message : String(err)}`);
      return parseServiceConfig({});
    }
  }
  try {
    return parseServiceConfig(input);
  } catch (err) {
    if (err instanceof CurationConfigError) {
      for (const i of err.issues) problem(key, `${i.path}: ${i.message}`);
      return parseServiceConfig({});
    }
    throw err;
  }
}
