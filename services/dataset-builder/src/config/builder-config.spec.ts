import { ConfigError } from '@flywheel/service-kit';
import { builderEnv, loadBuilderConfig } from './builder-config';

describe('builder config', () => {
  it('needs no settings against the embedded stack and the simulator', () => {
    const config = loadBuilderConfig({});
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.schemaRegistryUrl).toBe('http://127.0.0.1:8081');
    expect(config.groupId).toBe('dataset-builder');
    expect(config.store).toMatchObject({ kind: 'sqlite', path: '.data/stores/logs.db' });
    expect(config.statePath).toBe('.data/dataset-builder/state.db');
    expect(config.platform).toMatchObject({
      backend: 'nemo',
      nemoBaseUrl: 'http://127.0.0.1:8080',
      datastoreBaseUrl: 'http://127.0.0.1:8080',
    });
    expect(config.namespace).toBe('dfwbp');
    // Blueprint defaults for curation.
    expect(config.curation.data_split_config).toMatchObject({ eval_size: 20, min_total_records: 50, limit: 10000 });
    expect(config.curation.icl_config.example_selection).toBe('uniform_distribution');
    expect(config.embedding).toBeNull();
    expect(config.readFactor).toBe(2);
  });

  it('reads the OpenAI-compatible backend, a curation section and an embedding endpoint', () => {
    const config = loadBuilderConfig({
      PLATFORM_BACKEND: 'openai-compatible',
      DATASETS_DIR: '/tmp/ds',
      CURATION_CONFIG: JSON.stringify({
        data_split_config: { eval_size: 40 },
        icl_config: { example_selection: 'semantic_similarity' },
      }),
      EMBEDDING_BASE_URL: 'http://embed.test/v1',
      EMBEDDING_API_KEY: 'sk-secret',
    });
    expect(config.platform).toEqual({ backend: 'openai-compatible', datasetsDir: '/tmp/ds' });
    expect(config.curation.data_split_config.eval_size).toBe(40);
    expect(config.curation.data_split_config.val_ratio).toBe(0.1);
    expect(config.curation.icl_config.example_selection).toBe('semantic_similarity');
    expect(config.embedding).toMatchObject({
      baseUrl: 'http://embed.test/v1',
      model: 'nvidia/llama-3.2-nv-embedqa-1b-v2',
    });
    expect(builderEnv.describe({ EMBEDDING_API_KEY: 'sk-secret' }).join('\n')).not.toContain('sk-secret');
  });

  it('lists every bad key at once, curation fields by their path', () => {
    let error: unknown;
    try {
      loadBuilderConfig({
        HTTP_PORT: 'eighty',
        PLATFORM_BACKEND: 'sagemaker',
        BUILDER_MAX_ATEMPTS: '3',
        CURATION_CONFIG: JSON.stringify({ data_split_config: { val_ratio: 1.5 } }),
        LOG_STORE_KIND: 'elasticsearch',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('HTTP_PORT');
    expect(problems).toContain('PLATFORM_BACKEND: must be one of nemo, openai-compatible');
    expect(problems).toContain('BUILDER_MAX_ATEMPTS: unknown setting (did you mean BUILDER_MAX_ATTEMPTS?)');
  });

  it('reports a bad curation section and a missing Elasticsearch URL by key', () => {
    let error: unknown;
    try {
      loadBuilderConfig({
        CURATION_CONFIG: JSON.stringify({ data_split_config: { val_ratio: 1.5 }, icl_config: { max_examples: 30 } }),
        LOG_STORE_KIND: 'elasticsearch',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('CURATION_CONFIG: data_split_config.val_ratio');
    expect(problems).toContain('ELASTICSEARCH_URL: required when LOG_STORE_KIND=elasticsearch');
  });
});
