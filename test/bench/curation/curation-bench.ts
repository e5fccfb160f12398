// Curation benchmark: 100k tool-calling log records made by repeating and varying the BFCL fixtures (generation
// is not timed), curated at limit 10,000 and 100,000 with uniform ICL, the real cl100k tokenizer and a fixed seed.
// Prints records/s, seconds per stage and peak RSS next to the targets; asserts nothing.
// Usage: npx tsx test/bench/curation/curation-bench.ts [--records N] [--runs N] [--unshared]
//   --unshared  deep-copies every record (as if each were parsed from its own JSON line, no shared tool lists)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  curate,
  parseJsonl,
  parseServiceConfig,
  resolveJobConfig,
  cl100kTokenCounter,
  type CurationResult,
  type LogRecord,
} from '@flywheel/curation';

const FIXTURES = join(__dirname, '../../fixtures/production-logs');
const TOOL_FILES = ['bfcl-live-simple.jsonl', 'bfcl-simple-python.jsonl', 'bfcl-multiple.jsonl'];
const TARGETS = { 10_000: 0.15, 100_000: 0.8 } as const;
const RSS_TARGET_MB = 500;
const SEED = 42;
/** The blueprint queries limit × 2 records, newest first. */
const QUERY_FACTOR = 2;

function flag(name: string): boolean {
  return process.argv.includes(name);
}

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/**
 * `count` records cycling through the fixtures. Each copy gets its own user text (a variant suffix), id, timestamp
 * and tool-call object; about 1 % repeat an earlier user text so dedupe has work. Tool lists are shared with the
 * fixture record, as an ingest layer that interns a workload's tool list would (use --unshared to disable).
 */
function generate(count: number, unshared: boolean): LogRecord[] {
  const base = TOOL_FILES.flatMap((f) => parseJsonl(readFileSync(join(FIXTURES, f), 'utf8'))) as LogRecord[];
  const out: LogRecord[] = [];
  for (let i = 0; i < count; i++) {
    // Every 100th record repeats the user text of the record one cycle earlier (same fixture, older timestamp).
    const variant = i % 100 === 99 && i >= base.length ? i - base.length : i;
    const src = base[variant % base.length] as LogRecord;
    const messages = src.request.messages.map((m) =>
      m.role === 'user' && typeof m.content === 'string' ? { ...m, content: `${m.content} (case ${variant})` } : m,
    );
    const choice = src.response.choices[0];
    const message = choice?.message;
    const record: LogRecord = {
      timestamp: 1767225600 + i,
      workload_id: 'agent.bench',
      client_id: 'bench',
      request: { ...src.request, messages },
      response: {
        ...src.response,
        id: `chatcmpl-${i}`,
        choices: message
          ? [
              {
                ...choice,
                message: { ...message, tool_calls: message.tool_calls?.map((c) => ({ ...c, id: `call_${i}` })) },
              },
            ]
          : [],
      },
    };
    out.push(unshared ? (JSON.parse(JSON.stringify(record)) as LogRecord) : record);
  }
  return out;
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/**
 * One curation at `limit` over what the blueprint's query returns for it: the newest limit × 2 records
 * (inventory §2.2), here the tail of the generated, time-ordered input.
 */
async function run(all: readonly LogRecord[], limit: number, seconds: number[]): Promise<CurationResult> {
  const records = all.slice(Math.max(0, all.length - limit * QUERY_FACTOR));
  const service = parseServiceConfig({
    data_split_config: { eval_size: 100, val_ratio: 0.1, min_total_records: 50, limit },
    icl_config: { max_context_length: 32768, reserved_tokens: 4096, max_examples: 3 },
    target_models: [{ model_name: 'meta/llama-3.2-1b-instruct', context_length: 8192 }],
  });
  const config = resolveJobConfig(service, { data_split_config: { random_seed: SEED } });
  const t0 = performance.now();
  const result = await curate(records, config, { clock: () => performance.now() });
  seconds.push((performance.now() - t0) / 1000);
  return result;
}

async function main(): Promise<void> {
  const total = option('--records', 100_000);
  const runs = option('--runs', 3);
  const unshared = flag('--unshared');
  const records = generate(total, unshared);
  const rssInput = process.memoryUsage().rss / 2 ** 20;
  cl100kTokenCounter.count('warm up the tokenizer');
  await run(records.slice(0, 2000), 1000, []); // JIT warm-up, not reported
  console.log(
    `curation bench: ${total.toLocaleString('en-US')} tool-calling records from ${TOOL_FILES.join(', ')}` +
      `${unshared ? ' (unshared copies)' : ''}; uniform ICL, cl100k tokenizer, seed ${SEED}, eval_size 100, ` +
      `median of ${runs} runs; input generated in memory (${rssInput.toFixed(0)} MB RSS before curation)`,
  );
  for (const limit of [10_000, 100_000] as const) {
    if (limit > total) continue;
    const seconds: number[] = [];
    let last: CurationResult | undefined;
    for (let i = 0; i < runs; i++) last = await run(records, limit, seconds);
    if (!last) continue;
    const s = median(seconds);
    const stages = Object.entries(last.stats.timings_ms)
      .map(([stage, ms]) => `${stage} ${(ms / 1000).toFixed(3)}`)
      .join(', ');
    const { eval: e, train, val } = last.stats.splits;
    console.log(
      `limit ${limit.toLocaleString('en-US').padStart(7)}: ${s.toFixed(3)} s (target ≤ ${TARGETS[limit]} s), ` +
        `${Math.round(last.stats.counts.total_records / s).toLocaleString('en-US')} input records/s ` +
        `(${last.stats.counts.total_records.toLocaleString('en-US')} in), ` +
        `${Math.round(last.stats.counts.final_selected / s).toLocaleString('en-US')} selected records/s`,
    );
    console.log(`                stages (s): ${stages}`);
    console.log(
      `                selected ${last.stats.counts.final_selected}, eval ${e}, train ${train}, val ${val}, ` +
        `duplicates ${last.stats.counts.deduplicated_queries}, invalid ${last.stats.counts.invalid_format}, ` +
        `ICL examples/record ${last.stats.icl.targets[0]?.mean_examples.toFixed(2) ?? '-'}`,
    );
  }
  const peak = process.resourceUsage().maxRSS / 1024;
  console.log(`peak RSS: ${peak.toFixed(0)} MB (target < ${RSS_TARGET_MB} MB, generator and input included)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
