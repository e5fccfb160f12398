// The (API key, version) pairs unmodified kafkajs 2.2.4 sends over a full admin, idempotent-producer and
// consumer-group round trip must be exactly the "Used" column of the broker reference (section 1.2): a
// different version means the broker advertised the wrong range and kafkajs fell onto another code path.
import { startEmbeddedKafka, apiName, type EmbeddedKafka } from '../src';
import { fastConsumer, fastKafka, uniqueName, waitFor } from './kafkajs-fixtures';

// The "Used" column of the reference table: every API kafkajs's admin, producer and consumer send here.
const EXPECTED: readonly (readonly [key: number, version: number])[] = [
  [18, 2], // ApiVersions
  [3, 6], // Metadata
  [19, 3], // CreateTopics
  [22, 1], // InitProducerId
  [0, 7], // Produce
  [10, 2], // FindCoordinator
  [11, 5], // JoinGroup
  [14, 3], // SyncGroup
  [9, 4], // OffsetFetch
  [2, 3], // ListOffsets
  [1, 11], // Fetch
  [8, 5], // OffsetCommit
  [12, 3], // Heartbeat
  [15, 2], // DescribeGroups
  [16, 2], // ListGroups
  [13, 3], // LeaveGroup
  [42, 1], // DeleteGroups
  [20, 1], // DeleteTopics
  [37, 1], // CreatePartitions
  [21, 1], // DeleteRecords
];

const label = (key: number, version: number): string => `${key}@${version} (${apiName(key)})`;

describe('API versions kafkajs 2.2.4 uses', () => {
  let broker: EmbeddedKafka;

  beforeAll(async () => {
    broker = await startEmbeddedKafka(); // a broker of its own: its trace holds only this round trip
  });

  afterAll(async () => {
    await broker.stop();
  });

  it('sends exactly the reference versions over an admin, producer and consumer-group round trip', async () => {
    const topic = uniqueName('versions');
    const groupId = uniqueName('versions-group');
    const kafka = fastKafka(broker.bootstrapServers);
    const admin = kafka.admin();
    await admin.connect();
    await expect(admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })).resolves.toBe(true);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();
    await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] });

    const consumer = fastConsumer(fastKafka(broker.bootstrapServers), groupId);
    let seen = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async () => void seen++ });
    await waitFor(() => seen === 6, 10_000, 'all records');
    await waitFor(() => broker.requests.some((t) => t.apiKey === 12), 5000, 'a heartbeat');
    const { groups } = await admin.describeGroups([groupId]);
    expect(groups[0]?.state).toBe('Stable');
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain(groupId);
    await consumer.disconnect(); // commits and leaves

    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    // The new, empty partition has no commit (-1).
    const committed = offsets[0]?.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    expect(committed).toBe(6);
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '-1' }] });
    await admin.deleteGroups([groupId]);
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();

    const used = [...new Set(broker.requests.map((t) => label(t.apiKey, t.apiVersion)))].sort();
    expect(used).toEqual(EXPECTED.map(([k, v]) => label(k, v)).sort());
  });
});
