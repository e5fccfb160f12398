// A broker with a data directory keeps what it acknowledged: a clean restart brings back topics, every
// record at its offset, committed offsets and producer ids; a torn write at the end of a segment (a crash
// mid-append) is cut off without losing earlier records; and a SIGKILLed broker process loses no
// acknowledged record.
import { fork, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompressionTypes, type Kafka, type KafkaMessage } from 'kafkajs';
import { startEmbeddedKafka, type EmbeddedKafka } from '../src';
import { fastConsumer, fastKafka, uniqueName, waitFor } from './kafkajs-fixtures';
import { rawProduce } from './raw-client';

const BROKER_PROCESS = join(__dirname, '..', '..', '..', 'test', 'bench', 'broker-process.ts');

interface Consumed {
  offset: string;
  value: string;
}

describe('durability with a data directory', () => {
  const dirs: string[] = [];
  const running: EmbeddedKafka[] = [];
  const children: ChildProcess[] = [];

  afterAll(async () => {
    await Promise.all(running.map((b) => b.stop()));
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function tempDir(): string {
    const d = mkdtempSync(join(tmpdir(), 'embedded-kafka-durability-'));
    dirs.push(d);
    return d;
  }

  async function start(dataDir: string, log?: (line: string) => void): Promise<EmbeddedKafka> {
    const b = await startEmbeddedKafka({ dataDir, ...(log ? { log } : {}) });
    running.push(b);
    return b;
  }

  async function stop(b: EmbeddedKafka): Promise<void> {
    running.splice(running.indexOf(b), 1);
    await b.stop();
  }

  /** Consumes `count` records of a topic in `groupId` and disconnects (committing). */
  async function consume(kafka: Kafka, topic: string, groupId: string, count: number): Promise<Consumed[]> {
    const consumer = fastConsumer(kafka, groupId);
    const seen: Consumed[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }: { message: KafkaMessage }) =>
        void seen.push({ offset: message.offset, value: message.value?.toString() ?? '' }),
    });
    try {
      await waitFor(() => seen.length >= count, 10_000, `${count} records of ${topic}`);
    } finally {
      await consumer.disconnect();
    }
    return seen;
  }

  const storedBytes = (b: EmbeddedKafka, topic: string, partition = 0): Buffer[] =>
    [...(b.cluster.topics.partition(topic, partition)?.log.batches() ?? [])].map((s) => Buffer.from(s.bytes));

  const expectedRecords = (values: string[]): Consumed[] => values.map((value, i) => ({ offset: String(i), value }));

  it('restarts with every topic, record, committed offset and producer id, then survives a torn write', async () => {
    const dataDir = tempDir();
    const topic = uniqueName('durable');
    const wide = uniqueName('durable-wide');
    const groupId = uniqueName('durable-group');

    // ---- first life ----
    let broker = await start(dataDir);
    let kafka = fastKafka(broker.bootstrapServers);
    const admin1 = kafka.admin();
    await admin1.connect();
    await admin1.createTopics({
      topics: [
        { topic, numPartitions: 1 },
        { topic: wide, numPartitions: 3 },
      ],
    });
    await admin1.disconnect();
    const values: string[] = [];
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic, messages: [{ value: 'plain-0' }, { value: 'plain-1' }] });
    await plain.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: Array.from({ length: 5 }, (_, i) => ({ value: `gzip-${i}` })),
    });
    await plain.send({ topic: wide, messages: [0, 1, 2].map((partition) => ({ partition, value: `w${partition}` })) });
    values.push('plain-0', 'plain-1', ...Array.from({ length: 5 }, (_, i) => `gzip-${i}`));
    const idem = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await idem.connect();
    for (let i = 0; i < 3; i++) {
      await idem.send({ topic, messages: [{ value: `idem-${i}-a` }, { value: `idem-${i}-b` }] });
      values.push(`idem-${i}-a`, `idem-${i}-b`);
    }
    await idem.disconnect();
    expect(await consume(kafka, topic, groupId, values.length)).toEqual(expectedRecords(values));
    // Records after the commit: the group must resume with exactly these.
    await plain.send({ topic, messages: [{ value: 'after-commit-0' }, { value: 'after-commit-1' }] });
    await plain.disconnect();
    const committedAt = values.length;
    values.push('after-commit-0', 'after-commit-1');

    const before = storedBytes(broker, topic);
    const firstPid = Math.max(
      ...[...(broker.cluster.topics.partition(topic, 0)?.log.batches() ?? [])].map((b) => b.producerId),
    );
    expect(firstPid).toBeGreaterThanOrEqual(0);
    const lastIdem = before.filter((b) => b.readBigInt64BE(43) >= 0n).at(-1)!;
    await stop(broker);

    // ---- second life, same data directory ----
    broker = await start(dataDir);
    kafka = fastKafka(broker.bootstrapServers);
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.listTopics()).toEqual(expect.arrayContaining([topic, wide]));
    const { topics } = await admin.fetchTopicMetadata({ topics: [wide] });
    expect(topics[0]?.partitions).toHaveLength(3);
    expect(storedBytes(broker, topic)).toEqual(before); // byte for byte, offsets included
    expect(await admin.fetchTopicOffsets(topic)).toEqual([
      { partition: 0, offset: String(values.length), high: String(values.length), low: '0' },
    ]);
    expect((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions).toEqual([
      { partition: 0, offset: String(committedAt), metadata: null },
    ]);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain(groupId);

    // Every record at its offset, through a new group; the old group resumes after its commit.
    expect(await consume(kafka, topic, uniqueName('fresh'), values.length)).toEqual(expectedRecords(values));
    expect(await consume(kafka, topic, groupId, 2)).toEqual([
      { offset: String(committedAt), value: 'after-commit-0' },
      { offset: String(committedAt + 1), value: 'after-commit-1' },
    ]);
    expect((await consume(kafka, wide, uniqueName('fresh'), 3)).map((r) => r.value).sort()).toEqual(['w0', 'w1', 'w2']);

    // The idempotent producer's window came back: a replay of its last batch is a duplicate.
    const replay = Buffer.from(lastIdem);
    replay.writeBigInt64BE(0n, 0);
    const dup = await rawProduce(broker.bootstrapServers[0]!, topic, replay);
    expect(dup).toMatchObject({ errorCode: 0, baseOffset: Number(lastIdem.readBigInt64BE(0)) });
    expect(broker.cluster.topics.partition(topic, 0)?.log.highWatermark).toBe(values.length);

    // A new idempotent producer gets a producer id never issued before.
    const idem2 = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await idem2.connect();
    const [sent] = await idem2.send({ topic, messages: [{ value: 'second-life' }] });
    await idem2.disconnect();
    expect(sent?.baseOffset).toBe(String(values.length));
    values.push('second-life');
    const newest = [...(broker.cluster.topics.partition(topic, 0)?.log.batches() ?? [])].at(-1)!;
    expect(newest.producerId).toBeGreaterThan(firstPid);
    await admin.disconnect();
    const beforeCrash = storedBytes(broker, topic);
    await stop(broker);

    // ---- a crash mid-write: half a batch at the end of the last segment ----
    const partitionDir = join(dataDir, 'logs', `${encodeURIComponent(topic)}-0`);
    const segments = readdirSync(partitionDir)
      .filter((f) => /^\d{20}\.log$/.test(f))
      .sort();
    const last = join(partitionDir, segments.at(-1)!);
    const sizeBefore = statSync(last).size;
    const torn = Buffer.from(beforeCrash.at(-1)!);
    torn.writeBigInt64BE(BigInt(values.length), 0); // it claims the next offset
    appendFileSync(last, torn.subarray(0, Math.floor(torn.length / 2)));

    const logs: string[] = [];
    broker = await start(dataDir, (l) => logs.push(l));
    expect(logs.some((l) => l.includes('truncating'))).toBe(true);
    expect(statSync(last).size).toBe(sizeBefore);
    expect(storedBytes(broker, topic)).toEqual(beforeCrash);
    kafka = fastKafka(broker.bootstrapServers);
    const producer = kafka.producer();
    await producer.connect();
    const [next] = await producer.send({ topic, messages: [{ value: 'after-crash' }] });
    await producer.disconnect();
    expect(next?.baseOffset).toBe(String(values.length));
    values.push('after-crash');
    expect(await consume(kafka, topic, uniqueName('fresh'), values.length)).toEqual(expectedRecords(values));
    await stop(broker);
  });

  it('keeps every acknowledged record when the broker process is killed with SIGKILL mid-produce', async () => {
    const dataDir = tempDir();
    const topic = uniqueName('sigkill');
    const child = fork(BROKER_PROCESS, [dataDir], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    children.push(child);
    const bootstrap = await new Promise<string[]>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stderr?.on('data', (d: Buffer) => void (err += d.toString()));
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /READY (\S+)/.exec(out);
        if (m?.[1]) resolve(m[1].split(','));
      });
      child.once('exit', (code) =>
        reject(new Error(`broker process exited with ${String(code)} before READY: ${err}`)),
      );
    });

    // No retries: once the broker is gone every send fails instead of waiting for it.
    const kafka = fastKafka(bootstrap, { retry: { retries: 0 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();

    const acked: { partition: number; baseOffset: number; values: string[] }[] = [];
    let failed = 0;
    let n = 0;
    const loop = async (partition: number): Promise<void> => {
      for (;;) {
        const values = Array.from({ length: 5 }, () => `v${n++}`);
        try {
          const [res] = await producer.send({
            topic,
            acks: -1,
            messages: values.map((value) => ({ partition, value })),
          });
          acked.push({ partition, baseOffset: Number(res?.baseOffset), values });
        } catch {
          failed++;
          return;
        }
      }
    };
    // Two partitions, two sends in flight each: the kill lands while requests are being written.
    const loops = [loop(0), loop(0), loop(1), loop(1)];
    await waitFor(() => acked.length >= 200, 15_000, '200 acknowledged sends');
    child.kill('SIGKILL');
    await Promise.all(loops);
    await producer.disconnect().catch(() => undefined);
    await new Promise<void>((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
    );
    expect(child.signalCode).toBe('SIGKILL');
    expect(failed).toBe(4);

    const broker = await start(dataDir);
    const stored = new Map<string, string>();
    for (const partition of [0, 1]) {
      const log = broker.cluster.topics.partition(topic, partition)?.log;
      expect(log).toBeDefined();
      const mine = acked.filter((a) => a.partition === partition);
      const highestAcked = Math.max(...mine.map((a) => a.baseOffset + a.values.length));
      expect(log!.highWatermark).toBeGreaterThanOrEqual(highestAcked);
    }
    // Read everything back through kafkajs and check each acknowledged record at its offset.
    const total = [0, 1].reduce((s, p) => s + (broker.cluster.topics.partition(topic, p)?.log.highWatermark ?? 0), 0);
    const consumer = fastConsumer(fastKafka(broker.bootstrapServers), uniqueName('g'));
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) =>
        void stored.set(`${partition}@${message.offset}`, message.value?.toString() ?? ''),
    });
    try {
      await waitFor(() => stored.size >= total, 10_000, `${total} records`);
    } finally {
      await consumer.disconnect();
    }
    const missing = acked.flatMap((a) =>
      a.values.filter((v, i) => stored.get(`${a.partition}@${a.baseOffset + i}`) !== v),
    );
    expect(missing).toEqual([]);
    await stop(broker);
  });
});
