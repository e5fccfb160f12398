import { ConfigError } from '@flywheel/service-kit';
import { deployerEnv, loadDeployerConfig } from './deployer-config';

function problemsOf(env: Record<string, string>): string {
  try {
    loadDeployerConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n');
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('deployer config', () => {
  it('needs no settings against the embedded stack and the simulator', () => {
    const config = loadDeployerConfig({});
    expect(config.http.port).toBe(8093);
    expect(config.groupId).toBe('deployer');
    expect(config.statePath).toBe('.data/deployer/state.db');
    expect(config.capacity).toEqual({ gpus: 8, defaultGpus: 1, modelGpus: {} });
    expect(config.platform).toMatchObject({ backend: 'nemo', nemo: { nimBaseUrl: 'http://127.0.0.1:8080' } });
    expect(config.deploy.maxAttempts).toBe(3);
  });

  it('reads capacity, GPUs per model and the state path', () => {
    const config = loadDeployerConfig({
      DEPLOYER_GPU_CAPACITY: '4',
      DEPLOYER_MODEL_GPUS: '{"meta/llama-3.1-8b-instruct": 2}',
      DEPLOYER_STATE_PATH: '/tmp/d.db',
      DEPLOYER_GROUP_ID: 'deployer-b',
    });
    expect(config.capacity).toEqual({ gpus: 4, defaultGpus: 1, modelGpus: { 'meta/llama-3.1-8b-instruct': 2 } });
    expect(config.statePath).toBe('/tmp/d.db');
    expect(config.groupId).toBe('deployer-b');
  });

  it('lists every bad key at once', () => {
    const problems = problemsOf({
      DEPLOYER_GPU_CAPACITY: '0',
      DEPLOYER_MODEL_GPUS: '{"meta/llama-3.1-8b-instruct": -1}',
      DEPLOYER_CAPACTY: '3',
      DEPLOYER_RETRY_BACKOFF_BASE_MS: '100',
      DEPLOYER_RETRY_BACKOFF_MAX_MS: '10',
    });
    expect(problems).toContain('DEPLOYER_GPU_CAPACITY');
    expect(problems).toContain('DEPLOYER_MODEL_GPUS');
    expect(problems).toContain('DEPLOYER_CAPACTY: unknown setting');
  });

  it('refuses a model that needs more GPUs than the capacity', () => {
    expect(problemsOf({ DEPLOYER_GPU_CAPACITY: '2', DEPLOYER_MODEL_GPUS: '{"big/model": 4}' })).toContain(
      'DEPLOYER_MODEL_GPUS: big/model: 4 GPUs is more than DEPLOYER_GPU_CAPACITY (2)',
    );
    expect(deployerEnv.keys).toContain('DEPLOYER_GPU_CAPACITY');
  });

  it('refuses backoff bounds the wrong way round', () => {
    expect(problemsOf({ DEPLOYER_RETRY_BACKOFF_BASE_MS: '100', DEPLOYER_RETRY_BACKOFF_MAX_MS: '10' })).toContain(
      'DEPLOYER_RETRY_BACKOFF_MAX_MS: must be >= DEPLOYER_RETRY_BACKOFF_BASE_MS',
    );
  });

  it('never shows OPENAI_COMPATIBLE_CONFIG, which holds endpoint API keys: not in problems, not in the summary', () => {
    const env = { OPENAI_COMPATIBLE_CONFIG: '{"endpoints": [{"apiKey": sk-live-123456789}]}' };
    const text = problemsOf(env);
    expect(text).toContain('OPENAI_COMPATIBLE_CONFIG: not JSON');
    expect(text).not.toContain('sk-live');
    expect(deployerEnv.describe(env)).toContain('OPENAI_COMPATIBLE_CONFIG=<redacted>');
  });
});
