// Our own evaluator for OpenAI-compatible backends: each eval record goes to the candidate's chat endpoint
// (bounded concurrency), then the blueprint's metrics are computed here — exact tool-call metrics locally, the
// LLM-judge metrics through any OpenAI-compatible judge. Every sample keeps its scores, latency and token usage.
import { describe } from '../errors';
import { type ChatClient, type ChatCompletion, type TokenUsage } from '../ports/chat-client';
import {
  type EvaluationKind,
  type EvaluationSample,
  METRIC_NAMES,
  type MetricName,
  type Scores,
} from '../ports/evaluation-client';
import { mapWithConcurrency } from '../util/concurrency';
import { type EvalRecord, candidateRequest, referenceContent, referenceToolCalls } from './eval-records';
import { parseRating, parseSimilarity, similarityJudgeMessages, toolCallJudgeMessages } from './judge-prompts';
import { functionNameAccuracy, functionNameAndArgsAccuracy } from './tool-call-metrics';

export interface ModelEndpoint {
  client: ChatClient;
  model: string;
}

export interface LocalEvaluationInput {
  kind: EvaluationKind;
  records: readonly EvalRecord[];
  candidate: ModelEndpoint;
  judge: ModelEndpoint;
  concurrency: number;
  signal?: AbortSignal;
  onSample?: (done: number, total: number) => void;
}

export interface LocalEvaluationOutput {
  scores: Scores;
  samples: EvaluationSample[];
}

const NO_USAGE: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };

export async function runLocalEvaluation(input: LocalEvaluationInput): Promise<LocalEvaluationOutput> {
  let done = 0;
  const samples = await mapWithConcurrency(
    input.records,
    input.concurrency,
    async (record, index) => {
      const sample = await evaluateOne(input, record, index);
      input.onSample?.(++done, input.records.length);
      return sample;
    },
    input.signal,
  );
  return { scores: aggregate(samples), samples };
}

export function aggregate(samples: readonly EvaluationSample[]): Scores {
  const scores: Scores = {};
  for (const metric of METRIC_NAMES) {
    const values = samples.map((s) => s.scores[metric]).filter((v): v is number => v !== undefined);
    if (values.length > 0) scores[metric] = values.reduce((a, b) => a + b, 0) / values.length;
  }
  return scores;
}

async function evaluateOne(input: LocalEvaluationInput, record: EvalRecord, index: number): Promise<EvaluationSample> {
  const started = performance.now();
  let completion: ChatCompletion;
  try {
    completion = await input.candidate.client.complete(candidateRequest(record, input.candidate.model), {
      signal: input.signal,
    });
  } catch (err) {
    // A failed call is a wrong answer, not a missing one: it counts as the metric's floor.
    return {
      index,
      scores: floorScores(input.kind),
      latencyMs: Math.round(performance.now() - started),
      usage: NO_USAGE,
      prediction: { content: null, toolCalls: [] },
      error: `candidate: ${describe(err)}`,
    };
  }
  const sample: EvaluationSample = {
    index,
    scores: {},
    latencyMs: completion.latencyMs,
    usage: completion.usage,
    prediction: { content: completion.content, toolCalls: completion.toolCalls },
    error: null,
  };
  switch (input.kind) {
    case 'tool-calling':
      await scoreToolCalls(input, record, completion, sample);
      break;
    case 'generic':
      await scoreSimilarity(input, record, completion, sample);
      break;
  }
  return sample;
}

function floorScores(kind: EvaluationKind): Scores {
  switch (kind) {
    case 'tool-calling':
      return { function_name_accuracy: 0, function_name_and_args_accuracy: 0, tool_calling_correctness: 0 };
    case 'generic':
      return { similarity: 1 };
  }
}

async function scoreToolCalls(
  input: LocalEvaluationInput,
  record: EvalRecord,
  completion: ChatCompletion,
  sample: EvaluationSample,
): Promise<void> {
  const expected = referenceToolCalls(record);
  sample.scores.function_name_accuracy = functionNameAccuracy(expected, completion.toolCalls);
  sample.scores.function_name_and_args_accuracy = functionNameAndArgsAccuracy(expected, completion.toolCalls);
  if (completion.toolCalls.length === 0) {
    sample.scores.tool_calling_correctness = 0; // the rubric's "null or empty prediction" case; no judge needed
    return;
  }
  await judge(
    input,
    sample,
    'tool_calling_correctness',
    toolCallJudgeMessages(expected, completion.toolCalls),
    parseRating,
  );
}

async function scoreSimilarity(
  input: LocalEvaluationInput,
  record: EvalRecord,
  completion: ChatCompletion,
  sample: EvaluationSample,
): Promise<void> {
  const candidate = completion.content ?? '';
  if (candidate.trim() === '') {
    sample.scores.similarity = 1; // the rubric's "empty" case
    return;
  }
  const messages = similarityJudgeMessages(record.request.messages, referenceContent(record), candidate);
  await judge(input, sample, 'similarity', messages, parseSimilarity);
}

async function judge(
  input: LocalEvaluationInput,
  sample: EvaluationSample,
  metric: MetricName,
  messages: ReturnType<typeof toolCallJudgeMessages>,
  parse: (reply: string | null) => number | null,
): Promise<void> {
  try {
    const reply = await input.judge.client.complete(
      { model: input.judge.model, messages, temperature: 0 },
      { signal: input.signal },
    );
    const score = parse(reply.content);
    if (score === null) {
      sample.error = `judge: unparseable reply for ${metric}: ${(reply.content ?? '').slice(0, 80)}`;
      return;
    }
    sample.scores[metric] = score;
  } catch (err) {
    // Without a verdict the sample is left out of this metric's mean rather than scored as wrong.
    sample.error = `judge: ${describe(err)}`;
  }
}
