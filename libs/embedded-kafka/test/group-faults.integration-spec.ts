// Group fault handling through unmodified kafkajs 2.2.4 (reference doc 4.3 item 10), in-process with one
// Kafka instance per member: a member evicted by the coordinator, a broker bounce, a dropped JoinGroup, a
// session timeout the broker refuses, and commits racing a rebalance. Faults are state-level (evictMember,
// dropped connections), never bare error codes, so broker state and client state stay consistent.
import {
  AssignerProtocol,
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type ConsumerCrashEvent,
  type Producer,
} from 'kafkajs';
import { ApiKey, startEmbeddedKafka, type EmbeddedKafka, type RequestTrace } from '../src';
import { fastConsumer, fastKafka, uniqueName, waitFor, unconsumedOffsets } from './kafkajs-fixtures';

const PARTITIONS = 4;
const ALL = [0, 1, 2, 3];
const REBALANCE_TIMEOUT = 3000;

interface Group {
  topic: string;
  groupId: string;
}

/** An in-process group member and what kafkajs told it. */
interface Member {
  clientId: string;
  consumer: Consumer;
  joins: { at: number; memberId: string; partitions: number[] }[];
  records: { partition: number; offset: number }[];
  crashes: ConsumerCrashEvent['payload'][];
}

const lastJoin = (m: Member): Member['joins'][number] | undefined => m.joins[m.joins.length - 1];
const memberIdOf = (m: Member): string => lastJoin(m)?.memberId ?? '';

/** kafkajs wraps protocol errors (retriers, crash handling); the innermost cause carries the broker's error. */
function originalCause(e: unknown): unknown {
  let cur = e;
  while (typeof cur === 'object' && cur !== null && 'cause' in cur && cur.cause !== undefined) cur = cur.cause;
  return cur;
}

