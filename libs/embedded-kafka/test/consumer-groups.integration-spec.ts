// Consumer groups through unmodified kafkajs 2.2.4, members in separate processes (reference doc 4.3 item 8):
// a second member joins, a member leaves gracefully, a member is SIGKILLed, a member dies mid-rebalance, and
// three members shrink to one with leader handover. The parent hosts the broker and checks the broker's view
// (DescribeGroups assignments) against what each member reports.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { AssignerProtocol, type Admin, type Consumer, type Producer } from 'kafkajs';
import { ApiKey, startEmbeddedKafka, type EmbeddedKafka } from '../src';
import type { MemberArgs, MemberCommand, MemberReport, MemberTimings } from './group-member-process';
import { fastConsumer, fastKafka, uniqueName, waitFor, unconsumedOffsets } from './kafkajs-fixtures';

const MEMBER_SCRIPT = join(__dirname, 'group-member-process.ts');
const PARTITIONS = 4;
const ALL = [0, 1, 2, 3];
const FAST: MemberTimings = {
  sessionTimeout: 3000,
  rebalanceTimeout: 3000,
  heartbeatInterval: 100,
  maxWaitTimeInMs: 100,
};
/** A forked member needs tsx and kafkajs to load first; on a busy 2-core machine that can take a while. */
const START_MS = 20_000;

type JoinReport = Extract<MemberReport, { kind: 'join' }>;
type RecordReport = Extract<MemberReport, { kind: 'record' }>;

/** A group member in its own process (group-member-process.ts), as the parent sees it. */
class MemberProcess {
  public readonly joins: JoinReport[] = [];
  public readonly records: RecordReport[] = [];
  public readonly crashes: string[] = [];
  public startingAt = 0;
  public leftAt = 0;
  public exitCode: number | null | undefined;
  public readonly exited: Promise<void>;

  public constructor(
    public readonly clientId: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (m: MemberReport) => {
      switch (m.kind) {
        case 'starting':
          this.startingAt = m.at;
          break;
        case 'join':
          this.joins.push(m);
          break;
        case 'record':
          this.records.push(m);
          break;
        case 'crash':
          this.crashes.push(`${m.error} (restart: ${String(m.restart)})`);
          break;
        case 'left':
          this.leftAt = m.at;
          break;
      }
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.exitCode = code;
        resolve();
      }),
    );
  }

  public get lastJoin(): JoinReport | undefined {
    return this.joins[this.joins.length - 1];
  }

  public get memberId(): string {
    return this.lastJoin?.memberId ?? '';
  }

  public get partitions(): number[] {
    return this.lastJoin?.partitions ?? [];
  }

  public get alive(): boolean {
    return this.exitCode === undefined;
  }

  /** The first join reported at or after `t` (member clock = parent clock: same host). */
  public joinSince(t: number): JoinReport | undefined {
    return this.joins.find((j) => j.at >= t);
  }

  public leave(): void {
    const cmd: MemberCommand = 'leave';
    this.child.send(cmd);
  }

  public kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }
}

