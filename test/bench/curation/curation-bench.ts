// Curation benchmark: 100k tool-calling log records made by repeating and varying the BFCL fixtures (generation and
// mapping from the log event are input preparation, not timed as curation), curated at limit 10,000 and 100,000
// with uniform ICL, the real cl100k tokenizer and a fixed seed. Prints min and median seconds over several runs,
// records/s, seconds per stage and peak RSS next to the issue's targets; asserts nothing.
// Every run starts from a collected heap, as a fresh job would: without that, garbage left by earlier runs decides
// when the collector runs (and the peak RSS), and the figures depend on the run order.
// Usage: npx tsx test/bench/curation/curation-bench.ts [--records N] [--runs N] [--limits A,B] [--unshared]
//   --unshared  no tool-list interner: every record carries its own tool list
import { availableParallelism, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { setTimeout } from 'node:timers/promises';
import { runInNewContext } from 'node:vm';
import { cl100kTokenCounter, curate, parseServiceConfig, resolveJobConfig, type LogRecord } from '@flywheel/curation';
import { generateRecords, TOOL_FILES } from './generate-records';

const TARGETS: Record<number, number> = { 10_000: 0.15, 100_000: 0.8 };
const RSS_TARGET_MB = 500;
const SEED = 42;
/** The blueprint queries limit × 2 records, newest first. */
const QUERY_FACTOR = 2;
/** Pause after the collection before each run. */
const SETTLE_MS = 200;

function flag(name: string): boolean {
  return process.argv.includes(name);
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function median(values: readonly number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);
const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');

/** `gc()` without a command-line flag: the flag is set at run time and the function taken from a fresh context. */
function garbageCollector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
const collect = garbageCollector();

interface Run {
  readonly totalMs: number;
  /** Process CPU time (all threads, so the collector's helpers too). */
  readonly cpuMs: number;
  readonly stagesMs: Record<string, number>;
  readonly read: number;
  readonly selected: number;
  readonly summary: string;
}

/**
 * One curation at `limit` over what the blueprint's query returns for it: the newest limit × 2 records
 * (inventory §2.2), here the tail of the generated, time-ordered input.
 */
async function run(all: readonly LogRecord[], limit: number): Promise<Run> {
  const records = all.slice(Math.max(0, all.length - limit * QUERY_FACTOR));
  const service = parseServiceConfig({
    data_split_config: { eval_size: 100, val_ratio: 0.1, min_total_records: 50, limit },
    icl_config: { max_context_length: 32768, reserved_tokens: 4096, max_examples: 3 },
    target_models: [{ model_name: 'meta/llama-3.2-1b-instruct', context_length: 8192 }],
  });
  const config = resolveJobConfig(service, { data_split_config: { random_seed: SEED } });
  collect();
  await setTimeout(SETTLE_MS); // let the collector's background sweeping finish, as it would between two jobs
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { stats } = await curate(records, config, { clock: () => performance.now() });
  const totalMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const { eval: e, train, val } = stats.splits;
  return {
    totalMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    stagesMs: stats.timings_ms,
    read: stats.counts.total_records,
    selected: stats.counts.final_selected,
    summary:
      `selected ${stats.counts.final_selected}, eval ${e}, train ${train}, val ${val}, ` +
      `duplicates ${stats.counts.deduplicated_queries}, invalid ${stats.counts.invalid_format}, ` +
      `ICL examples/record ${stats.icl.targets[0]?.mean_examples.toFixed(2) ?? '-'}`,
  };
}

function report(limit: number, runs: readonly Run[]): void {
  const totals = runs.map((r) => r.totalMs);
  const mid = median(totals);
  const first = runs[0] as Run;
  const target = TARGETS[limit];
  const verdict = target === undefined ? '' : ` (target ≤ ${target} s: ${mid / 1000 <= target ? 'met' : 'MISSED'})`;
  console.log(
    `limit ${limit.toLocaleString('en-US').padStart(7)}: median ${seconds(mid)} s, min ${seconds(Math.min(...totals))} s` +
      `${verdict}, CPU ${seconds(median(runs.map((r) => r.cpuMs)))} s; ` +
      `${thousands(first.read / (mid / 1000))} input records/s (${thousands(first.read)} in), ` +
      `${thousands(first.selected / (mid / 1000))} selected records/s`,
  );
  const stages = Object.keys(first.stagesMs)
    .map((stage) => {
      const values = runs.map((r) => r.stagesMs[stage] ?? 0);
      return `${stage} ${seconds(median(values))}/${seconds(Math.min(...values))}`;
    })
    .join(', ');
  console.log(`                stages (s, median/min): ${stages}`);
  console.log(`                ${first.summary}`);
}

async function main(): Promise<void> {
  const total = Number(option('--records') ?? 100_000);
  const runs = Number(option('--runs') ?? 5);
  const limits = (option('--limits') ?? '10000,100000').split(',').map(Number);
  const unshared = flag('--unshared');
  const input = generateRecords(total, !unshared);
  const rssInput = process.memoryUsage().rss / 2 ** 20;
  cl100kTokenCounter.count('warm up the tokenizer');
  await run(input.records.slice(0, 2000), 1000); // JIT warm-up, not reported
  console.log(
    `curation bench: ${thousands(total)} tool-calling records from ${TOOL_FILES.join(', ')}, mapped from ` +
      `LlmCallLoggedV1 in ${input.mapSeconds.toFixed(3)} s (not counted below; ` +
      `${unshared ? 'no tool-list interner' : `${input.toolLists} distinct tool lists interned`}); ` +
      `uniform ICL, cl100k tokenizer, seed ${SEED}, eval_size 100, ${runs} runs per limit, ` +
      `heap collected before each run; ` +
      `${rssInput.toFixed(0)} MB RSS before curation; load average ${loadavg()[0]?.toFixed(2) ?? '?'} ` +
      `on ${availableParallelism()} cores (other work on the machine slows the wall-clock figures)`,
  );
  for (const limit of limits) {
    if (limit > total) continue;
    const results: Run[] = [];
    for (let i = 0; i < runs; i++) results.push(await run(input.records, limit));
    report(limit, results);
  }
  const peak = process.resourceUsage().maxRSS / 1024;
  console.log(`peak RSS: ${peak.toFixed(0)} MB (target < ${RSS_TARGET_MB} MB, generator and input included)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
