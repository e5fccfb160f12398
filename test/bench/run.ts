// `npm run bench`: produce and consume throughput through the embedded broker with unmodified kafkajs:
// 1 KiB records, acks=-1, the broker in its own process. Prints figures; asserts nothing.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Message } from 'kafkajs';

const RECORDS = Number(process.argv[2] ?? 200_000);
const RECORD_BYTES = 1024;
const BATCH = 1000;
const IN_FLIGHT = 4;
const PARTITIONS = 4;

async function startBroker(dataDir: string | undefined): Promise<{ child: ChildProcess; brokers: string[] }> {
  const child = fork(join(__dirname, 'broker-process.ts'), [dataDir ?? ''], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
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

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function runOnce(label: string, dataDir: string | undefined): Promise<void> {
  const { child, brokers } = await startBroker(dataDir);
  const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING });
  const topic = `bench-${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
  await admin.disconnect();

  const value = Buffer.alloc(RECORD_BYTES, 'x');
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const messages: Message[] = Array.from({ length: BATCH }, (_, i) => ({ key: String(i), value }));
  const sends = RECORDS / BATCH;
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < sends) {
        next++;
        await producer.send({ topic, acks: -1, messages });
      }
    }),
  );
  const produceS = Number(process.hrtime.bigint() - t0) / 1e9;
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `bench-${Date.now()}`, maxBytes: 50 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  const t1 = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        consumed += batch.messages.length;
        if (consumed >= RECORDS) resolve();
        await Promise.resolve();
      },
    });
  });
  const consumeS = Number(process.hrtime.bigint() - t1) / 1e9;
  await consumer.disconnect();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));

  const mb = (RECORDS * RECORD_BYTES) / (1024 * 1024);
  console.log(
    `${label.padEnd(10)} produce: ${fmt(RECORDS / produceS)} records/s, ${(mb / produceS).toFixed(1)} MB/s` +
      ` | consume: ${fmt(consumed / consumeS)} records/s, ${(mb / consumeS).toFixed(1)} MB/s`,
  );
}

async function main(): Promise<void> {
  console.log(
    `embedded Kafka, kafkajs 2.2.4: ${fmt(RECORDS)} records of ${RECORD_BYTES} B, acks=-1, ` +
      `${BATCH} records per send, ${IN_FLIGHT} sends in flight, ${PARTITIONS} partitions, broker in its own process`,
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
