// The kafkajs admin client against the embedded broker: topic lifecycle, partitions, group inspection
// and deletion, and record deletion, each checked through what a kafkajs user observes.
import { AssignerProtocol, type Admin, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import { startEmbeddedKafka, type EmbeddedKafka } from '../src';
import { fastConsumer, fastKafka, uniqueName, waitFor } from './kafkajs-fixtures';

interface Seen {
  partition: number;
  offset: string;
  value: string;
}

describe('kafkajs admin', () => {
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

  /** A running consumer (own Kafka instance, so no shared offset cache) that records what it gets. */
  async function startConsumer(
    topic: string,
    groupId = uniqueName('g'),
    overrides: Parameters<typeof fastConsumer>[2] = {},
  ): Promise<{ consumer: Consumer; seen: Seen[] }> {
    const consumer = fastConsumer(fastKafka(broker.bootstrapServers), groupId, overrides);
    consumers.push(consumer);
    const seen: Seen[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
        seen.push({ partition, offset: message.offset, value: message.value?.toString() ?? '' });
      },
    });
    return { consumer, seen };
  }

  async function stopConsumer(consumer: Consumer): Promise<void> {
    consumers.splice(consumers.indexOf(consumer), 1);
    await consumer.disconnect();
  }

  it('createTopics resolves true for a new topic and false when it already exists', async () => {
    const topic = uniqueName('create');
    await expect(admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })).resolves.toBe(true);
    await expect(admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })).resolves.toBe(false);
    expect(broker.cluster.topics.get(topic)?.partitions).toHaveLength(2);
  });

  it('listTopics and fetchTopicMetadata report every topic with its partition count and a live leader', async () => {
    const one = uniqueName('meta-one');
    const four = uniqueName('meta-four');
    await admin.createTopics({
      topics: [
        { topic: one, numPartitions: 1 },
        { topic: four, numPartitions: 4 },
      ],
    });
    const listed = await admin.listTopics();
    expect(listed).toEqual(expect.arrayContaining([one, four]));

    const { topics } = await admin.fetchTopicMetadata({ topics: [one, four] });
    const byName = new Map(topics.map((t) => [t.name, t.partitions]));
    expect(byName.get(one)?.map((p) => p.partitionId)).toEqual([0]);
    expect(
      byName
        .get(four)
        ?.map((p) => p.partitionId)
        .sort(),
    ).toEqual([0, 1, 2, 3]);
    const nodeIds = broker.brokers.map((b) => b.nodeId);
    for (const p of [...(byName.get(one) ?? []), ...(byName.get(four) ?? [])]) {
      expect(p.partitionErrorCode).toBe(0);
      expect(nodeIds).toContain(p.leader);
      expect(p.replicas).toEqual([p.leader]);
      expect(p.isr).toEqual([p.leader]);
    }
  });

  it('deleteTopics removes the topic, and re-creating it starts empty at offset 0', async () => {
    const topic = uniqueName('delete');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await producer.send({ topic, messages: [{ value: 'old-0' }, { value: 'old-1' }, { value: 'old-2' }] });
    expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, offset: '3', high: '3', low: '0' }]);

    await admin.deleteTopics({ topics: [topic] });
    expect(await admin.listTopics()).not.toContain(topic);

    await expect(admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })).resolves.toBe(true);
    expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, offset: '0', high: '0', low: '0' }]);
    const [sent] = await producer.send({ topic, messages: [{ value: 'new-0' }] });
    expect(sent?.baseOffset).toBe('0');

    const { seen } = await startConsumer(topic);
    await waitFor(() => seen.length >= 1, 10_000, 'the record of the re-created topic');
    // A second fetch round would have delivered any surviving old record after the new one.
    await producer.send({ topic, messages: [{ value: 'new-1' }] });
    await waitFor(() => seen.length >= 2, 10_000, 'the second record');
    expect(seen).toEqual([
      { partition: 0, offset: '0', value: 'new-0' },
      { partition: 0, offset: '1', value: 'new-1' },
    ]);
  });

  it('createPartitions adds partitions that a running consumer picks up after a metadata refresh', async () => {
    const topic = uniqueName('grow');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await producer.send({ topic, messages: [{ value: 'p0', partition: 0 }] });
    const { seen } = await startConsumer(topic, uniqueName('g'), { metadataMaxAge: 500 });
    await waitFor(() => seen.length === 1, 10_000, 'the partition-0 record');

    await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] });
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics[0]?.partitions).toHaveLength(3);
    await expect(admin.createPartitions({ topicPartitions: [{ topic, count: 2 }] })).rejects.toThrow();

    // A fresh producer: it sees the three partitions in its first metadata.
    const p2 = fastKafka(broker.bootstrapServers).producer();
    await p2.connect();
    const [sent] = await p2.send({ topic, messages: [{ value: 'p2', partition: 2 }] });
    await p2.disconnect();
    expect(sent).toMatchObject({ partition: 2, baseOffset: '0' });

    await waitFor(() => seen.length === 2, 15_000, 'the record on the new partition');
    expect(seen[1]).toEqual({ partition: 2, offset: '0', value: 'p2' });
  });

  it('describeGroups and listGroups show a running group as Stable with the RoundRobinAssigner', async () => {
    const topic = uniqueName('describe');
    const groupId = uniqueName('describe-group');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await startConsumer(topic, groupId);

    const { groups } = await admin.describeGroups([groupId]);
    expect(groups).toHaveLength(1);
    const g = groups[0]!;
    expect(g).toMatchObject({ groupId, state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' });
    expect(g.members).toHaveLength(1);
    const member = g.members[0]!;
    expect(member.clientId).toBe('test');
    const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
    expect(assignment?.assignment).toEqual({ [topic]: [0, 1] });
    const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
    expect(metadata?.topics).toEqual([topic]);

    const listed = await admin.listGroups();
    expect(listed.groups).toContainEqual({ groupId, protocolType: 'consumer' });
  });

  it('deleteGroups fails with NON_EMPTY_GROUP while members are active and succeeds once the group is empty', async () => {
    const topic = uniqueName('delgroup');
    const groupId = uniqueName('delgroup-group');
    await producer.send({ topic, messages: [{ value: 'x' }] });
    const { consumer, seen } = await startConsumer(topic, groupId);
    await waitFor(() => seen.length === 1);

    const failure: unknown = await admin.deleteGroups([groupId]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({ name: 'KafkaJSDeleteGroupsError' });
    const groupsInError = (failure as { groups: { groupId: string; errorCode: number; error: { type: string } }[] })
      .groups;
    expect(groupsInError.map((g) => [g.groupId, g.errorCode, g.error.type])).toEqual([
      [groupId, 68, 'NON_EMPTY_GROUP'],
    ]);
    expect((await admin.describeGroups([groupId])).groups[0]?.state).toBe('Stable');

    await stopConsumer(consumer); // commits offset 1 and leaves: the group is Empty but has offsets
    expect((await admin.describeGroups([groupId])).groups[0]?.state).toBe('Empty');
    expect((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset).toBe('1');

    await expect(admin.deleteGroups([groupId])).resolves.toEqual([expect.objectContaining({ groupId, errorCode: 0 })]);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(groupId);
    expect((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset).toBe('-1');
    expect((await admin.describeGroups([groupId])).groups[0]?.state).toBe('Dead');
  });

  it('deleteTopicRecords moves the low watermark and consumers start there', async () => {
    const topic = uniqueName('delrecords');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    for (let i = 0; i < 10; i++) await producer.send({ topic, messages: [{ value: `r${i}` }] });
    expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, offset: '10', high: '10', low: '0' }]);

    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '4' }] });
    expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, offset: '10', high: '10', low: '4' }]);

    const { seen } = await startConsumer(topic);
    await waitFor(() => seen.length >= 6, 10_000, 'the 6 remaining records');
    expect(seen.map((m) => m.offset)).toEqual(['4', '5', '6', '7', '8', '9']);

    // -1 means "everything up to the high watermark".
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '-1' }] });
    expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, offset: '10', high: '10', low: '10' }]);
  });
});
