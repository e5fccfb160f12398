// Produce and consume through unmodified kafkajs 2.2.4: acks modes, keys/headers/timestamps, gzip,
// oversized records, commits and resume, long-poll wake-up.
import { CompressionTypes, type KafkaMessage } from 'kafkajs';
import { startEmbeddedKafka, type EmbeddedKafka } from '../src';
import { fastConsumer, fastKafka, uniqueName, waitFor } from './kafkajs-fixtures';

describe('produce and consume with kafkajs', () => {
  let broker: EmbeddedKafka;

  beforeAll(async () => {
    broker = await startEmbeddedKafka();
  });

  afterAll(async () => {
    await broker.stop();
  });

  async function consumeAll(topic: string, count: number, fromBeginning = true): Promise<KafkaMessage[]> {
    const kafka = fastKafka(broker.bootstrapServers);
    const consumer = fastConsumer(kafka, uniqueName('g'));
    const seen: KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message);
        await Promise.resolve();
      },
    });
    try {
      await waitFor(() => seen.length >= count, 10_000, `${count} messages`);
    } finally {
      await consumer.disconnect();
    }
    return seen;
  }

  it('assigns consecutive offsets for acks=-1, acks=1 and acks=0 and serves them in order', async () => {
    const topic = uniqueName('acks');
    const producer = fastKafka(broker.bootstrapServers).producer();
    await producer.connect();
    const r1 = await producer.send({ topic, acks: -1, messages: [{ value: 'a' }, { value: 'b' }] });
    const r2 = await producer.send({ topic, acks: 1, messages: [{ value: 'c' }] });
    const r3 = await producer.send({ topic, acks: 0, messages: [{ value: 'd' }] });
    await producer.disconnect();
    expect(r1[0]?.baseOffset).toBe('0');
    expect(r2[0]?.baseOffset).toBe('2');
    expect(r3).toEqual([]); // acks=0: no response at all
    await waitFor(() => broker.cluster.topics.partition(topic, 0)?.log.highWatermark === 4);
    const seen = await consumeAll(topic, 4);
    expect(seen.map((m) => [m.offset, m.value?.toString()])).toEqual([
      ['0', 'a'],
      ['1', 'b'],
      ['2', 'c'],
      ['3', 'd'],
    ]);
  });

  it('round-trips keys, repeated headers, null values and timestamps', async () => {
    const topic = uniqueName('fields');
    const producer = fastKafka(broker.bootstrapServers).producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'k1', value: 'v1', timestamp: '1700000000000', headers: { trace: ['a', 'b'], single: 'x' } },
        { key: null, value: null },
      ],
    });
    await producer.disconnect();
    const [first, second] = await consumeAll(topic, 2);
    expect(first?.key?.toString()).toBe('k1');
    expect(first?.timestamp).toBe('1700000000000');
    expect(first?.headers?.trace?.toString()).toBe(['a', 'b'].toString());
    expect(first?.headers?.single?.toString()).toBe('x');
    expect(second?.key).toBeNull();
    expect(second?.value).toBeNull();
  });

  it('stores gzip batches as sent and serves them to consumers', async () => {
    const topic = uniqueName('gzip');
    const producer = fastKafka(broker.bootstrapServers).producer();
    await producer.connect();
    await producer.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: Array.from({ length: 50 }, (_, i) => ({ value: `compressed-${i}` })),
    });
    await producer.disconnect();
    const stored = [...(broker.cluster.topics.partition(topic, 0)?.log.batches() ?? [])];
    expect(stored).toHaveLength(1);
    expect((stored[0]?.bytes.readInt16BE(21) ?? 0) & 0x07).toBe(1); // codec bits: gzip, untouched
    const seen = await consumeAll(topic, 50);
    expect(seen.map((m) => m.value?.toString())).toEqual(Array.from({ length: 50 }, (_, i) => `compressed-${i}`));
  });

  it('delivers a record larger than the consumer maxBytesPerPartition (KIP-74)', async () => {
    const topic = uniqueName('big');
    const big = Buffer.alloc(300 * 1024, 7);
    const producer = fastKafka(broker.bootstrapServers).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: big }] });
    await producer.disconnect();
    const kafka = fastKafka(broker.bootstrapServers);
    const consumer = fastConsumer(kafka, uniqueName('g'), { maxBytesPerPartition: 1024 });
    const seen: Buffer[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value ?? Buffer.alloc(0)) });
    await waitFor(() => seen.length === 1);
    await consumer.disconnect();
    expect(seen[0]?.equals(big)).toBe(true);
  });

  it('resumes a group from its committed offset after a restart, without redelivery', async () => {
    const topic = uniqueName('resume');
    const groupId = uniqueName('group');
    const kafka = fastKafka(broker.bootstrapServers);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ value: `first-${i}` })) });

    const firstRun: string[] = [];
    const c1 = fastConsumer(fastKafka(broker.bootstrapServers), groupId);
    await c1.connect();
    await c1.subscribe({ topic, fromBeginning: true });
    await c1.run({ eachMessage: async ({ message }) => void firstRun.push(message.value?.toString() ?? '') });
    await waitFor(() => firstRun.length === 5);
    await c1.disconnect(); // commits on the way out

    await producer.send({ topic, messages: Array.from({ length: 3 }, (_, i) => ({ value: `second-${i}` })) });
    await producer.disconnect();
    const secondRun: string[] = [];
    const c2 = fastConsumer(fastKafka(broker.bootstrapServers), groupId);
    await c2.connect();
    await c2.subscribe({ topic, fromBeginning: true });
    await c2.run({ eachMessage: async ({ message }) => void secondRun.push(message.value?.toString() ?? '') });
    await waitFor(() => secondRun.length === 3);
    await c2.disconnect();
    expect(secondRun).toEqual(['second-0', 'second-1', 'second-2']);

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    expect(offsets[0]?.partitions).toEqual([{ partition: 0, offset: '8', metadata: null }]);
  });

  it('commits manually with autoCommit off', async () => {
    const topic = uniqueName('manual');
    const groupId = uniqueName('group');
    const kafka = fastKafka(broker.bootstrapServers);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: '1' }, { value: '2' }, { value: '3' }] });
    await producer.disconnect();
    const consumer = fastConsumer(kafka, groupId);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await consumer.run({ autoCommit: false, eachMessage: async () => void seen++ });
    await waitFor(() => seen === 3);
    await consumer.commitOffsets([{ topic, partition: 0, offset: '2' }]);
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    expect(offsets[0]?.partitions[0]?.offset).toBe('2');
  });

  it('wakes a long-polling fetch as soon as a record arrives', async () => {
    const topic = uniqueName('longpoll');
    broker.createTopic(topic, 1);
    const kafka = fastKafka(broker.bootstrapServers);
    const consumer = fastConsumer(kafka, uniqueName('g'), { maxWaitTimeInMs: 5000, sessionTimeout: 10_000 });
    let receivedAt = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async () => void (receivedAt = Date.now()) });
    // Let the consumer park a fetch on the empty partition.
    await new Promise((r) => setTimeout(r, 300));
    const producer = kafka.producer();
    await producer.connect();
    const sentAt = Date.now();
    await producer.send({ topic, messages: [{ value: 'wake' }] });
    await waitFor(() => receivedAt > 0, 5000, 'the record');
    await producer.disconnect();
    await consumer.disconnect();
    expect(receivedAt - sentAt).toBeLessThan(1000); // far below the 5 s max wait
  });
});
