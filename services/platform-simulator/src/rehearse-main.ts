// A scripted rehearsal against a running simulator (or any NeMo platform): upload → deploy → customize →
// evaluate base/customized/teacher, then the scores. `tsx services/platform-simulator/src/rehearse-main.ts --help`.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createNemoPlatform } from '@flywheel/platform-clients';
import { Command } from 'commander';
import { z } from 'zod';
import { orderingProblems, rehearse } from './rehearsal';

const DEFAULT_LOGS = resolve(__dirname, '../../../test/fixtures/production-logs/bfcl-simple-python.jsonl');

const flagsSchema = z.object({
  url: z.string().url(),
  logs: z.string().min(1),
  eval: z.coerce.number().int().min(1),
  runId: z.string().min(1),
});

async function main(): Promise<void> {
  const program = new Command()
    .name('rehearse')
    .description('run the flywheel platform steps against a NeMo platform simulator and print the scores')
    .option('--url <url>', 'base URL of the simulator (nemo, nim and datastore)', 'http://127.0.0.1:8080')
    .option('--logs <jsonl>', 'tool-calling log records {request, response}', DEFAULT_LOGS)
    .option('--eval <n>', 'records in the eval split (the rest train)', '100')
    .option('--run-id <id>', 'names the dataset and the customized model', `rehearsal-${Date.now()}`)
    .parse();
  const parsed = flagsSchema.safeParse(program.opts());
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  const flags = parsed.data;
  const records = readFileSync(flags.logs, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const platform = createNemoPlatform({
    nemoBaseUrl: flags.url,
    nimBaseUrl: flags.url,
    datastoreBaseUrl: flags.url,
    wait: { pollIntervalMs: 250, timeoutMs: 600_000, stallTimeoutMs: 120_000 },
  });
  const result = await rehearse(platform, {
    records,
    evalRecords: flags.eval,
    runId: flags.runId,
    onStep: (m) => console.log(`- ${m}`),
  });
  const row = (label: string, s: typeof result.base): string =>
    `${label.padEnd(12)} ${[s.function_name_accuracy, s.function_name_and_args_accuracy, s.tool_calling_correctness]
      .map((v) => (v ?? NaN).toFixed(3).padStart(10))
      .join(' ')}`;
  console.log(`\n${''.padEnd(12)} ${['name', 'name+args', 'judge'].map((h) => h.padStart(10)).join(' ')}`);
  console.log(row('base', result.base));
  console.log(row('customized', result.customized));
  console.log(row('teacher', result.teacher));
  const problems = orderingProblems(result);
  console.log(
    problems.length === 0
      ? '\nordering as expected: fine-tuned ≈ teacher, base well below'
      : `\n${problems.join('\n')}`,
  );
  process.exitCode = problems.length === 0 ? 0 : 2;
}

main().catch((err: unknown) => {
  console.error(`rehearsal failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