describe('consumer-group faults through kafkajs', () => {
  let broker: EmbeddedKafka;
  let admin: Admin;
  let producer: Producer;
  const logs: string[] = [];
  const consumers: Consumer[] = [];
  const removeInterceptors: (() => void)[] = [];

  beforeAll(async () => {
    broker = await startEmbeddedKafka({ log: (line) => logs.push(line) });
    const kafka = fastKafka(broker.bootstrapServers);
    admin = kafka.admin();
    producer = kafka.producer();
    await Promise.all([admin.connect(), producer.connect()]);
  });

  afterEach(async () => {
    for (const remove of removeInterceptors.splice(0)) remove();
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
  });

  afterAll(async () => {
    await Promise.all([admin?.disconnect(), producer?.disconnect()]);
    await broker?.stop();
  });

  function newGroup(prefix: string): Group {
    const topic = uniqueName(`${prefix}-topic`);
    broker.createTopic(topic, PARTITIONS);
    return { topic, groupId: uniqueName(`${prefix}-group`) };
  }

  /** A consumer on its own Kafka instance (no shared offsets cache), running on the group's topic. */
  async function startMember(
    g: Group,
    name: string,
    on: EmbeddedKafka = broker,
    overrides: Partial<ConsumerConfig> = {},
  ): Promise<Member> {
    const clientId = uniqueName(name);
    const consumer = fastConsumer(fastKafka(on.bootstrapServers, { clientId }), g.groupId, overrides);
    consumers.push(consumer);
    const m: Member = { clientId, consumer, joins: [], records: [], crashes: [] };
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const partitions = [...(payload.memberAssignment[g.topic] ?? [])].sort((a, b) => a - b);
      m.joins.push({ at: Date.now(), memberId: payload.memberId, partitions });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => void m.crashes.push(payload));
    await consumer.connect();
    await consumer.subscribe({ topic: g.topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => void m.records.push({ partition, offset: Number(message.offset) }),
    });
    return m;
  }

  /** Waits until the group is Stable with exactly these members, each holding what the broker assigned it. */
  async function waitSettled(g: Group, members: Member[], timeoutMs = 10_000): Promise<void> {
    await waitFor(
      () => {
        const [d] = broker.cluster.groups.describeGroups([g.groupId]);
        if (d?.state !== 'Stable' || d.members.length !== members.length) return false;
        return members.every((m) => {
          const held = d.members.find((x) => x.memberId === memberIdOf(m));
          const decoded = held && AssignerProtocol.MemberAssignment.decode(held.assignment);
          const partitions = [...(decoded?.assignment[g.topic] ?? [])].sort((a, b) => a - b);
          return held !== undefined && partitions.join() === (lastJoin(m)?.partitions ?? []).join();
        });
      },
      timeoutMs,
      `group ${g.groupId} to settle with ${members.length} members`,
    );
    const owned = members.flatMap((m) => lastJoin(m)?.partitions ?? []);
    expect(owned.sort((a, b) => a - b)).toEqual(ALL);
  }

  async function produce(topic: string, perPartition: number, tag: string): Promise<void> {
    const messages = ALL.flatMap((partition) =>
      Array.from({ length: perPartition }, (_, i) => ({ partition, value: `${tag}-${partition}-${i}` })),
    );
    await producer.send({ topic, messages });
  }

  function unconsumed(topic: string, members: Member[]): string[] {
    return unconsumedOffsets(
      broker,
      topic,
      ALL,
      members.flatMap((m) => m.records),
    );
  }

  /** Whether the group's committed offsets have reached every partition's high watermark. */
  function committedAll(g: Group): boolean {
    const [committed] = broker.cluster.groups.fetchOffsets(g.groupId, [{ name: g.topic, partitions: ALL }]).topics;
    return ALL.every(
      (p) =>
        committed?.partitions.find((c) => c.partition === p)?.offset ===
        broker.cluster.topics.partition(g.topic, p)?.log.highWatermark,
    );
  }

  function requestsFrom(clientId: string, apiKey: number, since = 0): RequestTrace[] {
    return broker.requests.filter((t) => t.clientId === clientId && t.apiKey === apiKey && t.ts >= since);
  }

  it('rejoins with a new member id, without stalling, after the coordinator evicts a member', async () => {
    const g = newGroup('evict');
    const one = await startMember(g, 'one');
    const two = await startMember(g, 'two');
    await waitSettled(g, [one, two]);
    const evictedId = memberIdOf(one);
    const survivorId = memberIdOf(two);

    const evictedAt = Date.now();
    broker.cluster.groups.evictMember(g.groupId, evictedId);
    expect(broker.cluster.groups.groupState(g.groupId)).toBe('PreparingRebalance');
    await waitFor(() => memberIdOf(one) !== evictedId, 5000, 'the evicted member to rejoin');
    await waitSettled(g, [one, two]);
    const rejoinMs = Math.max(lastJoin(one)?.at ?? Infinity, lastJoin(two)?.at ?? Infinity) - evictedAt;
    console.log(`evictMember: group stable again with a new member id ${rejoinMs} ms after the eviction`);

    expect(logs).toContain(`group ${g.groupId}: member ${evictedId} removed (evicted)`);
    expect(memberIdOf(one)).toMatch(new RegExp(`^${one.clientId}-`));
    expect(memberIdOf(two)).toBe(survivorId); // the other member rejoined under its own id
    // The evicted member learnt of it from a heartbeat (UNKNOWN_MEMBER_ID), then rejoined from scratch.
    const firstRejoin = requestsFrom(one.clientId, ApiKey.JoinGroup, evictedAt)[0];
    expect(firstRejoin).toBeDefined();
    expect(requestsFrom(one.clientId, ApiKey.Heartbeat, evictedAt)[0]?.ts).toBeLessThanOrEqual(firstRejoin?.ts ?? 0);
    // No ghost member to wait out: far below the rebalance timeout.
    expect(rejoinMs).toBeLessThan(REBALANCE_TIMEOUT / 2);

    await produce(g.topic, 3, 'after-evict');
    await waitFor(() => unconsumed(g.topic, [one, two]).length === 0, 10_000, 'records produced after the rejoin');
    expect([...one.crashes, ...two.crashes]).toEqual([]);
  });

  it('reconnects and keeps consuming after the broker drops every connection', async () => {
    const g = newGroup('drop');
    const m = await startMember(g, 'bounce');
    await waitSettled(g, [m]);
    await produce(g.topic, 2, 'before');
    await waitFor(() => unconsumed(g.topic, [m]).length === 0, 10_000, 'records produced before the drop');
    await waitFor(() => committedAll(g), 5000, 'the commits of those records');
    const oldConnections = new Set(broker.requests.filter((t) => t.clientId === m.clientId).map((t) => t.connectionId));

    const droppedAt = Date.now();
    broker.dropConnections();
    await produce(g.topic, 3, 'after');
    await waitFor(() => unconsumed(g.topic, [m]).length === 0, 10_000, 'records produced after the drop');
    const recoveredMs = Date.now() - droppedAt;
    console.log(`dropConnections: records produced after the drop consumed within ${recoveredMs} ms`);

    const fetchesAfter = requestsFrom(m.clientId, ApiKey.Fetch, droppedAt);
    expect(fetchesAfter.some((t) => !oldConnections.has(t.connectionId))).toBe(true); // a new connection
    expect(m.crashes).toEqual([]);
    expect(m.records).toHaveLength(5 * PARTITIONS); // nothing redelivered: commits survived the bounce
  });

  it('joins after its first JoinGroup is dropped with the connection', async () => {
    const g = newGroup('dropjoin');
    // startMember's clientId is uniqueName(prefix): match the member by that unique prefix.
    const prefix = uniqueName('dropjoin-client');
    let dropped = 0;
    removeInterceptors.push(
      broker.intercept((t) => {
        if (dropped > 0 || t.apiKey !== ApiKey.JoinGroup || !t.clientId?.startsWith(prefix)) return 'continue';
        dropped++;
        return 'drop';
      }),
    );
    const m = await startMember(g, prefix);
    await waitSettled(g, [m]);
    expect(dropped).toBe(1);
    expect(requestsFrom(m.clientId, ApiKey.JoinGroup).length).toBeGreaterThanOrEqual(2);
    // kafkajs may surface the closed connection as a crash, but only a retriable one that it restarts from.
    for (const c of m.crashes) expect(c.restart).toBe(true);
    console.log(`dropped JoinGroup: joined after ${m.crashes.length} restart(s)`);

    await produce(g.topic, 2, 'joined');
    await waitFor(() => unconsumed(g.topic, [m]).length === 0, 10_000, 'records after the join');
  });

  it('crashes without restart when the broker refuses the session timeout (INVALID_SESSION_TIMEOUT)', async () => {
    const strict = await startEmbeddedKafka({ minSessionTimeoutMs: 5000 });
    try {
      const topic = uniqueName('strict-topic');
      strict.createTopic(topic, 1);
      const g = { topic, groupId: uniqueName('strict-group') };
      const m = await startMember(g, 'strict', strict, { sessionTimeout: 1000 });
      await waitFor(() => m.crashes.length > 0, 10_000, 'the CRASH event');
      const [crash] = m.crashes;
      expect(crash?.restart).toBe(false);
      expect(crash?.groupId).toBe(g.groupId);
      expect(originalCause(crash?.error)).toMatchObject({ type: 'INVALID_SESSION_TIMEOUT', retriable: false });
      expect(m.joins).toEqual([]);
      expect(strict.cluster.groups.groupState(g.groupId)).toBe('Dead');
      expect(strict.requests.filter((t) => t.apiKey === ApiKey.JoinGroup)).toHaveLength(1); // not retried
      await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
    } finally {
      await strict.stop();
    }
  });

  it('loses no commit while a third member joins under continuous production', async () => {
    const g = newGroup('commits');
    const one = await startMember(g, 'one');
    const two = await startMember(g, 'two');
    await waitSettled(g, [one, two]);

    // The group's state when each OffsetCommit arrived (tests run one at a time: only this group commits).
    const commitStates: string[] = [];
    removeInterceptors.push(
      broker.intercept((t) => {
        if (t.apiKey === ApiKey.OffsetCommit) {
          commitStates.push(broker.cluster.groups.groupState(g.groupId));
        }
        return 'continue';
      }),
    );

    let producing = true;
    let sent = 0;
    const production = (async (): Promise<void> => {
      while (producing) {
        await producer.send({
          topic: g.topic,
          messages: ALL.map((partition) => ({ partition, value: `live-${sent}` })),
        });
        sent++;
        await new Promise((r) => setTimeout(r, 5)); // pacing, so consumers keep up and commit in between
      }
    })();
    try {
      await waitFor(() => one.records.length + two.records.length >= 40, 10_000, 'consumption under way');
      const three = await startMember(g, 'three');
      await waitSettled(g, [one, two, three]);
      // Keep producing until the newcomer is consuming too.
      await waitFor(() => three.records.length >= 20, 10_000, 'the third member to consume');
      producing = false;
      await production;
      const members = [one, two, three];

      await waitFor(
        async () => {
          const [committed] = await admin.fetchOffsets({ groupId: g.groupId, topics: [g.topic] });
          return ALL.every((p) => {
            const hwm = broker.cluster.topics.partition(g.topic, p)?.log.highWatermark ?? -1;
            return committed?.partitions.find((c) => c.partition === p)?.offset === String(hwm);
          });
        },
        10_000,
        'committed offsets to reach the high watermarks',
      );
      expect(unconsumed(g.topic, members)).toEqual([]);
      const total = members.reduce((n, m) => n + m.records.length, 0);
      const duplicates = total - sent * PARTITIONS;
      const duringRebalance = commitStates.filter((s) => s === 'PreparingRebalance').length;
      console.log(
        `commits during rebalance: ${sent * PARTITIONS} records, ${duplicates} redelivered, ` +
          `${commitStates.length} commits of which ${duringRebalance} during PreparingRebalance`,
      );
      expect(members.flatMap((m) => m.crashes)).toEqual([]);
      // The race happened: members committed (with the old generation) while the group was rebalancing...
      expect(duringRebalance).toBeGreaterThan(0);
      // ...and a commit refused then would show up as redelivery after the rebalance.
      expect(duplicates).toBe(0);
    } finally {
      producing = false;
      await production;
    }
  });
});
