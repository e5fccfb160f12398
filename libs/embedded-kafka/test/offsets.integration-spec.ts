// Offsets as kafkajs users move them: seek (including into the middle of a compressed batch), listing
// offsets by position and by timestamp, admin setOffsets/resetOffsets, and OFFSET_OUT_OF_RANGE recovery.
import { CompressionTypes, type Admin, type Consumer, type Producer } from 'kafkajs';
import { ApiKey, startEmbeddedKafka, type EmbeddedKafka } from '../src';
import { fastConsumer, fastKafka, uniqueName, waitFor } from './kafkajs-fixtures';

interface Seen {
  offset: string;
  value: string;
}

describe('offsets through kafkajs', () => {
  let broker: EmbeddedKafka;
  let admin: Admin;
  let producer: Producer;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    broker = await startEmbeddedKafka();
    const kafka = fastKafka(broker.bootstrapServers);
    admin = kafka.admin();
    producer = kafka.producer();
    await Promise.all([admin.connect(), producer.connect()]);
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
  });

  afterAll(async () => {
    await Promise.all([admin.disconnect(), producer.disconnect()]);
    await broker.stop();
  });

  async function produceValues(topic: string, values: string[]): Promise<void> {
    await producer.send({ topic, messages: values.map((value) => ({ value })) });
  }

  /** A consumer on its own Kafka instance (no shared offsets cache), started on one topic. */
  async function startConsumer(
    topic: string,
    groupId: string,
    fromBeginning: boolean,
  ): Promise<{ consumer: Consumer; seen: Seen[]; fetches: () => number }> {
    const consumer = fastConsumer(fastKafka(broker.bootstrapServers), groupId);
    consumers.push(consumer);
    const seen: Seen[] = [];
    let fetches = 0;
    consumer.on(consumer.events.FETCH, () => void fetches++);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning });
    await consumer.run({
      eachMessage: async ({ message }) =>
        void seen.push({ offset: message.offset, value: message.value?.toString() ?? '' }),
    });
    return { consumer, seen, fetches: () => fetches };
  }

  async function stopConsumer(consumer: Consumer): Promise<void> {
    consumers.splice(consumers.indexOf(consumer), 1);
    await consumer.disconnect();
  }

  const offsetsOf = (seen: Seen[]): string[] => seen.map((s) => s.offset);
  const range = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => String(from + i));

  it('seek to 0 redelivers the partition from the start', async () => {
    const topic = uniqueName('seek0');
    await produceValues(topic, ['a', 'b', 'c', 'd', 'e']);
    const { consumer, seen } = await startConsumer(topic, uniqueName('g'), true);
    await waitFor(() => seen.length === 5, 10_000, 'the first pass');

    consumer.seek({ topic, partition: 0, offset: '0' });
    await waitFor(() => seen.length === 10, 10_000, 'the redelivery');
    expect(offsetsOf(seen)).toEqual([...range(0, 5), ...range(0, 5)]);
    expect(seen.slice(5).map((s) => s.value)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('seek into the middle of a gzip batch delivers only the records from the seek offset on', async () => {
    const topic = uniqueName('seekgzip');
    await producer.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: Array.from({ length: 10 }, (_, i) => ({ value: `z${i}` })),
    });
    const stored = [...(broker.cluster.topics.partition(topic, 0)?.log.batches() ?? [])];
    expect(stored).toHaveLength(1); // one compressed batch holding offsets 0..9
    expect((stored[0]?.bytes.readInt16BE(21) ?? 0) & 0x07).toBe(1);

    // fromBeginning false: the consumer starts at the end, so only the seek can deliver anything.
    const { consumer, seen, fetches } = await startConsumer(topic, uniqueName('g'), false);
    await waitFor(() => fetches() > 0, 10_000, 'the first fetch');
    consumer.seek({ topic, partition: 0, offset: '4' });
    await waitFor(() => seen.length >= 6, 10_000, 'the records from offset 4');
    // More records after the batch arrive in order after it: nothing below 4 may have slipped in.
    await produceValues(topic, ['after']);
    await waitFor(() => seen.length >= 7, 10_000, 'the next record');
    expect(offsetsOf(seen)).toEqual(range(4, 11));
    expect(seen.map((s) => s.value)).toEqual(['z4', 'z5', 'z6', 'z7', 'z8', 'z9', 'after']);
  });

  it('fetchTopicOffsets reports high and low watermarks per partition', async () => {
    const topic = uniqueName('watermarks');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    expect(await admin.fetchTopicOffsets(topic)).toEqual(
      expect.arrayContaining([
        { partition: 0, offset: '0', high: '0', low: '0' },
        { partition: 1, offset: '0', high: '0', low: '0' },
      ]),
    );
    await producer.send({ topic, messages: [0, 1, 2].map((i) => ({ value: `p0-${i}`, partition: 0 })) });
    await producer.send({ topic, messages: [{ value: 'p1-0', partition: 1 }] });
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.sort((a, b) => a.partition - b.partition)).toEqual([
      { partition: 0, offset: '3', high: '3', low: '0' },
      { partition: 1, offset: '1', high: '1', low: '0' },
    ]);
  });

  it('fetchTopicOffsetsByTimestamp finds the first offset at or after a timestamp, or the end', async () => {
    const topic = uniqueName('bytime');
    const t0 = 1_700_000_000_000;
    // Separate sends: one batch each, so every record's timestamp is its batch's timestamp.
    for (let i = 0; i < 4; i++) {
      await producer.send({ topic, messages: [{ value: `t${i}`, timestamp: String(t0 + i * 1000) }] });
    }
    expect([...(broker.cluster.topics.partition(topic, 0)?.log.batches() ?? [])]).toHaveLength(4);
    const at = async (ts: number): Promise<string | undefined> =>
      (await admin.fetchTopicOffsetsByTimestamp(topic, ts))[0]?.offset;

    expect(await at(t0 - 60_000)).toBe('0'); // before the data
    expect(await at(t0)).toBe('0'); // exactly the first timestamp
    expect(await at(t0 + 1500)).toBe('2'); // between records 1 and 2
    expect(await at(t0 + 2000)).toBe('2'); // exactly record 2
    expect(await at(t0 + 3000)).toBe('3'); // the last record
    expect(await at(t0 + 3001)).toBe('4'); // after the data: kafkajs falls back to the high watermark
  });

  it('admin setOffsets and resetOffsets move an Empty group, and consumers resume there', async () => {
    const topic = uniqueName('setoffsets');
    const groupId = uniqueName('setoffsets-group');
    await produceValues(
      topic,
      range(0, 10).map((i) => `v${i}`),
    );

    const first = await startConsumer(topic, groupId, true);
    await waitFor(() => first.seen.length === 10, 10_000, 'the first pass');
    // A running group cannot be moved.
    await expect(admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '3' }] })).rejects.toThrow(
      /no running instances/,
    );
    await stopConsumer(first.consumer);
    expect((await admin.describeGroups([groupId])).groups[0]?.state).toBe('Empty');
    expect((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset).toBe('10');

    // setOffsets to 3: the group resumes at 3.
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '3' }] });
    expect((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset).toBe('3');
    const second = await startConsumer(topic, groupId, false);
    await waitFor(() => second.seen.length >= 7, 10_000, 'records 3..9');
    expect(offsetsOf(second.seen)).toEqual(range(3, 10));
    await stopConsumer(second.consumer);

    // resetOffsets earliest: kafkajs commits -2 and the consumer resolves it to the log start.
    await admin.resetOffsets({ groupId, topic, earliest: true });
    expect((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset).toBe('-2');
    const third = await startConsumer(topic, groupId, true);
    await waitFor(() => third.seen.length >= 10, 10_000, 'records 0..9 again');
    expect(offsetsOf(third.seen)).toEqual(range(0, 10));
    await stopConsumer(third.consumer);

    // resetOffsets latest: kafkajs commits -1; the consumer starts at the end and sees only new records.
    await admin.resetOffsets({ groupId, topic, earliest: false });
    expect((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset).toBe('-1');
    const fourth = await startConsumer(topic, groupId, false);
    await waitFor(() => fourth.fetches() > 0, 10_000, 'the first fetch');
    await produceValues(topic, ['fresh']);
    await waitFor(() => fourth.seen.length >= 1, 10_000, 'the new record');
    expect(fourth.seen).toEqual([{ offset: '10', value: 'fresh' }]);
  });

  it('recovers from OFFSET_OUT_OF_RANGE by resetting to the subscription default (earliest or latest)', async () => {
    const topic = uniqueName('outofrange');
    const earliestGroup = uniqueName('oor-earliest');
    const latestGroup = uniqueName('oor-latest');
    await produceValues(
      topic,
      range(0, 10).map((i) => `v${i}`),
    );
    // Committed offsets 11 beyond the high watermark (10), as after the topic was re-created. kafkajs's
    // setOffsets waits out its internal consumer's default 5 s maxWait, so both groups are set at once.
    await Promise.all(
      [earliestGroup, latestGroup].map((groupId) =>
        admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '21' }] }),
      ),
    );
    for (const groupId of [earliestGroup, latestGroup]) {
      expect((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset).toBe('21');
    }

    // fromBeginning: the Fetch at 21 gets OFFSET_OUT_OF_RANGE; kafkajs commits -2 and re-resolves to 0.
    const before = broker.requests.length;
    const fromStart = await startConsumer(topic, earliestGroup, true);
    await waitFor(() => fromStart.seen.length >= 10, 10_000, 'the whole partition after the reset');
    expect(offsetsOf(fromStart.seen)).toEqual(range(0, 10));
    // No ListOffsets would be needed for a valid committed offset: this one comes from the recovery.
    expect(broker.requests.slice(before).some((t) => t.apiKey === ApiKey.ListOffsets)).toBe(true);
    await waitFor(
      async () =>
        (await admin.fetchOffsets({ groupId: earliestGroup, topics: [topic] }))[0]?.partitions[0]?.offset === '10',
      10_000,
      'the commit after the recovered consumption',
    );

    // Not fromBeginning: kafkajs commits -1 and resumes at the end, so only new records arrive.
    const fromEnd = await startConsumer(topic, latestGroup, false);
    await waitFor(
      async () =>
        (await admin.fetchOffsets({ groupId: latestGroup, topics: [topic] }))[0]?.partitions[0]?.offset === '-1',
      10_000,
      'the reset commit',
    );
    // Each fetch resolves offsets first: a fetch after the reset commit means the position is the end.
    const fetched = fromEnd.fetches();
    await waitFor(() => fromEnd.fetches() > fetched, 10_000, 'a fetch at the new position');
    await produceValues(topic, ['fresh']);
    await waitFor(() => fromEnd.seen.length >= 1, 10_000, 'the new record');
    expect(fromEnd.seen).toEqual([{ offset: '10', value: 'fresh' }]);
  });
});