describe('consumer groups with members in separate processes', () => {
  let broker: EmbeddedKafka;
  let admin: Admin;
  let producer: Producer;
  const logs: string[] = [];
  const members = new Set<MemberProcess>();
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
    // Kill every child even when the test failed; wait for the exits so none outlives the file.
    const all = [...members];
    members.clear();
    for (const m of all) m.kill();
    await Promise.all(all.map((m) => m.exited));
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
  });

  afterAll(async () => {
    await Promise.all([admin?.disconnect(), producer?.disconnect()]);
    await broker?.stop();
  });

  function newGroup(prefix: string): { topic: string; groupId: string } {
    const topic = uniqueName(`${prefix}-topic`);
    broker.createTopic(topic, PARTITIONS);
    return { topic, groupId: uniqueName(`${prefix}-group`) };
  }

  function spawnMember(
    name: string,
    g: { topic: string; groupId: string },
    timings: MemberTimings = FAST,
  ): MemberProcess {
    const args: MemberArgs = {
      brokers: broker.bootstrapServers,
      topic: g.topic,
      groupId: g.groupId,
      clientId: uniqueName(`member-${name}`),
      timings,
    };
    const child = fork(MEMBER_SCRIPT, [JSON.stringify(args)], {
      // tsx's CommonJS hook alone: about half the start-up of `--import tsx` (no ESM loader thread).
      execArgv: ['--require', 'tsx/cjs'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const m = new MemberProcess(args.clientId, child);
    members.add(m);
    return m;
  }

  /** The broker's assignment of each member of a Stable group (empty map otherwise), decoded. */
  function brokerAssignments(groupId: string, topic: string): Map<string, number[]> {
    const out = new Map<string, number[]>();
    const [g] = broker.cluster.groups.describeGroups([groupId]);
    if (g?.state !== 'Stable') return out;
    for (const m of g.members) {
      const decoded = AssignerProtocol.MemberAssignment.decode(m.assignment);
      out.set(
        m.memberId,
        [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b),
      );
    }
    return out;
  }

  /**
   * Waits until the group is Stable with exactly `expected` as members and each member's latest reported
   * assignment is the one the broker holds for it. Overlap or gaps are asserted by the caller, not waited out.
   */
  async function waitSettled(
    g: { topic: string; groupId: string },
    expected: MemberProcess[],
    timeoutMs = START_MS,
  ): Promise<void> {
    await waitFor(
      () => {
        for (const m of expected) if (m.crashes.length > 0) throw new Error(`${m.clientId}: ${m.crashes.join('; ')}`);
        const held = brokerAssignments(g.groupId, g.topic);
        return (
          held.size === expected.length &&
          expected.every((m) => {
            const partitions = held.get(m.memberId);
            return partitions !== undefined && partitions.join() === m.partitions.join();
          })
        );
      },
      timeoutMs,
      `group ${g.groupId} to settle on ${expected.map((m) => m.clientId).join(', ')}`,
    );
  }

  function expectPartitionedExactly(owners: MemberProcess[]): void {
    const owned = owners.flatMap((m) => m.partitions);
    expect([...owned].sort((a, b) => a - b)).toEqual(ALL); // complete union, and no partition twice
    for (const m of owners) expect(m.partitions.length).toBeGreaterThan(0);
  }

  async function produce(topic: string, perPartition: number, tag: string): Promise<void> {
    const messages = ALL.flatMap((partition) =>
      Array.from({ length: perPartition }, (_, i) => ({ partition, value: `${tag}-${partition}-${i}` })),
    );
    await producer.send({ topic, messages });
  }

  function unconsumed(topic: string, by: MemberProcess[]): string[] {
    return unconsumedOffsets(
      broker,
      topic,
      ALL,
      by.flatMap((m) => m.records),
    );
  }

  /** The latest "generation N ... leader L" the coordinator logged for a group. */
  function loggedGeneration(groupId: string): { generation: number; leader: string } {
    const re = new RegExp(`^group ${groupId}: generation (\\d+), protocol \\S+, leader (\\S+)$`);
    for (let i = logs.length - 1; i >= 0; i--) {
      const m = re.exec(logs[i] ?? '');
      if (m) return { generation: Number(m[1]), leader: m[2] ?? '' };
    }
    return { generation: -1, leader: '' };
  }

  it('(a) splits the partitions between a second member and the first, with no overlap', async () => {
    const g = newGroup('join');
    const a = spawnMember('a', g);
    await waitSettled(g, [a]);
    expect(a.partitions).toEqual(ALL);
    const b = spawnMember('b', g);
    await waitSettled(g, [a, b]);
    expectPartitionedExactly([a, b]);

    // Both joins of the new generation, timed from b's run() (b's process start-up excluded).
    const bothJoinedMs = Math.max(a.lastJoin?.at ?? 0, b.lastJoin?.at ?? 0) - b.startingAt;
    console.log(`(a) second member: both members joined ${bothJoinedMs} ms after the second called run()`);
    expect(a.joins).toHaveLength(2);
    // A rebalance that waited for a's rebalance timeout (3 s) instead of its next heartbeat would show here.
    expect(bothJoinedMs).toBeLessThan(FAST.rebalanceTimeout - 1000);

    // Records go to the owner of their partition only.
    await produce(g.topic, 2, 'split');
    await waitFor(() => unconsumed(g.topic, [a, b]).length === 0, 10_000, 'every record');
    for (const m of [a, b]) for (const r of m.records) expect(m.partitions).toContain(r.partition);
    expect(a.records.length + b.records.length).toBe(2 * PARTITIONS);
  });

  it('(b) hands every partition to the survivor soon after a graceful leave (LeaveGroup)', async () => {
    const g = newGroup('leave');
    const [a, b] = [spawnMember('a', g), spawnMember('b', g)];
    await waitSettled(g, [a, b]);
    expectPartitionedExactly([a, b]);

    const t0 = Date.now();
    b.leave();
    await b.exited;
    expect(b.exitCode).toBe(0);
    expect(b.leftAt).toBeGreaterThan(0);
    await waitSettled(g, [a], 10_000);
    const takeover = a.joinSince(t0);
    expect(takeover?.partitions).toEqual(ALL);
    const failoverMs = (takeover?.at ?? Infinity) - t0;
    console.log(`(b) graceful leave: survivor owned all partitions ${failoverMs} ms after the leave command`);
    expect(broker.requests.some((t) => t.apiKey === ApiKey.LeaveGroup && t.clientId === b.clientId)).toBe(true);
    // maxWait + heartbeat + margin (b's disconnect waits for its in-flight fetch), far below the 3 s session.
    expect(failoverMs).toBeLessThan(FAST.maxWaitTimeInMs + FAST.heartbeatInterval + 1000);
  });

  it('(c) fails over after the session timeout when a member is SIGKILLed, losing no record', async () => {
    const timings = { ...FAST, sessionTimeout: 1500 };
    const g = newGroup('kill');
    const [a, b] = [spawnMember('a', g, timings), spawnMember('b', g, timings)];
    await waitSettled(g, [a, b]);
    expectPartitionedExactly([a, b]);
    await produce(g.topic, 5, 'before');
    await waitFor(() => unconsumed(g.topic, [a, b]).length === 0, 10_000, 'records produced before the kill');
    expect(b.records.length).toBeGreaterThan(0);
    const bId = b.memberId;

    const killedAt = Date.now();
    b.kill();
    await produce(g.topic, 5, 'after');
    await waitFor(() => a.joinSince(killedAt)?.partitions.length === PARTITIONS, 10_000, 'the survivor to own all');
    const failoverMs = (a.joinSince(killedAt)?.at ?? Infinity) - killedAt;
    console.log(`(c) SIGKILL: survivor owned all partitions ${failoverMs} ms after the kill (session 1500 ms)`);
    // Only the session timeout removes the dead member (a closed connection does not). Its last heartbeat came
    // about maxWait + heartbeat before the kill, or more on a loaded machine: a loose lower bound.
    expect(failoverMs).toBeGreaterThan(timings.sessionTimeout / 2);
    expect(failoverMs).toBeLessThan(timings.sessionTimeout + 1000);
    expect(logs).toContain(`group ${g.groupId}: member ${bId} removed (session expired)`);

    // At least once: the union of both members' records covers every offset produced before and after.
    await waitFor(() => unconsumed(g.topic, [a, b]).length === 0, 10_000, 'every record after the failover');
    expect(unconsumed(g.topic, [a, b])).toEqual([]);
    expect(a.crashes).toEqual([]);
  });

  it('(d) completes a rebalance after the rebalance timeout when a member dies during PreparingRebalance', async () => {
    // A rebalance timeout below the session timeout, so the rebalance timer (not the dead member's session
    // expiry) must be what ends the rebalance.
    const timings = { ...FAST, sessionTimeout: 3000, rebalanceTimeout: 2000 };
    const g = newGroup('midrebalance');
    const [a, b] = [spawnMember('a', g, timings), spawnMember('b', g, timings)];
    await waitSettled(g, [a, b]);
    const bId = b.memberId;

    // Kill b the moment c's first JoinGroup reaches the broker: b cannot have rejoined the coming rebalance.
    let killedAt = 0;
    let cClientId = '';
    removeInterceptors.push(
      broker.intercept((t) => {
        if (killedAt === 0 && t.apiKey === ApiKey.JoinGroup && t.clientId === cClientId) {
          killedAt = Date.now();
          b.kill();
        }
        return 'continue';
      }),
    );
    const c = spawnMember('c', g, timings);
    cClientId = c.clientId;
    await waitFor(() => killedAt > 0, START_MS, "c's JoinGroup");
    await waitFor(
      () => broker.cluster.groups.groupState(g.groupId) === 'PreparingRebalance',
      5000,
      'the rebalance c triggers',
    );
    await waitSettled(g, [a, c], 10_000);
    expectPartitionedExactly([a, c]);
    const completedMs = Math.max(a.lastJoin?.at ?? Infinity, c.lastJoin?.at ?? Infinity) - killedAt;
    console.log(`(d) death mid-rebalance: survivors joined ${completedMs} ms after the kill (rebalance 2000 ms)`);
    expect(logs).toContain(`group ${g.groupId}: member ${bId} removed (did not rejoin in time)`);
    expect(completedMs).toBeGreaterThan(timings.rebalanceTimeout - 300);
    expect(completedMs).toBeLessThan(timings.sessionTimeout);
    expect([...a.crashes, ...c.crashes]).toEqual([]);
  });

  it('(e) shrinks from three members to one: the generation increases and leadership is handed over', async () => {
    const g = newGroup('shrink');
    let remaining = [spawnMember('a', g), spawnMember('b', g), spawnMember('c', g)];
    await waitSettled(g, remaining);
    expectPartitionedExactly(remaining);
    let current = loggedGeneration(g.groupId);
    const generations = [current.generation];

    // The leader leaves each time, so the lead must be handed over twice, the last time to the last member.
    while (remaining.length > 1) {
      const leader = remaining.find((m) => m.memberId === current.leader);
      if (!leader) throw new Error(`leader ${current.leader} is none of the remaining members`);
      expect(leader.lastJoin?.isLeader).toBe(true);
      for (const m of remaining) {
        if (m === leader) continue;
        expect(m.lastJoin?.isLeader).toBe(false);
        expect(m.lastJoin?.leaderId).toBe(leader.memberId);
      }
      leader.leave();
      await leader.exited;
      expect(leader.exitCode).toBe(0);
      remaining = remaining.filter((m) => m !== leader);
      await waitSettled(g, remaining, 10_000);
      expectPartitionedExactly(remaining);
      const next = loggedGeneration(g.groupId);
      expect(next.generation).toBeGreaterThan(current.generation);
      expect(next.leader).not.toBe(current.leader);
      current = next;
      generations.push(current.generation);
    }

    const [last] = remaining;
    expect(last?.memberId).toBe(current.leader);
    expect(last?.lastJoin?.isLeader).toBe(true);
    expect(last?.partitions).toEqual(ALL);
    const [described] = (await admin.describeGroups([g.groupId])).groups;
    expect(described?.state).toBe('Stable');
    expect(described?.members.map((m) => m.memberId)).toEqual([last?.memberId]);
    const decoded = AssignerProtocol.MemberAssignment.decode(
      described?.members[0]?.memberAssignment ?? Buffer.alloc(0),
    );
    expect(decoded?.assignment[g.topic]).toEqual(ALL);
    console.log(`(e) three members to one: generations ${generations.join(' → ')}`);
  });

  it('reports in admin.describeGroups the assignments in-process kafkajs consumers received', async () => {
    const g = newGroup('describe');
    const joins = new Map<string, Record<string, number[]>>();
    const joinCounts: number[] = [];
    for (let i = 0; i < 2; i++) {
      // One Kafka instance per member: consumers of one instance share a committed-offsets cache.
      const consumer = fastConsumer(fastKafka(broker.bootstrapServers, { clientId: `describe-${i}` }), g.groupId);
      consumers.push(consumer);
      joinCounts.push(0);
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        joins.set(payload.memberId, payload.memberAssignment);
        joinCounts[i] = (joinCounts[i] ?? 0) + 1;
      });
      await consumer.connect();
      await consumer.subscribe({ topic: g.topic, fromBeginning: true });
      await consumer.run({ eachMessage: async () => undefined });
    }
    // The first consumer joins twice (alone, then with the second), the second once.
    await waitFor(
      () =>
        (joinCounts[0] ?? 0) >= 2 &&
        (joinCounts[1] ?? 0) >= 1 &&
        broker.cluster.groups.groupState(g.groupId) === 'Stable',
      10_000,
      'both consumers to join',
    );

    const [described] = (await admin.describeGroups([g.groupId])).groups;
    expect(described?.state).toBe('Stable');
    expect(described?.protocol).toBe('RoundRobinAssigner');
    expect(described?.members).toHaveLength(2);
    const fromBroker = new Map(
      (described?.members ?? []).map((m) => [
        m.memberId,
        AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {},
      ]),
    );
    for (const [memberId, assignment] of fromBroker) expect(joins.get(memberId)).toEqual(assignment);
    const owned = [...fromBroker.values()].flatMap((a) => a[g.topic] ?? []);
    expect(owned.sort((x, y) => x - y)).toEqual(ALL);
  });
});
