// CPU cost per record of each stage the ingester's main thread runs for an Avro record, measured alone in one
// process (no Kafka, no neighbours' noise beyond CPU contention): Avro decode with the catalogue schema, the
// contract check, the intake's work (stable id, source, redaction with every detector), and the SQLite append
// (serialisation, binding, commit). The bench's own record mix. Read the ingester's figures in ingest-bench.ts
// against these; a run with the ingester's heap flags (NODE_OPTIONS) shows what the young generation's size costs.
// Usage: npx tsx test/bench/ingest/stage-costs.ts [--records N] (default 100000) [--batch B] (default 1000)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Type, type Schema } from 'avsc';
import { catalogue, LlmCallLoggedV1Schema, parseLlmCall, Topics, type LlmCallLoggedV1 } from '@flywheel/contracts';
import { createRedactor } from '@flywheel/redaction';
import { logRecordId, SqliteLogStore, type LogRecordInput } from '@flywheel/stores';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const RECORDS = Number(option('--records') ?? 100_000);
const BATCH = Number(option('--batch') ?? 1000);
const FIXTURES = resolve(__dirname, '../../fixtures/production-logs');

function encodedSamples(type: Type): Buffer[] {
  const lines = ['bfcl-live-simple.jsonl', 'bfcl-multiple.jsonl', 'bfcl-simple-python.jsonl', 'gsm8k-chat.jsonl'];
  const docs = lines.flatMap((f) =>
    readFileSync(join(FIXTURES, f), 'utf8')
      .split('\n')
      .filter((l) => l.trim().length > 0)
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
  return docs.map((doc, n) =>
    type.toBuffer(parseLlmCall(doc, { eventId: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}` })),
  );
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function main(): Promise<void> {
  const type = Type.forSchema(LlmCallLoggedV1Schema as unknown as Schema);
  const resolver = type.createResolver(type);
  const bodies = encodedSamples(type);
  const contract = catalogue[Topics.llmCallLoggedV1];
  const redactor = createRedactor({});
  const dir = mkdtempSync(join(tmpdir(), 'stage-costs-'));
  const store = new SqliteLogStore({ path: join(dir, 'logs.db') });
  await store.connect();
  const spent = { decode: 0, validate: 0, intake: 0, append: 0 };
  try {
    for (let from = 0; from < RECORDS; from += BATCH) {
      const n = Math.min(BATCH, RECORDS - from);
      let t = cpuUs();
      const payloads: LlmCallLoggedV1[] = [];
      for (let k = 0; k < n; k++) {
        const body = bodies[(from + k) % bodies.length] as Buffer;
        const p = type.fromBuffer(body, resolver) as LlmCallLoggedV1;
        payloads.push(p);
      }
      spent.decode += cpuUs() - t;
      t = cpuUs();
      for (const p of payloads) if (contract.validate(p).length > 0) throw new Error('invalid sample');
      spent.validate += cpuUs() - t;
      t = cpuUs();
      const entries = payloads.map((p, k): LogRecordInput => {
        // Distinct ids and times, as the bench's producer makes them.
        const record = { ...p, event_id: `e-${from + k}`, timestamp: 1767225600000 + from + k };
        const position = { topic: Topics.llmCallLoggedV1, partition: 0, offset: String(from + k) };
        const source = `kafka:${position.topic}:${position.partition}:${position.offset}`;
        return { id: logRecordId(record, position), record: redactor.redactRecord(record).record, source };
      });
      spent.intake += cpuUs() - t;
      t = cpuUs();
      await store.append(entries);
      spent.append += cpuUs() - t;
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const per = (us: number): string => (us / RECORDS).toFixed(1).padStart(6);
  console.log(`stage costs, ${RECORDS} records in batches of ${BATCH} (CPU µs/record, all threads):`);
  console.log(`  avro decode      ${per(spent.decode)}`);
  console.log(`  contract check   ${per(spent.validate)}`);
  console.log(`  intake (redact)  ${per(spent.intake)}`);
  console.log(`  sqlite append    ${per(spent.append)}`);
  console.log(`  sum              ${per(spent.decode + spent.validate + spent.intake + spent.append)}`);
  console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

void main();
