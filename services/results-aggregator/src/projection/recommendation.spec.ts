import { DECISION } from '../../test/fixtures';
import { bestOf, parameterCountOf, primaryMetricOf, recommend, type CandidateScores } from './recommendation';

const acc = (v: number) => ({ function_name_accuracy: v, function_name_and_args_accuracy: v });

function candidate(model: string, base: number, icl?: number, customized?: number): CandidateScores {
  return {
    model_name: model,
    customized_model_name: customized === undefined ? null : `${model}-lora`,
    evaluations: [
      { eval_type: 'base', scores: acc(base), sample_count: 20 },
      ...(icl === undefined ? [] : [{ eval_type: 'icl' as const, scores: acc(icl), sample_count: 20 }]),
      ...(customized === undefined
        ? []
        : [{ eval_type: 'customized' as const, scores: acc(customized), sample_count: 20 }]),
    ],
  };
}

const input = (candidates: CandidateScores[]) => ({
  run_id: 'r1',
  workload_id: 'w',
  workload_type: 'tool_calling' as const,
  candidates,
});

describe('recommend', () => {
  it('picks the smallest qualifying candidate, not the best-scoring one', () => {
    const r = recommend(
      input([candidate('meta/llama-3.1-8b-instruct', 0.97), candidate('meta/llama-3.2-1b-instruct', 0.5, 0.6, 0.91)]),
      DECISION,
    );
    expect(r.recommended_model).toBe('meta/llama-3.2-1b-instruct-lora');
    expect(r.recommended_eval_type).toBe('customized');
    expect(r.threshold).toBeCloseTo(0.9);
    expect(r.candidates.map((c) => c.meets_threshold)).toEqual([true, true]);
    expect(r.rationale).toMatch(/after LoRA fine-tuning scores 0\.91 .*smallest of the 2 qualifying/);
  });

  it('recommends nothing, and says so, when no candidate is within the gap', () => {
    const r = recommend(input([candidate('m-1b', 0.5, 0.6, 0.85)]), DECISION);
    expect(r.recommended_model).toBeNull();
    expect(r.recommended_eval_type).toBeNull();
    expect(r.rationale).toMatch(/No candidate reached 0\.9 on function_name_and_args_accuracy.*m-1b 0\.85/);
  });

  it('reports each score against the teacher', () => {
    const r = recommend(input([candidate('m-1b', 0.75)]), DECISION);
    expect(r.candidates[0]?.evaluations[0]?.delta_vs_baseline.function_name_and_args_accuracy).toBeCloseTo(-0.25);
    expect(r.baseline).toEqual({ model_name: DECISION.teacherModel, scores: { function_name_and_args_accuracy: 1 } });
  });

  it('on a tie within a candidate prefers the cheaper configuration', () => {
    expect(bestOf(candidate('m', 0.9, 0.9, 0.9), 'function_name_and_args_accuracy')?.eval_type).toBe('base');
  });

  it('reads the parameter count from the model name; unknown sizes rank last in request order', () => {
    expect(parameterCountOf('meta/llama-3.2-1b-instruct')).toBe(1);
    expect(parameterCountOf('meta/llama-3.1-8b-instruct')).toBe(8);
    expect(parameterCountOf('mistral/mixtral-0.5B')).toBe(0.5);
    expect(parameterCountOf('acme/sparrow')).toBe(Number.POSITIVE_INFINITY);
    const r = recommend(input([candidate('acme/sparrow', 0.95), candidate('acme/finch', 0.95)]), DECISION);
    expect(r.recommended_model).toBe('acme/sparrow');
  });

  it('uses similarity for generic workloads', () => {
    expect(primaryMetricOf('generic', [])).toBe('similarity');
    const generic = {
      model_name: 'm-3b',
      customized_model_name: null,
      evaluations: [{ eval_type: 'base' as const, scores: { similarity: 9.2 }, sample_count: 5 }],
    };
    const r = recommend({ ...input([generic]), workload_type: 'generic' }, DECISION);
    expect(r.recommended_model).toBe('m-3b');
  });
});
