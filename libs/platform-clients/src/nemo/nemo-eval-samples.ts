// Per-sample results from the NeMo Evaluator's `GET /v1/evaluation/jobs/{id}/download-results` (a ZIP).
//
// What is documented and what is inferred:
// - NVIDIA's "Download Evaluation Results" page (docs.nvidia.com/nemo/microservices/latest/evaluate/evaluation-jobs/
//   download-results.html) and the nemo-microservices SDK (`evaluation.jobs.download_results`, Accept
//   application/zip) document the endpoint and that the archive holds config files, logs and results; they do not
//   document the per-sample layout of custom evaluations.
// - The layout below is the one the Data Flywheel blueprint's MLflow integration reads (inventory §4.3): a
//   `results.json` anywhere in the archive, an object whose value under the task key is one entry per evaluated
//   record: `{item: <dataset row>, sample: {response: <chat completion, with usage>}, metrics: {<metric>:
//   {scores: {<score>: {value}}}}}`.
// Anything else (no results.json, only aggregates, unreadable entries) yields no samples and says why, so the
// aggregate scores from `/results` are never lost over the optional detail.
import { z } from 'zod';
import { SCORE_PATHS, taskKeysOf } from '../evaluation/nemo-eval-config';
import { toolCallSchema, usageSchema } from '../openai/schemas';
import { type TokenUsage, type ToolCall } from '../ports/chat-client';
import { type EvaluationKind, type EvaluationSample, type Scores } from '../ports/evaluation-client';
import { readZip } from '../util/zip';

const scoreSchema = z.object({ value: z.number().nullable().optional() }).passthrough();

export const nemoSampleRecordSchema = z
  .object({
    sample: z
      .object({
        output_text: z.string().nullable().optional(),
        response: z
          .object({
            choices: z
              .array(
                z
                  .object({
                    message: z
                      .object({
                        content: z.string().nullable().optional(),
                        tool_calls: z.array(toolCallSchema).nullable().optional(),
                      })
                      .passthrough(),
                  })
                  .passthrough(),
              )
              .default([]),
            usage: usageSchema.nullable().optional(),
          })
          .passthrough()
          .nullable()
          .optional(),
        error: z.string().nullable().optional(),
      })
      .passthrough()
      .nullable()
      .optional(),
    metrics: z.record(z.object({ scores: z.record(scoreSchema).default({}) }).passthrough()).default({}),
  })
  .passthrough();
export type NemoSampleRecord = z.input<typeof nemoSampleRecordSchema>;

export interface DownloadedSamples {
  samples: EvaluationSample[];
  /** Why there are none, or null. */
  unavailable: string | null;
}

/** Reads the per-sample records of a `download-results` archive. Never throws: problems come back as a reason. */
export function samplesFromDownload(kind: EvaluationKind, archive: Uint8Array): DownloadedSamples {
  let entries: Map<string, Buffer>;
  try {
    entries = readZip(archive);
  } catch (err) {
    return none(err instanceof Error ? err.message : String(err));
  }
  const name = [...entries.keys()].find((n) => n === 'results.json' || n.endsWith('/results.json'));
  if (name === undefined) return none(`the archive holds no results.json (entries: ${[...entries.keys()].join(', ')})`);
  let doc: unknown;
  try {
    doc = JSON.parse(entries.get(name)?.toString('utf8') ?? '');
  } catch {
    return none(`${name} is not valid JSON`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return none(`${name} is not a JSON object`);
  const byTask = doc as Record<string, unknown>;
  const records = taskKeysOf(kind)
    .map((k) => byTask[k])
    .find((v): v is unknown[] => Array.isArray(v));
  if (!records) {
    return none(`${name} has no per-sample records under ${taskKeysOf(kind).join(' or ')} (aggregates only)`);
  }
  return {
    samples: records.map((r, index) => quickSample(kind, r, index) ?? schemaSample(kind, r, index)),
    unavailable: null,
  };
}

/** One record read by `nemoSampleRecordSchema`; an unreadable one becomes a sample that says what is wrong. */
export function schemaSample(kind: EvaluationKind, raw: unknown, index: number): EvaluationSample {
  const parsed = nemoSampleRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      index,
      scores: {},
      latencyMs: null,
      usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      prediction: { content: null, toolCalls: [] },
      error: `unreadable per-sample record: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : ''}`,
    };
  }
  const record = parsed.data;
  const scores: Scores = {};
  for (const { name, metric, score } of SCORE_PATHS[kind]) {
    const value = record.metrics[metric]?.scores[score]?.value;
    if (typeof value === 'number') scores[name] = value;
  }
  const response = record.sample?.response ?? null;
  const message = response?.choices[0]?.message;
  return {
    index,
    scores,
    latencyMs: null,
    usage: response?.usage ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
    prediction: {
      content: message?.content ?? record.sample?.output_text ?? null,
      toolCalls: message?.tool_calls ?? [],
    },
    error: record.sample?.error ?? null,
  };
}

