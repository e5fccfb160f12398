import { DEFAULT_CURATION_CONFIG, resolveJobConfig, type CurationConfigOverride } from './config';
import { curate } from './curate';
import { EmbeddingFailureError, InsufficientRecordsError } from './errors';
import { UnparseableLine } from './json';
import { FakeEmbeddingClient } from './testing/fake-embedding-client';
import { chatRecord, deepFreeze, toolCallRecord, toolCallRecords } from './testing/log-records';
import { type ChatMessage, type LogRecord } from './types';

const TOOLS = ['get_weather', 'get_stock', 'send_email'];
const config = (override: CurationConfigOverride = {}) =>
  resolveJobConfig(DEFAULT_CURATION_CONFIG, {
    data_split_config: { random_seed: 1, min_total_records: 10, eval_size: 6, ...override.data_split_config },
    icl_config: override.icl_config,
    target_models: override.target_models,
  });

describe('curate', () => {
  it('produces eval, ICL, train and validation datasets with stats', async () => {
    const result = await curate(toolCallRecords(60, TOOLS), config());
    expect(result.workload_type).toBe('tool_calling');
    expect(result.stats.splits).toEqual({ eval: 6, train: 48, val: 6 });
    expect(result.datasets.eval).toHaveLength(6);
    expect(result.datasets.icl.default).toHaveLength(6);
    expect(result.datasets.train).toHaveLength(48);
    expect(result.datasets.val).toHaveLength(6);
    expect(Object.keys(result.stats.classes)).toEqual([...TOOLS].sort());
    expect(result.stats.icl.targets[0]?.records).toHaveLength(6);
    expect(result.stats.icl.targets[0]?.records_with_examples).toBe(6);
    for (const line of [...result.datasets.eval, ...result.datasets.train]) {
      expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
  });

  it('is byte-identical for the same input, config and seed, and differs for another seed', async () => {
    const records = toolCallRecords(60, TOOLS);
    const a = await curate(records, config());
    const b = await curate(records, config());
    const c = await curate(records, config({ data_split_config: { random_seed: 2 } }));
    expect(b.datasets).toEqual(a.datasets);
    expect(c.datasets.eval).not.toEqual(a.datasets.eval);
  });

  it('counts every named bad input under its rule without crashing', async () => {
    const good = toolCallRecords(40, TOOLS);
    const r = toolCallRecord();
    const reply = r.response.choices[0]!.message;
    const withCall = (call: Record<string, unknown>): LogRecord => ({
      ...r,
      response: { choices: [{ message: { ...reply, tool_calls: [{ ...reply.tool_calls![0]!, ...call }] } }] },
    });
    const unicode = toolCallRecord({ user: 'Wetter in Zürich? 東京の天気 🌦️ مرحبا \ud800' });
    const bad: unknown[] = [
      42,
      'a string',
      null,
      [r],
      new UnparseableLine(7, 'Unexpected end of JSON input'),
      { ...r, request: undefined },
      { ...r, response: undefined },
      { ...r, request: { ...r.request, messages: [] } },
      withCall({ type: 'retrieval' }),
      withCall({ function: { name: 'get_weather', arguments: '{"city": "Par' } }),
      toolCallRecord({ user: 'x'.repeat(1024 * 1024) }),
      { ...r, request: { ...r.request, messages: [{ role: 'user', content: 1234 }] } },
      unicode,
    ];
    const result = await curate([...good, ...bad], config());
    expect(result.stats.dropped).toMatchObject({
      not_an_object: 4,
      unparseable_json: 1,
      missing_request: 1,
      missing_response: 1,
      messages_empty: 1,
      non_function_tool_call: 1,
      unparseable_arguments: 1,
      message_too_long: 1,
      invalid_content: 1,
    });
    expect(result.stats.counts).toMatchObject({ total_records: 53, invalid_format: 10, removed_quality_filters: 2 });
    expect(result.stats.counts.after_dedupe).toBe(41);
    // The unicode record survived and round-trips wherever it landed.
    const all = [...result.datasets.eval, ...result.datasets.train, ...result.datasets.val];
    const hit = all.find((l) => l.includes('Zürich'));
    expect(hit).toBeDefined();
    expect(JSON.stringify(JSON.parse(hit!))).toBe(hit);
  });

  it('checks counts after dedupe, naming the numbers', async () => {
    const records = [...toolCallRecords(8, TOOLS), { not: 'a record' }, 5];
    const dupes = [toolCallRecord({ user: 'same' }), toolCallRecord({ user: 'same' })];
    await expect(curate([...records, ...dupes], config())).rejects.toThrow(
      new InsufficientRecordsError(
        'found 9 valid records after dedupe, need 10 (min_total_records); 12 read, 2 dropped as invalid OpenAI format, ' +
          '0 by the tool-calling quality filter, 1 as duplicates',
      ),
    );
  });

  it('refuses an eval_size that leaves no training record, naming the numbers', async () => {
    const cfg = config({ data_split_config: { eval_size: 20, limit: 20, min_total_records: 20 } });
    await expect(curate(toolCallRecords(30, TOOLS), cfg)).rejects.toThrow(
      /eval_size 20 needs at least 21 records .* 20 remain after dedupe and sampling \(limit 20\)/,
    );
  });

  it('reports a mixed workload instead of silently dropping the minority', async () => {
    const records = [...toolCallRecords(30, TOOLS), chatRecord(), chatRecord()];
    const result = await curate(records, config());
    expect(result.stats.workload).toMatchObject({ mixed: true, generic_records: 2 });
    expect(result.stats.dropped.no_tool_calls).toBe(2);
    expect(result.stats.warnings[0]).toMatch(/mixed workload: 2 of 32/);
  });

  it('curates generic workloads without tools', async () => {
    const records = Array.from({ length: 30 }, () => chatRecord());
    const result = await curate(records, config());
    expect(result.workload_type).toBe('generic');
    expect(result.datasets.train.every((l) => !('tools' in (JSON.parse(l) as object)))).toBe(true);
  });

  it('reports per-stage timings when given a clock', async () => {
    let t = 0;
    const result = await curate(toolCallRecords(30, TOOLS), config(), { clock: () => (t += 5) });
    expect(Object.keys(result.stats.timings_ms)).toEqual(['validate', 'dedupe', 'sample', 'split', 'format', 'icl']);
  });

  describe('blueprint bug 8: per-job split override only partially honoured', () => {
    it('seed 0 is a seed: reproducible and reported', async () => {
      const records = toolCallRecords(40, TOOLS);
      const a = await curate(records, config({ data_split_config: { random_seed: 0 } }));
      const b = await curate(records, config({ data_split_config: { random_seed: 0 } }));
      expect(a.stats).toMatchObject({ seed: 0, seed_source: 'config' });
      expect(b.datasets).toEqual(a.datasets);
    });

    it('an unseeded run draws its seed through the port and reports it', async () => {
      const result = await curate(toolCallRecords(40, TOOLS), config({ data_split_config: { random_seed: null } }), {
        drawSeed: () => 99,
      });
      expect(result.stats).toMatchObject({ seed: 99, seed_source: 'drawn' });
    });

    it("the job's parse_function_arguments is used, not a global flag", async () => {
      const records = toolCallRecords(30, TOOLS);
      const off = await curate(records, config({ data_split_config: { parse_function_arguments: false } }));
      const on = await curate(records, config());
      const args = (line: string) => (JSON.parse(line) as { messages: ChatMessage[] }).messages.at(-1)?.tool_calls?.[0];
      expect(typeof args(off.datasets.train[0]!)?.function.arguments).toBe('string');
      expect(typeof args(on.datasets.train[0]!)?.function.arguments).toBe('object');
    });

    it("the job's limit is used", async () => {
      const result = await curate(toolCallRecords(60, TOOLS), config({ data_split_config: { limit: 25 } }));
      expect(result.stats.counts.final_selected).toBe(25);
    });
  });

  describe('blueprint bug 13: format_training_data mutates shared records', () => {
    it('leaves frozen input untouched and ICL examples keep the reply text', async () => {
      const records = toolCallRecords(40, ['get_weather']).map((r) => {
        const message = { ...r.response.choices[0]!.message, content: 'Checking the weather now.' };
        return deepFreeze({ ...r, response: { ...r.response, choices: [{ ...r.response.choices[0]!, message }] } });
      });
      const result = await curate(records, config());
      expect(result.datasets.icl.default?.[0]).toContain('assistant: Checking the weather now.');
      expect(JSON.parse(result.datasets.train[0]!)).toMatchObject({ messages: [{}, { content: '' }] });
      expect(records[0]?.response.choices[0]?.message.content).toBe('Checking the weather now.');
    });
  });

  describe('blueprint bug 17: silent degradation on embedding failures', () => {
    const semantic = (onFailure?: 'fail' | 'fall_back_to_uniform') =>
      config({
        icl_config: {
          example_selection: 'semantic_similarity',
          similarity_config: onFailure ? { on_embedding_failure: onFailure } : {},
        },
      });

    it('a failing embedding client degrades to uniform selection, reported, with examples still injected', async () => {
      const client = new FakeEmbeddingClient(64, new Error('503 Service Unavailable'));
      const result = await curate(toolCallRecords(40, TOOLS), semantic(), { embeddingClient: client });
      expect(result.stats.icl.selection_used).toBe('uniform_distribution');
      expect(result.stats.icl.degradation).toMatch(/503 Service Unavailable/);
      expect(result.stats.fallbacks.some((f) => f.includes('fell back to uniform_distribution'))).toBe(true);
      expect(result.stats.icl.targets[0]?.records_with_examples).toBe(6);
    });

    it('with on_embedding_failure=fail the curation fails with the cause', async () => {
      const client = new FakeEmbeddingClient(64, new Error('connection refused'));
      await expect(curate(toolCallRecords(40, TOOLS), semantic('fail'), { embeddingClient: client })).rejects.toThrow(
        EmbeddingFailureError,
      );
    });

    it('a missing embedding client is a reported degradation too', async () => {
      const result = await curate(toolCallRecords(40, TOOLS), semantic());
      expect(result.stats.icl.degradation).toMatch(/no embedding client/);
    });

    it('zero injected examples is a warning, not silence', async () => {
      const cfg = config({ icl_config: { max_context_length: 2100, reserved_tokens: 2048 } });
      const result = await curate(toolCallRecords(40, TOOLS), cfg);
      expect(result.stats.icl.targets[0]?.records_with_examples).toBe(0);
      expect(result.stats.warnings.some((w) => /no example fits any of the 6 records/.test(w))).toBe(true);
    });

    it('semantic selection with a working client injects nearest examples', async () => {
      const result = await curate(toolCallRecords(40, TOOLS), semantic(), {
        embeddingClient: new FakeEmbeddingClient(),
      });
      expect(result.stats.icl.selection_used).toBe('semantic_similarity');
      expect(result.stats.icl.semantic).toMatchObject({ train_embedded: result.stats.splits.train });
      expect(result.stats.icl.targets[0]?.records_with_examples).toBe(6);
    });
  });

  describe('blueprint bug 18: NIM context_length ignored, global ICL budget overflows small models', () => {
    it('each target model gets its own budget and no record exceeds it', async () => {
      // Long replies make each example ~1,000 tokens: three fit in 32k, not in a 4k model.
      const records = toolCallRecords(40, TOOLS).map((r, i) => {
        const message = { ...r.response.choices[0]!.message, content: `${'reasoning step '.repeat(400)}${i}` };
        return { ...r, response: { ...r.response, choices: [{ ...r.response.choices[0]!, message }] } };
      });
      const cfg = config({
        icl_config: { max_context_length: 32768, reserved_tokens: 1024 },
        target_models: [
          { model_name: 'small-4k', context_length: 4096 },
          { model_name: 'large-32k', context_length: 32768 },
        ],
      });
      const result = await curate(records, cfg);
      const [small, large] = result.stats.icl.targets;
      expect(small).toMatchObject({ model_name: 'small-4k', token_budget: 3072 });
      expect(large).toMatchObject({ model_name: 'large-32k', token_budget: 31744 });
      expect(large!.mean_examples).toBe(3);
      expect(small!.mean_examples).toBeLessThan(large!.mean_examples);
      for (const s of small!.records) expect(s.record_tokens + s.example_tokens).toBeLessThanOrEqual(3072);
      expect(result.datasets.icl['small-4k']).not.toEqual(result.datasets.icl['large-32k']);
    });
  });
});
