// At-least-once with idempotent writes, proved the hard way: 50,000 records (Avro and JSON topics) are produced
// while the ingester — its real main.ts in a child process, SQLite file store — is SIGKILLed twice mid-stream and
// started again. Afterwards the store holds exactly 50,000 distinct records and nothing went to the dead-letter
// topic; a final SIGTERM stops it cleanly (exit 0).
import { fork, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { type KafkaEventBus } from '@flywheel/bus';
import { type catalogue } from '@flywheel/contracts';
import { SqliteLogStore } from '@flywheel/stores';
import {
  DLQ,
  JSON_TOPIC,
  Topics,
  avroPayload,
  avroPublisher,
  produce,
  rawKafka,
  sampleLogLines,
  startStack,
  storedCount,
  testEnv,
  waitFor,
  type Stack,
} from './ingester-fixtures';

const MAIN = resolve(__dirname, '../src/main.ts');
const TOTAL = 50_000;
const JSON_SHARE = 10_000; // every fifth record goes to the JSON topic
const CHUNK = 1000;

jest.setTimeout(240_000);

let stack: Stack;
let publisher: KafkaEventBus<typeof catalogue> | undefined;
let reader: SqliteLogStore | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await publisher?.close();
  await reader?.close();
  await stack.stop();
});

function startIngesterProcess(): ChildProcess {
  const env = testEnv(stack, {
    // Ids must not collide with the test's other processes; a stable one across restarts is what production has.
    INGESTER_INSTANCE_ID: 'kill-test',
    INGESTER_TOPIC_PARTITIONS: '3',
  });
  const child = fork(MAIN, [], {
    execArgv: ['--require', 'tsx/cjs'],
    env,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
}

async function highWatermark(topic: string): Promise<number> {
  const admin = rawKafka(stack.brokers).admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

it('should hold exactly 50,000 distinct records after two SIGKILLs mid-stream', async () => {
  const admin = rawKafka(stack.brokers).admin();
  await admin.connect();
  await admin.createTopics({
    topics: [Topics.llmCallLoggedV1, JSON_TOPIC].map((topic) => ({ topic, numPartitions: 3 })),
  });
  await admin.disconnect();
  publisher = await avroPublisher(stack);
  const lines = sampleLogLines();

  // Production runs alongside everything below, in chunks, so the kills land while records keep arriving.
  let produced = 0;
  const production = (async () => {
    for (let start = 0; start < TOTAL; start += CHUNK) {
      const avro = [];
      const json = [];
      for (let i = start; i < start + CHUNK; i++) {
        const line = { ...lines[i % lines.length], timestamp: 1767225600 + i };
        if (i % 5 === 4) json.push(JSON.stringify(line));
        else avro.push({ topic: Topics.llmCallLoggedV1, payload: avroPayload(line) });
      }
      await publisher?.publishMany(avro);
      await produce(stack.brokers, JSON_TOPIC, json);
      produced += CHUNK;
      await new Promise((r) => setTimeout(r, 60));
    }
  })();

  reader = new SqliteLogStore({ path: join(stack.dir, 'logs.db') });
  const count = async (): Promise<number> => {
    try {
      if ((await reader!.health()).state !== 'ready') await reader!.connect();
      return await storedCount(reader!);
    } catch {
      return 0; // the file is not there until the ingester's first boot
    }
  };

  const kills: { produced: number; committed: number; stored: number }[] = [];
  for (const threshold of [6_000, 18_000]) {
    const victim = startIngesterProcess();
    await waitFor(async () => (await count()) >= threshold, 120_000, `${threshold} records stored`);
    victim.kill('SIGKILL');
    expect(await exited(victim)).toEqual({ code: null, signal: 'SIGKILL' });
    // The invariant behind "nothing lost": an offset is committed only once its records are in the store.
    const committed = await committedRecords();
    const stored = await count();
    kills.push({ produced, committed, stored });
    expect(stored).toBeGreaterThanOrEqual(committed);
  }
  const survivor = startIngesterProcess();
  await production;
  expect(produced).toBe(TOTAL);
  await waitFor(async () => (await count()) >= TOTAL, 150_000, 'all records stored');

  survivor.kill('SIGTERM');
  expect(await exited(survivor)).toEqual({ code: 0, signal: null });
  expect(await count()).toBe(TOTAL);
  const perTopic = await reader.countByWorkload();
  expect(perTopic.reduce((s, c) => s + c.count, 0)).toBe(TOTAL);
  expect(await highWatermark(DLQ)).toBe(0);
  expect(JSON_SHARE).toBe(TOTAL / 5);
  console.log(`kill-restart: at each SIGKILL ${JSON.stringify(kills)}`);
});

/** Records below the group's committed offsets, over both topics and all partitions. */
async function committedRecords(): Promise<number> {
  const admin = rawKafka(stack.brokers).admin();
  await admin.connect();
  try {
    const topics = await admin.fetchOffsets({ groupId: 'log-ingester', topics: [Topics.llmCallLoggedV1, JSON_TOPIC] });
    return topics.flatMap((t) => t.partitions).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}