// ---- the quick reader ----
// Every evaluation's results hold one record per eval row, and zod's generic walk over each (copying every object it
// passes through) was most of the driver's CPU for reading results. The quick reader checks the same shape by hand
// and builds the same sample; it returns undefined for anything it does not vouch for, and the schema then decides,
// so the samples (and the error naming what is wrong in an unreadable record) are always the schema's. The spec
// holds the two to agreeing on every record.

type Json = Record<string, unknown>;
const EMPTY_USAGE: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };

/** The sample of a record the quick reader vouches for, as `schemaSample` builds it; undefined otherwise. */
export function quickSample(kind: EvaluationKind, raw: unknown, index: number): EvaluationSample | undefined {
  if (!isObject(raw)) return undefined;
  const metrics = raw.metrics === undefined ? {} : raw.metrics; // a default for missing, not for null
  if (!isObject(metrics) || !Object.values(metrics).every(isMetric)) return undefined;
  const sample = raw.sample;
  let outputText: string | null | undefined;
  let error: string | null | undefined;
  let message: Json | undefined;
  let usage: TokenUsage | null | undefined;
  if (sample !== undefined && sample !== null) {
    if (!isObject(sample) || !isOptionalText(sample.output_text) || !isOptionalText(sample.error)) return undefined;
    outputText = sample.output_text;
    error = sample.error;
    const response = sample.response;
    if (response !== undefined && response !== null) {
      if (!isObject(response)) return undefined;
      const choices = response.choices === undefined ? [] : response.choices;
      if (!Array.isArray(choices) || !choices.every(isChoice)) return undefined;
      message = (choices[0] as { message: Json } | undefined)?.message;
      usage = response.usage === undefined || response.usage === null ? response.usage : usageOf(response.usage);
      if (usage === undefined && response.usage !== undefined) return undefined;
    }
  }
  const scores: Scores = {};
  for (const { name, metric, score } of SCORE_PATHS[kind]) {
    const value = ((metrics[metric] as Json | undefined)?.scores as Record<string, Json> | undefined)?.[score]?.value;
    if (typeof value === 'number') scores[name] = value;
  }
  const content = message?.content as string | null | undefined;
  const toolCalls = message?.tool_calls as unknown[] | null | undefined;
  return {
    index,
    scores,
    latencyMs: null,
    usage: usage ?? { ...EMPTY_USAGE },
    prediction: {
      content: content ?? outputText ?? null,
      toolCalls: (toolCalls ?? []).map((c) => toolCallOf(c) as ToolCall),
    },
    error: error ?? null,
  };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOptionalText(value: unknown): value is string | null | undefined {
  return value === undefined || value === null || typeof value === 'string';
}

function isMetric(value: unknown): boolean {
  if (!isObject(value)) return false;
  const scores = value.scores === undefined ? {} : value.scores;
  return (
    isObject(scores) &&
    Object.values(scores).every((s) => {
      if (!isObject(s)) return false;
      const v = s.value;
      return v === undefined || v === null || (typeof v === 'number' && !Number.isNaN(v));
    })
  );
}

function isChoice(value: unknown): boolean {
  if (!isObject(value) || !isObject(value.message)) return false;
  const { content, tool_calls: calls } = value.message;
  if (!isOptionalText(content)) return false;
  return calls === undefined || calls === null || (Array.isArray(calls) && calls.every((c) => toolCallOf(c)));
}

/** As `toolCallSchema` reads one (type defaulted, object arguments as JSON text, other keys left out). */
function toolCallOf(value: unknown): ToolCall | undefined {
  if (!isObject(value) || !isObject(value.function)) return undefined;
  const { id, type } = value;
  const { name, arguments: args } = value.function;
  if ((id !== undefined && typeof id !== 'string') || (type !== undefined && type !== 'function')) return undefined;
  if (typeof name !== 'string') return undefined;
  let text: string;
  if (typeof args === 'string') text = args;
  else if (isObject(args) && !Object.prototype.hasOwnProperty.call(args, '__proto__')) text = JSON.stringify(args);
  else return undefined;
  const fn = { name, arguments: text };
  return id === undefined ? { type: 'function', function: fn } : { id, type: 'function', function: fn };
}

/** As `usageSchema` reads it (missing counts 0, a missing total the sum); undefined when it would refuse it. */
function usageOf(value: unknown): TokenUsage | undefined {
  if (!isObject(value)) return undefined;
  const count = (v: unknown, fallback: number): number | undefined =>
    v === undefined ? fallback : typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
  const promptTokens = count(value.prompt_tokens, 0);
  const completionTokens = count(value.completion_tokens, 0);
  if (promptTokens === undefined || completionTokens === undefined) return undefined;
  const totalTokens = count(value.total_tokens, promptTokens + completionTokens);
  return totalTokens === undefined ? undefined : { promptTokens, completionTokens, totalTokens };
}

function none(reason: string): DownloadedSamples {
  return { samples: [], unavailable: reason };
}
