import {
  loraSettingsSchema,
  mergeHyperparameters,
  trainingSettingsSchema,
  type ServiceTraining,
} from './hyperparameters';

const blueprint: ServiceTraining = { training: trainingSettingsSchema.parse({}), lora: loraSettingsSchema.parse({}) };
const noTraining = { training_type: null, finetuning_type: null, epochs: null, batch_size: null, learning_rate: null };

describe('mergeHyperparameters', () => {
  it('uses the blueprint defaults when neither the service nor the run says otherwise', () => {
    expect(mergeHyperparameters(blueprint, null, null)).toEqual({
      ok: true,
      hyperparameters: {
        trainingType: 'sft',
        finetuningType: 'lora',
        epochs: 2,
        batchSize: 16,
        learningRate: 0.0001,
        lora: { adapterDim: 32, adapterDropout: 0.1 },
      },
    });
  });

  it('puts the run overrides over the service settings; a null field keeps the configured value', () => {
    const service: ServiceTraining = {
      training: trainingSettingsSchema.parse({ epochs: 3, learning_rate: 0.0005 }),
      lora: loraSettingsSchema.parse({ adapter_dim: 64 }),
    };
    const r = mergeHyperparameters(
      service,
      { ...noTraining, batch_size: 8, epochs: 1 },
      { adapter_dim: null, adapter_dropout: 0 },
    );
    expect(r).toEqual({
      ok: true,
      hyperparameters: {
        trainingType: 'sft',
        finetuningType: 'lora',
        epochs: 1,
        batchSize: 8,
        learningRate: 0.0005,
        lora: { adapterDim: 64, adapterDropout: 0 },
      },
    });
  });

  it('names every bad override in the request’s terms', () => {
    const r = mergeHyperparameters(
      blueprint,
      { ...noTraining, epochs: 0, batch_size: 2.5, learning_rate: -1 },
      { adapter_dim: 0, adapter_dropout: 1 },
    );
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.problems).toEqual([
      'training.epochs: must be a whole number >= 1 (got 0)',
      'training.batch_size: must be a whole number >= 1 (got 2.5)',
      'training.learning_rate: must be a number > 0 (got -1)',
      'lora.adapter_dim: must be a whole number >= 1 (got 0)',
      'lora.adapter_dropout: must be in [0, 1) (got 1)',
    ]);
  });

  it('refuses a training method it does not know (an enum symbol newer than this reader)', () => {
    const r = mergeHyperparameters(blueprint, { ...noTraining, training_type: 'unknown' }, null);
    expect(r.ok ? [] : r.problems).toEqual(['training.training_type: a training method this service does not know']);
  });
});

describe('service training settings', () => {
  it('reject unknown keys and out-of-range values', () => {
    expect(trainingSettingsSchema.safeParse({ epoch: 2 }).success).toBe(false);
    expect(loraSettingsSchema.safeParse({ adapter_dropout: 1 }).success).toBe(false);
  });
});
