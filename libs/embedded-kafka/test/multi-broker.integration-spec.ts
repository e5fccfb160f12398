// Three brokers in one process: kafkajs must see all of them, partition leadership spread over them,
// produce and consume across them (any broker may coordinate the group), and non-leaders refuse writes.
import { type Admin } from 'kafkajs';
import { ApiKey, startEmbeddedKafka, type EmbeddedKafka } from '../src';
import { Writer } from '../src/protocol/codec';
import { fastConsumer, fastKafka, uniqueName, waitFor } from './kafkajs-fixtures';
import { frame, rawProduce, RawClient, reader } from './raw-client';

describe('a three-broker embedded cluster', () => {
  let broker: EmbeddedKafka;
  let admin: Admin;

  beforeAll(async () => {
    broker = await startEmbeddedKafka({ brokers: 3 });
    admin = fastKafka(broker.bootstrapServers).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.disconnect();
    await broker.stop();
  });

  it('advertises three brokers and a controller among them', async () => {
    expect(broker.bootstrapServers).toHaveLength(3);
    const cluster = await admin.describeCluster();
    expect(cluster.brokers.map((b) => `${b.host}:${b.port}`).sort()).toEqual([...broker.bootstrapServers].sort());
    expect(cluster.brokers.map((b) => b.nodeId).sort()).toEqual([0, 1, 2]);
    expect(cluster.brokers.map((b) => b.nodeId)).toContain(cluster.controller);
  });

  it('spreads the leaders of a 6-partition topic and round-trips records on every partition through a group', async () => {
    const topic = uniqueName('spread');
    const groupId = uniqueName('spread-group');
    await expect(admin.createTopics({ topics: [{ topic, numPartitions: 6 }] })).resolves.toBe(true);
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = topics[0]?.partitions ?? [];
    expect(partitions).toHaveLength(6);
    const leaders = new Set(partitions.map((p) => p.leader));
    expect(leaders.size).toBeGreaterThan(1);
    for (const l of leaders) expect([0, 1, 2]).toContain(l);

    // Bootstrap from one broker only: kafkajs must find the others through metadata.
    const producer = fastKafka([broker.bootstrapServers[2]!]).producer();
    await producer.connect();
    const sent: string[] = [];
    for (let round = 0; round < 3; round++) {
      const messages = Array.from({ length: 6 }, (_, partition) => ({ partition, value: `p${partition}-r${round}` }));
      const res = await producer.send({ topic, messages });
      expect(res.map((r) => r.partition).sort()).toEqual([0, 1, 2, 3, 4, 5]);
      expect(res.every((r) => r.errorCode === 0 && r.baseOffset === String(round))).toBe(true);
      sent.push(...messages.map((m) => m.value));
    }
    await producer.disconnect();
    for (let p = 0; p < 6; p++) expect(broker.cluster.topics.partition(topic, p)?.log.highWatermark).toBe(3);

    const consumer = fastConsumer(fastKafka([broker.bootstrapServers[1]!]), groupId);
    const seen: { partition: number; offset: string; value: string }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) =>
        void seen.push({ partition, offset: message.offset, value: message.value?.toString() ?? '' }),
    });
    await waitFor(() => seen.length >= sent.length, 10_000, `${sent.length} records`);
    expect(seen.map((s) => s.value).sort()).toEqual([...sent].sort());
    for (const s of seen) expect(s.value).toBe(`p${s.partition}-r${s.offset}`);

    const coordinator = broker.cluster.coordinatorFor(groupId).nodeId;
    const { groups } = await admin.describeGroups([groupId]);
    expect(groups[0]).toMatchObject({ groupId, state: 'Stable', protocol: 'RoundRobinAssigner' });
    const group = await admin.listGroups();
    expect(group.groups.map((g) => g.groupId)).toContain(groupId);
    await consumer.disconnect();
    // The group's requests went to its coordinator, which may be any of the three brokers.
    expect(broker.requests.filter((t) => t.apiKey === ApiKey.JoinGroup).every((t) => t.nodeId === coordinator)).toBe(
      true,
    );
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsets[0]?.partitions.map((p) => p.offset)).toEqual(['3', '3', '3', '3', '3', '3']);
  });

  it('answers a Produce sent to a broker that does not lead the partition with NOT_LEADER_OR_FOLLOWER (6)', async () => {
    const topic = uniqueName('notleader');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const producer = fastKafka(broker.bootstrapServers).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'seed' }] });
    await producer.disconnect();
    const partition = broker.cluster.topics.partition(topic, 0)!;
    // A valid batch as a client sends it: the stored one with baseOffset back to 0.
    const batch = Buffer.from([...partition.log.batches()][0]!.bytes);
    batch.writeBigInt64BE(0n, 0);

    const produceTo = async (nodeId: number): Promise<{ partition: number; errorCode: number; baseOffset: number }> => {
      const node = broker.brokers.find((b) => b.nodeId === nodeId)!;
      const { partition, errorCode, baseOffset } = await rawProduce(`${node.host}:${node.port}`, topic, batch);
      return { partition, errorCode, baseOffset };
    };

    const others = broker.brokers.map((b) => b.nodeId).filter((id) => id !== partition.leader);
    expect(others).toHaveLength(2);
    for (const nodeId of others)
      expect(await produceTo(nodeId)).toEqual({ partition: 0, errorCode: 6, baseOffset: -1 });
    expect(partition.log.highWatermark).toBe(1);
    // The same bytes are accepted by the leader.
    expect(await produceTo(partition.leader)).toEqual({ partition: 0, errorCode: 0, baseOffset: 1 });
    expect(partition.log.highWatermark).toBe(2);
  });
  it('refuses DeleteRecords on a broker that does not lead the partition, and applies it on the leader', async () => {
    const topic = uniqueName('delrec-notleader');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const producer = fastKafka(broker.bootstrapServers).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    await producer.disconnect();
    const partition = broker.cluster.topics.partition(topic, 0)!;

    const deleteBefore = async (
      nodeId: number,
      offset: number,
    ): Promise<{ lowWatermark: number; errorCode: number }> => {
      const body = new Writer()
        .array([topic], (w, name) => w.string(name).array([offset], (w, o) => w.int32(0).int64(o)))
        .int32(5000)
        .toBuffer();
      const node = broker.brokers.find((b) => b.nodeId === nodeId)!;
      const client = await RawClient.connect(`${node.host}:${node.port}`);
      try {
        client.write(frame(ApiKey.DeleteRecords, 1, 1, body));
        const [res] = await client.responsesAfter(1);
        const r = reader(res!.body);
        r.int32(); // throttle
        const [t] = r.array((r) => ({
          name: r.string(),
          partitions: r.array((r) => ({ partition: r.int32(), lowWatermark: r.int64n(), errorCode: r.int16() })),
        }));
        const p = t!.partitions[0]!;
        return { lowWatermark: p.lowWatermark, errorCode: p.errorCode };
      } finally {
        client.close();
      }
    };

    const other = broker.brokers.map((b) => b.nodeId).find((id) => id !== partition.leader)!;
    expect(await deleteBefore(other, 2)).toEqual({ lowWatermark: -1, errorCode: 6 });
    expect(partition.log.logStartOffset).toBe(0);
    expect(await deleteBefore(partition.leader, 2)).toEqual({ lowWatermark: 2, errorCode: 0 });
    expect(partition.log.logStartOffset).toBe(2);
  });
});
