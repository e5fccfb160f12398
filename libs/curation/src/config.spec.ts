import { CurationConfigError, DEFAULT_CURATION_CONFIG, parseServiceConfig, resolveJobConfig } from './config';

describe('curation config', () => {
  it('carries the blueprint model defaults', () => {
    expect(DEFAULT_CURATION_CONFIG).toEqual({
      data_split_config: {
        eval_size: 20,
        val_ratio: 0.1,
        min_total_records: 50,
        random_seed: null,
        limit: 10000,
        parse_function_arguments: true,
        max_tool_properties: 8,
        max_message_chars: 131072,
      },
      icl_config: {
        max_context_length: 8192,
        reserved_tokens: 2048,
        max_examples: 3,
        min_examples: 1,
        example_selection: 'uniform_distribution',
        similarity_config: {
          relevance_ratio: 0.7,
          embedding_batch_size: 32,
          on_embedding_failure: 'fall_back_to_uniform',
        },
      },
      training_config: {
        training_type: 'sft',
        finetuning_type: 'lora',
        epochs: 2,
        batch_size: 16,
        learning_rate: 0.0001,
      },
      target_models: [],
    });
  });

  it('errors name the field', () => {
    expect(() => parseServiceConfig({ data_split_config: { val_ratio: 1 } })).toThrow(/data_split_config\.val_ratio/);
    expect(() => parseServiceConfig({ icl_config: { example_selection: 'random' } })).toThrow(
      /icl_config\.example_selection/,
    );
    expect(() => parseServiceConfig({ data_split_config: { eval_sise: 5 } })).toThrow(/eval_sise/);
    try {
      resolveJobConfig(DEFAULT_CURATION_CONFIG, { data_split_config: { limit: 'many' } });
      throw new Error('expected a config error');
    } catch (err) {
      expect(err).toBeInstanceOf(CurationConfigError);
      expect((err as CurationConfigError).source).toBe('job override');
      expect((err as CurationConfigError).issues[0]?.path).toBe('data_split_config.limit');
    }
  });

  describe('blueprint bug 8: per-job split override only partially honoured', () => {
    const service = parseServiceConfig({
      data_split_config: { eval_size: 100, limit: 1000, random_seed: 5 },
      icl_config: { max_context_length: 32768, reserved_tokens: 4096 },
    });

    it('unspecified override fields fall back to the service config, not the hard defaults', () => {
      const job = resolveJobConfig(service, { data_split_config: { val_ratio: 0.2 } });
      expect(job.data_split_config).toMatchObject({ eval_size: 100, limit: 1000, random_seed: 5, val_ratio: 0.2 });
      expect(job.icl_config.max_context_length).toBe(32768);
    });

    it('random_seed 0 and parse_function_arguments from the job are kept', () => {
      const job = resolveJobConfig(service, { data_split_config: { random_seed: 0, parse_function_arguments: false } });
      expect(job.data_split_config.random_seed).toBe(0);
      expect(job.data_split_config.parse_function_arguments).toBe(false);
    });

    it('an explicit null override is a value (unseeded), absence keeps the service value', () => {
      expect(
        resolveJobConfig(service, { data_split_config: { random_seed: null } }).data_split_config.random_seed,
      ).toBe(null);
      expect(resolveJobConfig(service, {}).data_split_config.random_seed).toBe(5);
    });

    it('max_examples ≤ eval_size is validated on the effective (per-job) config', () => {
      expect(() => resolveJobConfig(service, { data_split_config: { eval_size: 2 } })).toThrow(
        /icl_config\.max_examples: max_examples 3 exceeds data_split_config\.eval_size 2/,
      );
    });

    it('limit below min_total_records is refused, naming the field', () => {
      expect(() => resolveJobConfig(service, { data_split_config: { limit: 10 } })).toThrow(/data_split_config\.limit/);
    });

    it('nested overrides (similarity_config) merge field by field', () => {
      const job = resolveJobConfig(service, {
        icl_config: { example_selection: 'semantic_similarity', similarity_config: { relevance_ratio: 0.5 } },
      });
      expect(job.icl_config.similarity_config).toEqual({
        relevance_ratio: 0.5,
        embedding_batch_size: 32,
        on_embedding_failure: 'fall_back_to_uniform',
      });
    });
  });

  it('target models must leave room after reserved tokens', () => {
    expect(() => parseServiceConfig({ target_models: [{ model_name: 'tiny', context_length: 1024 }] })).toThrow(
      /target_models\.0\.context_length/,
    );
  });
});
