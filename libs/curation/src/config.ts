// Split, ICL and training settings: one zod schema carrying the blueprint's model defaults (inventory §6). The
// service config is parsed over those defaults; a job's overrides are merged over the *service* config (the
// blueprint fell back to hard defaults, bug §10.8) and the effective result is checked as a whole, so cross-field
// rules such as max_examples ≤ eval_size hold for every job, not just the global config.
import { z } from 'zod';

const similarityConfig = z
  .object({
    relevance_ratio: z.number().min(0).max(1).default(0.7),
    embedding_batch_size: z.number().int().min(1).default(32),
    /** What to do when the embedding port fails: degrade to uniform selection (reported) or fail the curation. */
    on_embedding_failure: z.enum(['fall_back_to_uniform', 'fail']).default('fall_back_to_uniform'),
  })
  .strict();

const dataSplitConfig = z
  .object({
    eval_size: z.number().int().min(1).default(20),
    val_ratio: z.number().min(0).lt(1).default(0.1),
    min_total_records: z.number().int().min(1).default(50),
    /** null = unseeded: a seed is drawn through the `seed` port and reported, so the run can still be replayed. */
    random_seed: z.number().int().nullable().default(null),
    limit: z.number().int().min(1).default(10000),
    parse_function_arguments: z.boolean().default(true),
    /** The blueprint's LIMIT_TOOL_PROPERTIES (a NIM tool-calling workaround); null disables the rule. */
    max_tool_properties: z.number().int().min(0).nullable().default(8),
    /** Longest message content kept, in characters (128 Ki ≈ a 32k-token context); null disables the rule. */
    max_message_chars: z.number().int().min(1).nullable().default(131072),
  })
  .strict();

const iclConfig = z
  .object({
    max_context_length: z.number().int().min(1).default(8192),
    reserved_tokens: z.number().int().min(0).default(2048),
    max_examples: z.number().int().min(0).default(3),
    min_examples: z.number().int().min(0).default(1),
    example_selection: z.enum(['uniform_distribution', 'semantic_similarity']).default('uniform_distribution'),
    similarity_config: similarityConfig.default({}),
  })
  .strict();

const trainingConfig = z
  .object({
    training_type: z.string().min(1).default('sft'),
    finetuning_type: z.string().min(1).default('lora'),
    epochs: z.number().int().min(1).default(2),
    batch_size: z.number().int().min(1).default(16),
    learning_rate: z.number().positive().default(0.0001),
  })
  .strict();

const targetModel = z.object({ model_name: z.string().min(1), context_length: z.number().int().min(1) }).strict();

export const CurationConfigSchema = z
  .object({
    data_split_config: dataSplitConfig.default({}),
    icl_config: iclConfig.default({}),
    training_config: trainingConfig.default({}),
    /** Models the ICL dataset is built for; each gets its own token budget. Empty = one budget of max_context_length. */
    target_models: z.array(targetModel).default([]),
  })
  .strict();

export type CurationConfig = z.output<typeof CurationConfigSchema>;
export type CurationConfigInput = z.input<typeof CurationConfigSchema>;
export type DataSplitConfig = CurationConfig['data_split_config'];
export type IclConfig = CurationConfig['icl_config'];
export type TargetModel = CurationConfig['target_models'][number];

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
export type CurationConfigOverride = DeepPartial<CurationConfig>;

export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

export class CurationConfigError extends Error {
  public constructor(
    public readonly source: 'service config' | 'job override' | 'effective config',
    public readonly issues: readonly ConfigIssue[],
  ) {
    super(`invalid ${source}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'CurationConfigError';
  }
}

/** The override schema is derived from the main one: defaults removed, every level optional, unknown keys refused. */
function overrideSchemaOf(schema: z.ZodTypeAny): z.ZodTypeAny {
  const inner = schema instanceof z.ZodDefault ? (schema.removeDefault() as z.ZodTypeAny) : schema;
  if (inner instanceof z.ZodObject) {
    const shape = inner.shape as Record<string, z.ZodTypeAny>;
    const fields = Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, overrideSchemaOf(v).optional()]));
    return z.object(fields).strict();
  }
  return inner;
}

const CurationConfigOverrideSchema = overrideSchemaOf(CurationConfigSchema);

function issuesOf(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((i) => ({ path: i.path.length > 0 ? i.path.join('.') : '(root)', message: i.message }));
}

function mergeOver(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  const isPlain = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isPlain(base) || !isPlain(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = mergeOver(base[k], v);
  return out;
}

/** Rules spanning fields, checked on the effective config (the blueprint checked max_examples only globally). */
function crossFieldIssues(config: CurationConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const split = config.data_split_config;
  const icl = config.icl_config;
  if (split.limit < split.min_total_records) {
    issues.push({
      path: 'data_split_config.limit',
      message: `limit ${split.limit} is below min_total_records ${split.min_total_records}`,
    });
  }
  if (icl.max_examples > split.eval_size) {
    issues.push({
      path: 'icl_config.max_examples',
      message: `max_examples ${icl.max_examples} exceeds data_split_config.eval_size ${split.eval_size}`,
    });
  }
  if (icl.min_examples > icl.max_examples) {
    issues.push({
      path: 'icl_config.min_examples',
      message: `min_examples ${icl.min_examples} exceeds max_examples ${icl.max_examples}`,
    });
  }
  if (icl.reserved_tokens >= icl.max_context_length) {
    issues.push({
      path: 'icl_config.reserved_tokens',
      message: `reserved_tokens ${icl.reserved_tokens} leaves no room in max_context_length ${icl.max_context_length}`,
    });
  }
  config.target_models.forEach((t, i) => {
    if (t.context_length <= icl.reserved_tokens) {
      issues.push({
        path: `target_models.${i}.context_length`,
        message: `context_length ${t.context_length} of ${t.model_name} is not above reserved_tokens ${icl.reserved_tokens}`,
      });
    }
  });
  return issues;
}

/** Parse a service config over the blueprint defaults. */
export function parseServiceConfig(input: unknown): CurationConfig {
  const parsed = CurationConfigSchema.safeParse(input ?? {});
  if (!parsed.success) throw new CurationConfigError('service config', issuesOf(parsed.error));
  const cross = crossFieldIssues(parsed.data);
  if (cross.length > 0) throw new CurationConfigError('service config', cross);
  return parsed.data;
}

/**
 * The effective config of one job: its overrides (any subset, at any depth) merged over the already-parsed service
 * config. An explicit `null` in an override is a value (e.g. `random_seed: null` = unseeded), absence keeps the
 * service value.
 */
export function resolveJobConfig(service: CurationConfig, override?: unknown): CurationConfig {
  if (override === undefined || override === null) return service;
  const parsedOverride = CurationConfigOverrideSchema.safeParse(override);
  if (!parsedOverride.success) throw new CurationConfigError('job override', issuesOf(parsedOverride.error));
  const merged = CurationConfigSchema.safeParse(mergeOver(service, parsedOverride.data));
  if (!merged.success) throw new CurationConfigError('effective config', issuesOf(merged.error));
  const cross = crossFieldIssues(merged.data);
  if (cross.length > 0) throw new CurationConfigError('effective config', cross);
  return merged.data;
}

export const DEFAULT_CURATION_CONFIG: CurationConfig = CurationConfigSchema.parse({});
