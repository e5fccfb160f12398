import { ConfigError } from '@flywheel/service-kit';
import { loadAggregatorConfig } from './aggregator-config';

function problems(source: Record<string, string>): string[] {
  try {
    loadAggregatorConfig(source);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('aggregator config', () => {
  it('needs no settings: port 8000, SQLite stores under .data/, the blueprint candidates', () => {
    const c = loadAggregatorConfig({});
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8000 });
    expect(c.groupId).toBe('results-aggregator');
    expect(c.runStore).toMatchObject({ kind: 'sqlite', path: '.data/stores/runs.db' });
    expect(c.logStore).toMatchObject({ kind: 'sqlite', path: '.data/stores/logs.db' });
    expect(c.jobs.defaultCandidates.map((m) => m.model_name)).toEqual([
      'meta/llama-3.2-1b-instruct',
      'meta/llama-3.2-3b-instruct',
      'meta/llama-3.1-8b-instruct',
    ]);
    expect(c.jobs.curation.data_split_config.min_total_records).toBe(50);
    expect(c.decision.maxGap).toBe(0.1);
    expect(c.stall).toEqual({ timeoutMs: 30 * 60_000, checkIntervalMs: 60_000, republishPendingAfterMs: 120_000 });
  });

  it('reads every setting it is given', () => {
    const c = loadAggregatorConfig({
      HTTP_PORT: '9000',
      KAFKA_BROKERS: 'a:1,b:2',
      RUN_STORE_KIND: 'mongodb',
      MONGODB_URL: 'mongodb://mongo:27017',
      AGGREGATOR_MAX_GAP: '0.05',
      AGGREGATOR_DEFAULT_CANDIDATES: '[{"model_name":"m-1b"}]',
      CURATION_CONFIG: '{"data_split_config":{"min_total_records":10,"limit":100}}',
    });
    expect(c.http.port).toBe(9000);
    expect(c.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(c.runStore).toMatchObject({ kind: 'mongodb', url: 'mongodb://mongo:27017', db: 'flywheel' });
    expect(c.decision.maxGap).toBe(0.05);
    expect(c.jobs.defaultCandidates).toEqual([
      { model_name: 'm-1b', context_length: null, icl_enabled: true, customization_enabled: false },
    ]);
    expect(c.jobs.curation.data_split_config.min_total_records).toBe(10);
  });

  it('lists every bad key at once', () => {
    const found = problems({
      HTTP_PORT: '99999',
      AGGREGATOR_MAX_GAP: '1.5',
      RUN_STORE_KIND: 'mongodb',
      AGGREGATOR_DEFAULT_CANDIDATES: '[]',
      AGGREGATOR_GROPU_ID: 'x',
    });
    expect(found.join('\n')).toMatch(/HTTP_PORT: must be at most 65535/);
    expect(found.join('\n')).toMatch(/AGGREGATOR_DEFAULT_CANDIDATES/);
    expect(found.join('\n')).toMatch(/AGGREGATOR_GROPU_ID: unknown setting \(did you mean AGGREGATOR_GROUP_ID\?\)/);
  });

  it('checks cross-field rules and the curation config, naming the key', () => {
    const found = problems({
      AGGREGATOR_MAX_GAP: '1.5',
      RUN_STORE_KIND: 'mongodb',
      CURATION_CONFIG: '{"icl_config":{"max_examples":50}}',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AGGREGATOR_MAX_GAP: must be a number in \[0, 1\)/),
        'MONGODB_URL: required when RUN_STORE_KIND=mongodb',
        expect.stringMatching(/^CURATION_CONFIG: icl_config\.max_examples: max_examples 50 exceeds/),
      ]),
    );
  });

  it('reads run triggers and refuses one whose job a POST /api/jobs would refuse, naming the field', () => {
    const trigger = {
      workload_id: 'w',
      client_id: 'c',
      min_new_records: 500,
      job: { data_split_config: { eval_size: 20 } },
    };
    expect(loadAggregatorConfig({ AGGREGATOR_RUN_TRIGGERS: JSON.stringify([trigger]) }).triggers).toEqual([trigger]);
    const found = problems({
      AGGREGATOR_RUN_TRIGGERS: JSON.stringify([{ ...trigger, job: { data_split_config: { val_ratio: 1.5 } } }]),
    });
    expect(found).toEqual([expect.stringMatching(/^AGGREGATOR_RUN_TRIGGERS\.0\.job\.data_split_config\.val_ratio: /)]);
    expect(problems({ AGGREGATOR_RUN_TRIGGERS: '[{"workload_id":"w","client_id":"c","min_new_records":0}]' })).toEqual([
      expect.stringMatching(/^AGGREGATOR_RUN_TRIGGERS\.0\.min_new_records: /),
    ]);
  });
});
