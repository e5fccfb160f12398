// The blueprint's inline NeMo Evaluator configs (§4.2) and score extraction (§4.3). The similarity parser
// takes the whole integer (`10` is 10, not 1: §10.1).
import {
  type EvaluationKind,
  type EvaluationSpec,
  type JudgeRef,
  type MetricName,
  type Scores,
} from '../ports/evaluation-client';
import { SIMILARITY_JUDGE_RUBRIC, TOOL_CALL_JUDGE_RUBRIC } from './judge-prompts';

export const TASK_KEYS = { toolCalling: 'custom-tool-calling', judge: 'llm-as-judge' } as const;
export const SIMILARITY_PATTERN = '(?<![\\d.])(10|[1-9])(?![\\d.])';
export const RATING_PATTERN = 'RATING:\\s*(\\d+)';

export function judgeModelRef(judge: JudgeRef): unknown {
  switch (judge.kind) {
    case 'platform':
      return judge.model;
    case 'endpoint':
      return {
        api_endpoint: {
          url: `${judge.baseUrl.replace(/\/+$/, '')}/chat/completions`,
          model_id: judge.model,
          ...(judge.apiKey ? { api_key: judge.apiKey } : {}),
        },
      };
  }
}

export function nemoEvaluationConfig(spec: EvaluationSpec, namespace: string): Record<string, unknown> {
  const dataset = {
    files_url: `hf://datasets/${spec.dataset.namespace || namespace}/${spec.dataset.name}/${spec.evalFile ?? 'eval_data.jsonl'}`,
    ...(spec.limit !== undefined ? { limit: spec.limit } : {}),
  };
  const judge = judgeModelRef(spec.judge);
  switch (spec.kind) {
    case 'tool-calling':
      return {
        type: 'custom',
        tasks: {
          [TASK_KEYS.toolCalling]: {
            type: 'chat-completion',
            dataset,
            params: {
              template: {
                messages: '{{ item.request.messages | tojson }}',
                tools: '{{ item.request.tools | tojson }}',
                tool_choice: 'required',
              },
            },
            metrics: {
              'tool-calling-accuracy': {
                type: 'tool-calling',
                params: { tool_calls_ground_truth: '{{ item.response.choices[0].message.tool_calls | tojson }}' },
              },
              correctness: {
                type: 'llm-judge',
                params: {
                  model: judge,
                  template: {
                    messages: [
                      { role: 'system', content: TOOL_CALL_JUDGE_RUBRIC },
                      {
                        role: 'user',
                        content:
                          '<ground_truth>\n{{ item.response.choices[0].message.tool_calls | tojson }}\n</ground_truth>\n' +
                          '<prediction>\n{{ sample.response.choices[0].message.tool_calls | tojson }}\n</prediction>',
                      },
                    ],
                  },
                  scores: { rating: { type: 'int', parser: { type: 'regex', pattern: RATING_PATTERN } } },
                },
              },
            },
          },
        },
      };
    case 'generic':
      return {
        type: 'custom',
        tasks: {
          [TASK_KEYS.judge]: {
            type: 'chat-completion',
            dataset,
            params: { template: { messages: '{{ item.request.messages | tojson }}' } },
            metrics: {
              'llm-judge': {
                type: 'llm-judge',
                params: {
                  model: judge,
                  template: {
                    messages: [
                      { role: 'system', content: SIMILARITY_JUDGE_RUBRIC },
                      {
                        role: 'user',
                        content:
                          '<task>\n{{ item.request.messages | tojson }}\n</task>\n' +
                          '<reference>\n{{ item.response.choices[0].message.content }}\n</reference>\n' +
                          '<candidate>\n{{ sample.output_text }}\n</candidate>',
                      },
                    ],
                  },
                  scores: { similarity: { type: 'int', parser: { type: 'regex', pattern: SIMILARITY_PATTERN } } },
                },
              },
            },
          },
        },
      };
  }
}

interface ResultsLike {
  tasks: Record<string, { metrics: Record<string, { scores: Record<string, { value: number; count?: number }> }> }>;
}

/** Where each of our metrics sits in the Evaluator's output: `<metric>.scores.<score>` within a task (§4.3). */
export const SCORE_PATHS: Readonly<
  Record<EvaluationKind, readonly { name: MetricName; metric: string; score: string }[]>
> = {
  'tool-calling': [
    { name: 'function_name_accuracy', metric: 'tool-calling-accuracy', score: 'function_name_accuracy' },
    {
      name: 'function_name_and_args_accuracy',
      metric: 'tool-calling-accuracy',
      score: 'function_name_and_args_accuracy',
    },
    { name: 'tool_calling_correctness', metric: 'correctness', score: 'rating' },
  ],
  generic: [{ name: 'similarity', metric: 'llm-judge', score: 'similarity' }],
};

/** The task keys our configs use for a kind, preferred first (the tool-calling judge variant uses `llm-as-judge`). */
export function taskKeysOf(kind: EvaluationKind): readonly string[] {
  return kind === 'tool-calling' ? [TASK_KEYS.toolCalling, TASK_KEYS.judge] : [TASK_KEYS.judge];
}

/** Scores of a results document; a missing score is left out (the blueprint raised KeyError). */
export function extractScores(kind: EvaluationKind, results: ResultsLike): { scores: Scores; count: number } {
  const scores: Scores = {};
  let count = 0;
  for (const { name, metric, score } of SCORE_PATHS[kind]) {
    for (const task of taskKeysOf(kind)) {
      const s = results.tasks[task]?.metrics[metric]?.scores[score];
      if (!s) continue;
      scores[name] = s.value;
      count = Math.max(count, s.count ?? 0);
      break;
    }
  }
  return { scores, count };
}

export function kindOfResults(results: ResultsLike): EvaluationKind {
  return results.tasks[TASK_KEYS.toolCalling] ? 'tool-calling' : 'generic';
}
