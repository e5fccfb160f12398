// Redaction cost per record: `npx tsx libs/redaction/bench/redaction-bench.ts [DATA_DIR] [--seconds N]`.
// Reads every *.jsonl of the sample production logs (test/fixtures/production-logs by default, the same files as
// /work/shared/data), converts them with the catalogue's parser, then redacts them round-robin for a fixed time:
// once as they are (little PII: the usual case) and once with PII planted in every user message and tool call.
// Prints records/s and µs/record (wall and CPU) for each; the log-ingester's budget is well under 20 µs a record.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseLlmCall, type LlmCallLoggedV1 } from '@flywheel/contracts';
import { createRedactor, type Redactor } from '../src';

const args = process.argv.slice(2);
const secondsFlag = args.indexOf('--seconds');
const seconds = secondsFlag === -1 ? 3 : Number(args[secondsFlag + 1]);
const dir = resolve(
  args.find((a, i) => !a.startsWith('--') && (secondsFlag === -1 || i !== secondsFlag + 1)) ??
    join(__dirname, '../../../test/fixtures/production-logs'),
);

const PII =
  ' Contact me at jane.roe@example.org or +44 20 7946 0958, card 4111-1111-1111-1111, from 203.0.113.7,' +
  ' Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlMTIz';

function load(): LlmCallLoggedV1[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  return files.flatMap((file) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => parseLlmCall(JSON.parse(line))),
  );
}

function withPii(record: LlmCallLoggedV1): LlmCallLoggedV1 {
  const plant = (m: LlmCallLoggedV1['request']['messages'][number]) =>
    m.role === 'user' ? { ...m, content: `${m.content ?? ''}${PII}` } : m;
  return {
    ...record,
    request: { ...record.request, messages: record.request.messages.map(plant) },
    response: {
      ...record.response,
      choices: record.response.choices.map((c) => ({
        ...c,
        message: {
          ...c.message,
          tool_calls: c.message.tool_calls.map((t) => ({
            ...t,
            function: { ...t.function, arguments: JSON.stringify({ email: 'a.b@example.com', note: PII }) },
          })),
        },
      })),
    },
  };
}

function run(label: string, redactor: Redactor, records: readonly LlmCallLoggedV1[]): void {
  // Warm up so the figures are for optimised code, as in a long-running ingester.
  for (let i = 0; i < 20_000; i++) redactor.redactRecord(records[i % records.length] as LlmCallLoggedV1);
  let done = 0;
  let replaced = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 1000; i++) {
      const { counts } = redactor.redactRecord(records[(done + i) % records.length] as LlmCallLoggedV1);
      for (const n of Object.values(counts)) replaced += n;
    }
    done += 1000;
  }
  const elapsedS = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  const perSecond = done / elapsedS;
  // CPU time per record as well: on a shared machine it is steadier than wall time.
  console.log(
    `${label.padEnd(36)} ${Math.round(perSecond).toLocaleString('en-US').padStart(9)} records/s` +
      `  ${((elapsedS * 1e6) / done).toFixed(2).padStart(6)} µs/record wall` +
      `  ${((used.user + used.system) / done).toFixed(2).padStart(6)} µs/record CPU` +
      `  ${(replaced / done).toFixed(2)} replacements/record`,
  );
}

const records = load();
const bytes = records.reduce((n, r) => n + JSON.stringify(r).length, 0);
console.log(
  `redaction bench: ${records.length} records from ${dir} (mean ${Math.round(bytes / records.length)} bytes of JSON), ` +
    `${seconds} s per case, node ${process.version}`,
);
const redactor = createRedactor();
run('sample logs, all detectors', redactor, records);
run('sample logs + planted PII', redactor, records.map(withPii));
run('sample logs, tool descriptions too', createRedactor({ toolDescriptions: true }), records);
