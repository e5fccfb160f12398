// Runs an inline NeMo evaluation config against a simulated model: the blueprint's metrics per record (the
// exact tool-call metrics from @flywheel/platform-clients, the simulated judge for the LLM-judge ones), means in
// the Evaluator's results shape `tasks.<task>.metrics.<metric>.scores.<score>.value`, and one per-sample record
// per eval record in the shape `download-results` carries (`{item, sample: {response}, metrics}`, see the
// adapter's nemo-eval-samples.ts for where that shape comes from).
import {
  type NemoSampleRecord,
  type Scores,
  TASK_KEYS,
  candidateRequest,
  functionNameAccuracy,
  functionNameAndArgsAccuracy,
  referenceContent,
  referenceToolCalls,
} from '@flywheel/platform-clients';
import { z } from 'zod';
import { simulatedCost } from '../models/cost';
import { rateSimilarity, rateToolCalls } from '../models/simulated-judge';
import { simulateAnswer } from '../models/simulated-model';
import { evalFileOf } from './jsonl-files';
import { type PlatformState } from './platform-state';

const taskSchema = z
  .object({
    dataset: z.object({ files_url: z.string(), limit: z.number().int().positive().optional() }).passthrough(),
    metrics: z.record(z.unknown()).default({}),
  })
  .passthrough();
export const evaluationConfigSchema = z.object({ tasks: z.record(taskSchema) }).passthrough();
export type EvaluationConfig = z.infer<typeof evaluationConfigSchema>;

export interface EvaluationOutcome {
  total: number;
  results: Record<string, unknown> | null;
  /** Per-sample records keyed by task, as in the `results.json` of `download-results`. */
  sampleRecords: Record<string, NemoSampleRecord[]>;
  setupError: string | null;
}

export function runSimulatedEvaluation(
  state: PlatformState,
  model: string,
  config: EvaluationConfig,
): EvaluationOutcome {
  const failed = (setupError: string): EvaluationOutcome => ({
    total: 0,
    results: null,
    sampleRecords: {},
    setupError,
  });
  const [taskKey, task] = Object.entries(config.tasks)[0] ?? [];
  if (!taskKey || !task) return failed('config has no tasks');
  if (!state.isServed(model)) return failed(`model ${model} is not served by the NIM proxy`);
  const m = /^hf:\/\/datasets\/([^/]+)\/([^/]+)\/(.+)$/.exec(task.dataset.files_url);
  if (!m) return failed(`unsupported files_url ${task.dataset.files_url}`);
  const text = state.repos.get(`${m[1]}/${m[2]}`)?.get(m[3] ?? '');
  if (text === undefined) return failed(`dataset file ${task.dataset.files_url} not found`);
  const file = evalFileOf(text);
  if (file.invalid !== null) return failed(`invalid eval dataset: ${file.invalid}`);
  const records = file.records.slice(0, task.dataset.limit);
  const toolCalling = taskKey === TASK_KEYS.toolCalling || 'correctness' in task.metrics;
  const skill = state.skillOf(model);
  const scored = records.map((record) => {
    const request = candidateRequest(record, model);
    const answer = simulateAnswer(request, {
      model: state.answerIdentityOf(model),
      skill,
      seed: state.options.seed,
      index: state.answers,
    });
    const { usage } = simulatedCost(model, request, answer);
    const expected = referenceToolCalls(record);
    const scores: Scores = toolCalling
      ? {
          function_name_accuracy: functionNameAccuracy(expected, answer.toolCalls),
          function_name_and_args_accuracy: functionNameAndArgsAccuracy(expected, answer.toolCalls),
          tool_calling_correctness: answer.toolCalls.length > 0 ? rateToolCalls(expected, answer.toolCalls) : 0,
        }
      : { similarity: rateSimilarity(referenceContent(record), answer.content ?? '') };
    const sampleRecord: NemoSampleRecord = {
      item: record,
      sample: {
        output_text: answer.content,
        response: {
          model,
          choices: [
            {
              finish_reason: answer.toolCalls.length > 0 ? 'tool_calls' : 'stop',
              message: {
                role: 'assistant',
                content: answer.content,
                ...(answer.toolCalls.length > 0 ? { tool_calls: answer.toolCalls } : {}),
              },
            },
          ],
          usage: {
            prompt_tokens: usage.promptTokens,
            completion_tokens: usage.completionTokens,
            total_tokens: usage.totalTokens,
          },
        },
      },
      metrics: toolCalling
        ? {
            'tool-calling-accuracy': {
              scores: {
                function_name_accuracy: { value: scores.function_name_accuracy ?? 0 },
                function_name_and_args_accuracy: { value: scores.function_name_and_args_accuracy ?? 0 },
              },
            },
            correctness: { scores: { rating: { value: scores.tool_calling_correctness ?? 0 } } },
          }
        : { 'llm-judge': { scores: { similarity: { value: scores.similarity ?? 1 } } } },
    };
    return { scores, sampleRecord };
  });
  const mean = (pick: (s: Scores) => number | undefined): { value: number; count: number } => {
    const values = scored.map((s) => pick(s.scores)).filter((v): v is number => v !== undefined);
    return { value: values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0, count: values.length };
  };
  const metrics = toolCalling
    ? {
        'tool-calling-accuracy': {
          scores: {
            function_name_accuracy: mean((s) => s.function_name_accuracy),
            function_name_and_args_accuracy: mean((s) => s.function_name_and_args_accuracy),
          },
        },
        correctness: { scores: { rating: mean((s) => s.tool_calling_correctness) } },
      }
    : { 'llm-judge': { scores: { similarity: mean((s) => s.similarity) } } };
  return {
    total: scored.length,
    results: { tasks: { [taskKey]: { metrics } } },
    sampleRecords: { [taskKey]: scored.map((s) => s.sampleRecord) },
    setupError: null,
  };
}
