// `npm run bench`: produce and consume throughput through the embedded broker with unmodified kafkajs:
// 1 KiB records, acks=-1. The broker and each producer run in their own processes, as services would.
// Prints figures; asserts nothing. Usage: npm run bench -- [records] (default 200000).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

const RECORDS = Number(process.argv[2] ?? 200_000);
const RECORD_BYTES = 1024;
const BATCH = 1000;
const IN_FLIGHT = 8;
const PARTITIONS = 4;
const TS_CHILD = { execArgv: ['--import', 'tsx'] };

function forkTs(file: string, args: string[] = []): ChildProcess {
  return fork(join(__dirname, file), args, { ...TS_CHILD, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
}

async function startBroker(dataDir: string | undefined): Promise<{ child: ChildProcess; brokers: string[] }> {
  const child = forkTs('broker-process.ts', [dataDir ?? '']);
  const brokers = await new Promise<string[]>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1].split(','));
    });
    child.once('exit', (code) => reject(new Error(`broker exited with ${String(code)} before it was ready`)));
  });
  return { child, brokers };
}

function nextMessage(child: ChildProcess, kind: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { kind?: string }): void => {
      if (m.kind !== kind) return;
      child.off('message', onMessage);
      resolve();
    };
    child.on('message', onMessage);
    child.once('exit', (code) => code !== 0 && reject(new Error(`producer exited with ${String(code)}`)));
  });
}

/** Seconds for `producers` processes to send RECORDS records in total, each acknowledged. */
async function produce(brokers: string[], topic: string, producers: number): Promise<number> {
  const children = Array.from({ length: producers }, () => forkTs('producer-process.ts'));
  const ready = children.map((c) => nextMessage(c, 'ready'));
  for (const c of children) {
    c.send({
      brokers,
      topic,
      records: RECORDS / producers,
      recordBytes: RECORD_BYTES,
      batch: BATCH,
      inFlight: IN_FLIGHT,
    });
  }
  await Promise.all(ready);
  const done = children.map((c) => nextMessage(c, 'done'));
  const t0 = process.hrtime.bigint();
  for (const c of children) c.send('go');
  await Promise.all(done);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode === null ? c.once('exit', r) : r(null)))));
  return seconds;
}

async function consume(kafka: Kafka, topic: string): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-${topic}`, maxBytes: 50 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  const t0 = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        consumed += batch.messages.length;
        if (consumed >= RECORDS) resolve();
        await Promise.resolve();
      },
    });
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await consumer.disconnect();
  return seconds;
}

function rate(seconds: number): string {
  const mb = (RECORDS * RECORD_BYTES) / (1024 * 1024);
  return `${Math.round(RECORDS / seconds).toLocaleString('en-US')} records/s, ${(mb / seconds).toFixed(1)} MB/s`;
}

async function runOnce(label: string, dataDir: string | undefined): Promise<void> {
  const { child, brokers } = await startBroker(dataDir);
  try {
    const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const one = `bench-1p-${Date.now()}`;
    const two = `bench-2p-${Date.now()}`;
    await admin.createTopics({ topics: [one, two].map((topic) => ({ topic, numPartitions: PARTITIONS })) });
    await admin.disconnect();
    const p1 = await produce(brokers, one, 1);
    const p2 = await produce(brokers, two, 2);
    const c1 = await consume(kafka, one);
    console.log(`${label.padEnd(10)} produce, 1 producer:  ${rate(p1)}`);
    console.log(`${label.padEnd(10)} produce, 2 producers: ${rate(p2)}`);
    console.log(`${label.padEnd(10)} consume, 1 consumer:  ${rate(c1)}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function main(): Promise<void> {
  console.log(
    `embedded Kafka + kafkajs 2.2.4: ${RECORDS.toLocaleString('en-US')} records of ${RECORD_BYTES} B per run, acks=-1, ` +
      `${BATCH} records per send, ${IN_FLIGHT} sends in flight per producer, ${PARTITIONS} partitions; ` +
      `broker and producers in separate processes`,
  );
  await runOnce('in-memory', undefined);
  const dir = mkdtempSync(join(tmpdir(), 'flywheel-bench-'));
  try {
    await runOnce('durable', dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
