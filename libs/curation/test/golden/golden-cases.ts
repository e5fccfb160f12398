// Golden cases: the fixtures curated with fixed seeds, summarised as counts per split and class plus a sha256 of
// every output file. `update-golden.ts` rewrites the expected summaries; `golden.spec.ts` compares against them.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  curate,
  FakeEmbeddingClient,
  parseJsonl,
  parseServiceConfig,
  resolveJobConfig,
  toJsonl,
  type CurationConfigOverride,
  type CurationResult,
} from '../../src/index';

export const FIXTURES = join(__dirname, '../../../../test/fixtures/production-logs');
export const EXPECTED = join(__dirname, 'expected');

/** The service config of the shipped blueprint yaml (inventory §6), with two target models. */
export const SERVICE_CONFIG = parseServiceConfig({
  data_split_config: { eval_size: 100, val_ratio: 0.1, min_total_records: 50, random_seed: null, limit: 1000 },
  icl_config: { max_context_length: 32768, reserved_tokens: 4096, max_examples: 3 },
  target_models: [
    { model_name: 'meta/llama-3.2-1b-instruct', context_length: 8192 },
    { model_name: 'meta/llama-3.1-8b-instruct', context_length: 32768 },
  ],
});

export interface GoldenCase {
  readonly name: string;
  readonly files: readonly string[];
  readonly override: CurationConfigOverride;
  readonly semantic?: boolean;
}

export const GOLDEN_CASES: readonly GoldenCase[] = [
  { name: 'bfcl-live-simple', files: ['bfcl-live-simple.jsonl'], override: { data_split_config: { random_seed: 42 } } },
  {
    name: 'bfcl-simple-python-seed-0',
    files: ['bfcl-simple-python.jsonl'],
    override: { data_split_config: { random_seed: 0, eval_size: 20 } },
  },
  {
    name: 'bfcl-multiple-semantic',
    files: ['bfcl-multiple.jsonl'],
    override: {
      data_split_config: { random_seed: 7, eval_size: 30 },
      icl_config: { example_selection: 'semantic_similarity' },
    },
    semantic: true,
  },
  { name: 'gsm8k-chat', files: ['gsm8k-chat.jsonl'], override: { data_split_config: { random_seed: 42 } } },
  {
    name: 'mixed-multiple-and-chat',
    files: ['bfcl-multiple.jsonl', 'gsm8k-chat.jsonl'],
    override: { data_split_config: { random_seed: 3, eval_size: 20 } },
  },
];

export function readFixtures(files: readonly string[]): unknown[] {
  return files.flatMap((f) => parseJsonl(readFileSync(join(FIXTURES, f), 'utf8')));
}

export function sha256(lines: readonly string[]): string {
  return createHash('sha256').update(toJsonl(lines)).digest('hex');
}

export async function runCase(c: GoldenCase): Promise<CurationResult> {
  const config = resolveJobConfig(SERVICE_CONFIG, c.override);
  return curate(readFixtures(c.files), config, c.semantic ? { embeddingClient: new FakeEmbeddingClient(64) } : {});
}

export function summarise(c: GoldenCase, result: CurationResult): unknown {
  const s = result.stats;
  const file = (lines: readonly string[]) => ({ lines: lines.length, sha256: sha256(lines) });
  return {
    case: c.name,
    files: c.files,
    override: c.override,
    seed: s.seed,
    workload: s.workload,
    counts: s.counts,
    dropped: Object.fromEntries(Object.entries(s.dropped).filter(([, n]) => n > 0)),
    splits: s.splits,
    split_report: s.split_report,
    training_format_dropped: s.training_format_dropped,
    fallbacks: s.fallbacks,
    warnings: s.warnings,
    icl: {
      selection_used: s.icl.selection_used,
      degradation: s.icl.degradation,
      targets: s.icl.targets.map((t) => ({
        model_name: t.model_name,
        token_budget: t.token_budget,
        records_with_examples: t.records_with_examples,
        mean_examples: t.mean_examples,
        mean_example_tokens: t.mean_example_tokens,
      })),
    },
    outputs: {
      eval: file(result.datasets.eval),
      train: file(result.datasets.train),
      val: file(result.datasets.val),
      icl: Object.fromEntries(Object.entries(result.datasets.icl).map(([model, lines]) => [model, file(lines)])),
    },
    classes: s.classes,
  };
}

export function expectedPath(c: GoldenCase): string {
  return join(EXPECTED, `${c.name}.json`);
}

/** The summary as plain JSON data (what a checked-in file parses back to). */
export function asJson(summary: unknown): unknown {
  return JSON.parse(JSON.stringify(summary));
}
