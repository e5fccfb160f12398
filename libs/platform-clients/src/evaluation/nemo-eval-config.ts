// The blueprint's inline NeMo Evaluator configs (§4.2) and score extraction (§4.3). The similarity parser
// takes the whole integer (`10` is 10, not 1: §10.1).
import { type EvaluationKind, type EvaluationSpec, type JudgeRef, type Scores } from '../ports/evaluation-client';
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

/** Scores of a results document; a missing score is left out (the blueprint raised KeyError). */
export function extractScores(kind: EvaluationKind, results: ResultsLike): { scores: Scores; count: number } {
  const pick = (task: string, metric: string, score: string): { value: number; count?: number } | undefined =>
    results.tasks[task]?.metrics[metric]?.scores[score];
  const scores: Scores = {};
  let count = 0;
  const put = (name: keyof Scores, s: { value: number; count?: number } | undefined): void => {
    if (!s) return;
    scores[name] = s.value;
    count = Math.max(count, s.count ?? 0);
  };
  switch (kind) {
    case 'tool-calling':
      put('function_name_accuracy', pick(TASK_KEYS.toolCalling, 'tool-calling-accuracy', 'function_name_accuracy'));
      put(
        'function_name_and_args_accuracy',
        pick(TASK_KEYS.toolCalling, 'tool-calling-accuracy', 'function_name_and_args_accuracy'),
      );
      put(
        'tool_calling_correctness',
        pick(TASK_KEYS.toolCalling, 'correctness', 'rating') ?? pick(TASK_KEYS.judge, 'correctness', 'rating'),
      );
      break;
    case 'generic':
      put('similarity', pick(TASK_KEYS.judge, 'llm-judge', 'similarity'));
      break;
  }
  return { scores, count };
}

export function kindOfResults(results: ResultsLike): EvaluationKind {
  return results.tasks[TASK_KEYS.toolCalling] ? 'tool-calling' : 'generic';
}
