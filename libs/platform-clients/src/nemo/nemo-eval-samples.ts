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
  return { samples: records.map((r, index) => toSample(kind, r, index)), unavailable: null };
}

function toSample(kind: EvaluationKind, raw: unknown, index: number): EvaluationSample {
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

function none(reason: string): DownloadedSamples {
  return { samples: [], unavailable: reason };
}
