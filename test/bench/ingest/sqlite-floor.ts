// Floor of the SQLite log store alone, no Kafka, no redaction: N sample records (the bench's own mix) appended in
// batches through SqliteLogStore.append, after a pass that only serialises them. Prints µs/record for each, so the
// ingester's figures can be read against what the store can take on this machine.
// Usage: npx tsx test/bench/ingest/sqlite-floor.ts [--records N] (default 200000) [--batch B] (default 1000)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseLlmCall, type LlmCallLoggedV1 } from '@flywheel/contracts';
import { SqliteLogStore, type LogRecordInput } from '@flywheel/stores';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const RECORDS = Number(option('--records') ?? 200_000);
const BATCH = Number(option('--batch') ?? 1000);
const FIXTURES = resolve(__dirname, '../../fixtures/production-logs');

function samples(): LlmCallLoggedV1[] {
  return ['bfcl-live-simple.jsonl', 'bfcl-multiple.jsonl', 'bfcl-simple-python.jsonl', 'gsm8k-chat.jsonl'].flatMap(
    (f) =>
      readFileSync(join(FIXTURES, f), 'utf8')
        .split('\n')
        .filter((l) => l.trim().length > 0)
        .map((l) => parseLlmCall(JSON.parse(l) as Record<string, unknown>, { eventId: 'x' })),
  );
}

async function main(): Promise<void> {
  const base = samples();
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-floor-'));
  const store = new SqliteLogStore({ path: join(dir, 'logs.db') });
  await store.connect();
  try {
    const batchOf = (from: number): LogRecordInput[] =>
      Array.from({ length: Math.min(BATCH, RECORDS - from) }, (_, k) => {
        const n = from + k;
        const record = { ...(base[n % base.length] as LlmCallLoggedV1), timestamp: 1767225600000 + n };
        return { id: `id-${n}`, record, source: `kafka:t:0:${n}` };
      });
    let t = process.hrtime.bigint();
    let bytes = 0;
    for (let from = 0; from < RECORDS; from += BATCH)
      for (const r of batchOf(from)) bytes += JSON.stringify(r.record).length;
    const serialiseUs = Number(process.hrtime.bigint() - t) / 1e3 / RECORDS;
    t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    for (let from = 0; from < RECORDS; from += BATCH) await store.append(batchOf(from));
    const cpuTotal = process.cpuUsage(cpu);
    const cpuUs = (cpuTotal.user + cpuTotal.system) / RECORDS;
    const appendUs = Number(process.hrtime.bigint() - t) / 1e3 / RECORDS;
    console.log(
      `sqlite floor: ${RECORDS} records (${(bytes / RECORDS).toFixed(0)} B of JSON each), batches of ${BATCH}: ` +
        `build+stringify ${serialiseUs.toFixed(1)} µs/record; append ${appendUs.toFixed(1)} µs/record ` +
        `= ${Math.round(1e6 / appendUs)} records/s; CPU ${cpuUs.toFixed(1)} µs/record (all threads); ` +
        `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
