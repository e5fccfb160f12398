import { ConfigError } from '@flywheel/service-kit';
import { DEFAULT_JUDGE_MODEL, evaluatorEnv, loadEvaluatorConfig } from './evaluator-config';

describe('evaluator-driver config', () => {
  it('reaches the local embedded stack and the simulator with no settings', () => {
    const c = loadEvaluatorConfig({});
    expect(c.http.port).toBe(8095);
    expect(c.groupId).toBe('evaluator-driver');
    expect(c.statePath).toBe('.data/evaluator-driver/state.db');
    expect(c.platform).toMatchObject({ backend: 'nemo', namespace: 'dfwbp' });
    expect(c.worker).toMatchObject({
      maxConcurrentJobs: 4,
      judge: { kind: 'platform', model: DEFAULT_JUDGE_MODEL },
      limit: undefined,
    });
  });

  it('takes an OpenAI-compatible judge endpoint and the concurrency bound', () => {
    const c = loadEvaluatorConfig({
      EVALUATOR_JUDGE_URL: 'https://judge.example/v1',
      EVALUATOR_JUDGE_MODEL: 'judge-model',
      EVALUATOR_JUDGE_API_KEY: 'sk-test',
      EVALUATOR_MAX_CONCURRENT_JOBS: '2',
      EVALUATOR_EVAL_LIMIT: '50',
    });
    expect(c.worker.judge).toEqual({
      kind: 'endpoint',
      baseUrl: 'https://judge.example/v1',
      model: 'judge-model',
      apiKey: 'sk-test',
    });
    expect(c.worker.maxConcurrentJobs).toBe(2);
    expect(c.worker.limit).toBe(50);
  });

  it('lists every bad key at once', () => {
    const problems = problemsOf({
      EVALUATOR_MAX_CONCURRENT_JOBS: '0',
      EVALUATOR_TICK_INTERVL_MS: '5',
      EVALUATOR_JUDGE_URL: 'not a url',
    });
    expect(problems).toContain('EVALUATOR_TICK_INTERVL_MS: unknown setting (did you mean EVALUATOR_TICK_INTERVAL_MS?)');
    expect(problems).toContain('EVALUATOR_MAX_CONCURRENT_JOBS: must be at least 1');
    expect(problems).toContain('EVALUATOR_JUDGE_URL');
  });

  it('checks the keys that depend on each other, the secret hidden', () => {
    const text = problemsOf({ EVALUATOR_JUDGE_API_KEY: 'sk-secret', PLATFORM_BACKEND: 'openai-compatible' });
    expect(text).toContain('EVALUATOR_JUDGE_API_KEY: set without EVALUATOR_JUDGE_URL');
    expect(text).toContain('OPENAI_COMPATIBLE_CONFIG');
    expect(text).not.toContain('sk-secret');
  });

  it('never shows OPENAI_COMPATIBLE_CONFIG, which holds endpoint API keys: not in problems, not in the summary', () => {
    const env = { OPENAI_COMPATIBLE_CONFIG: '{"endpoints": [{"apiKey": sk-live-123456789}]}' };
    const text = problemsOf(env);
    expect(text).toContain('OPENAI_COMPATIBLE_CONFIG: not JSON');
    expect(text).not.toContain('sk-live');
    expect(evaluatorEnv.describe(env)).toContain('OPENAI_COMPATIBLE_CONFIG=<redacted>');
  });
});

function problemsOf(env: Record<string, string>): string {
  try {
    loadEvaluatorConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('the config loaded');
}
