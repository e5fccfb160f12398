import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@flywheel/service-kit';
import { driverEnv, loadDriverConfig } from './driver-config';
import { configSpecFor } from './model-settings';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadDriverConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('customizer-driver config', () => {
  it('needs no settings against the local stack', () => {
    const c = loadDriverConfig({});
    expect(c.http.port).toBe(8094);
    expect(c.groupId).toBe('customizer-driver');
    expect(c.statePath).toBe('.data/customizer-driver/state.db');
    expect(c.platform).toMatchObject({ backend: 'nemo', namespace: 'dfwbp' });
    expect(c.worker.maxConcurrentJobs).toBe(4);
    expect(c.training).toEqual({
      training: { training_type: 'sft', finetuning_type: 'lora', epochs: 2, batch_size: 16, learning_rate: 0.0001 },
      lora: { adapter_dim: 32, adapter_dropout: 0.1 },
    });
    expect(c.models).toEqual([]);
  });

  it('lists every bad key at once, with paths inside JSON values', () => {
    const problems = problemsOf({
      CUSTOMIZER_MAX_CONCURRENT_JOBS: '0',
      CUSTOMIZER_TRAINING_CONFIG: '{"epochs": 0}',
      CUSTOMIZER_LORA_CONFIG: '{"adapter_dropout": 2}',
      CUSTOMIZER_MODELS: '[{"model_name": "m", "customizer_configs": {"gpus": -1, "tagret": "x"}}]',
      CUSTOMIZER_MAX_ATEMPTS: '3',
    });
    const joined = problems.join('\n');
    expect(joined).toContain('CUSTOMIZER_MAX_CONCURRENT_JOBS');
    expect(joined).toContain('CUSTOMIZER_TRAINING_CONFIG.epochs');
    expect(joined).toContain('CUSTOMIZER_LORA_CONFIG.adapter_dropout');
    expect(joined).toContain('CUSTOMIZER_MODELS.0.customizer_configs.gpus');
    expect(joined).toContain('tagret');
    expect(joined).toContain('CUSTOMIZER_MAX_ATEMPTS: unknown setting (did you mean CUSTOMIZER_MAX_ATTEMPTS?)');
    expect(problemsOf({ CUSTOMIZER_RETRY_BACKOFF_BASE_MS: '500', CUSTOMIZER_RETRY_BACKOFF_MAX_MS: '100' })).toEqual([
      'CUSTOMIZER_RETRY_BACKOFF_MAX_MS: must be >= CUSTOMIZER_RETRY_BACKOFF_BASE_MS',
    ]);
  });

  it('reads the blueprint nims list (from a file too) and derives each model’s Customizer config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'customizer-config-'));
    try {
      const file = join(dir, 'nims.json');
      writeFileSync(
        file,
        JSON.stringify([
          {
            model_name: 'meta/llama-3.2-1b-instruct',
            context_length: 8192,
            customization_enabled: true,
            customizer_configs: { target: 'meta/llama-3.2-1b-instruct@2.0', gpus: 2, max_seq_length: 8192 },
          },
        ]),
      );
      const c = loadDriverConfig({ CUSTOMIZER_MODELS_FILE: file });
      const training = { trainingType: 'sft', finetuningType: 'lora' };
      expect(configSpecFor('meta/llama-3.2-1b-instruct', c.models, training)).toMatchObject({
        baseModel: 'meta/llama-3.2-1b-instruct',
        target: 'meta/llama-3.2-1b-instruct@2.0',
        gpus: 2,
        maxSeqLength: 8192,
        numNodes: 1,
        trainingPrecision: 'bf16-mixed',
      });
      // A model without an entry: defaults the simulator accepts.
      expect(configSpecFor('meta/llama-3.1-8b-instruct', c.models, training)).toMatchObject({
        target: 'meta/llama-3.1-8b-instruct@2.0',
        gpus: 1,
        maxSeqLength: 4096,
      });
      expect(problemsOf({ CUSTOMIZER_MODELS_FILE: join(dir, 'missing.json') }).join()).toContain(
        'CUSTOMIZER_MODELS_FILE: cannot read',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never shows OPENAI_COMPATIBLE_CONFIG, which holds endpoint API keys: not in problems, not in the summary', () => {
    const env = { OPENAI_COMPATIBLE_CONFIG: '{"endpoints": [{"apiKey": sk-live-123456789}]}' };
    const text = problemsOf(env).join('\n');
    expect(text).toContain('OPENAI_COMPATIBLE_CONFIG: not JSON');
    expect(text).not.toContain('sk-live');
    expect(driverEnv.describe(env)).toContain('OPENAI_COMPATIBLE_CONFIG=<redacted>');
  });
});
