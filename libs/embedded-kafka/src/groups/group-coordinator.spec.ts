import { ErrorCode } from '../protocol/error-codes';
import { MemoryStorage } from '../storage/memory-storage';
import { GroupCoordinator } from './group-coordinator';
import type { GroupCoordinatorOptions, JoinGroupRequest, JoinGroupResult, SyncGroupRequest } from './group-types';

const G = 'g';
const RR = 'RoundRobinAssigner';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a promise is still unresolved after `ms`. */
async function stillParked(p: Promise<unknown>, ms = 20): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await sleep(ms);
  return !done;
}

function joinReq(over: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: G,
    sessionTimeoutMs: 1000,
    rebalanceTimeoutMs: 1000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: RR, metadata: Buffer.from('meta') }],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: true,
    ...over,
  };
}

function syncReq(memberId: string, generationId: number, assignments: Record<string, string> = {}): SyncGroupRequest {
  return {
    groupId: G,
    generationId,
    memberId,
    groupInstanceId: null,
    assignments: Object.entries(assignments).map(([id, a]) => ({ memberId: id, assignment: Buffer.from(a) })),
  };
}

const hb = (memberId: string, generationId: number) => ({ groupId: G, generationId, memberId, groupInstanceId: null });

const commitReq = (memberId: string, generationId: number, offset = 5, partition = 0) => ({
  groupId: G,
  generationId,
  memberId,
  topics: [{ name: 't', partitions: [{ partition, offset, metadata: 'm' }] }],
});

describe('GroupCoordinator', () => {
  let coordinators: GroupCoordinator[];
  let storage: MemoryStorage;
  let logs: string[];

  const make = (opts: Partial<GroupCoordinatorOptions> = {}, store = storage): GroupCoordinator => {
    const c = new GroupCoordinator(
      { minSessionTimeoutMs: 50, maxSessionTimeoutMs: 10_000, initialRebalanceDelayMs: 0, ...opts },
      // Topic 't' has partitions 0-2 and topic 'u' has 0; anything else is unknown.
      {
        storage: store,
        partitionExists: (t, p) => (t === 't' && p >= 0 && p < 3) || (t === 'u' && p === 0),
        log: (m) => logs.push(m),
      },
    );
    coordinators.push(c);
    return c;
  };

  /** The MEMBER_ID_REQUIRED round trip: returns the id the coordinator handed out. */
  const newMemberId = async (c: GroupCoordinator, over: Partial<JoinGroupRequest> = {}): Promise<string> => {
    const res = await c.join(joinReq(over));
    expect(res).toMatchObject({ errorCode: ErrorCode.MEMBER_ID_REQUIRED, generationId: -1, members: [] });
    return res.memberId;
  };

  /** A and B in a Stable group at generation 2, A leading. */
  const stablePair = async (
    c: GroupCoordinator,
    a: Partial<JoinGroupRequest> = {},
    b: Partial<JoinGroupRequest> = {},
  ): Promise<{ a: string; b: string }> => {
    const idA = await newMemberId(c, a);
    expect((await c.join(joinReq({ ...a, memberId: idA }))).generationId).toBe(1);
    expect((await c.sync(syncReq(idA, 1, { [idA]: 'a' }))).errorCode).toBe(ErrorCode.NONE);
    const idB = await newMemberId(c, b);
    const joinB = c.join(joinReq({ ...b, memberId: idB }));
    const [joinA] = await Promise.all([c.join(joinReq({ ...a, memberId: idA })), joinB]);
    expect(joinA.generationId).toBe(2);
    const syncB = c.sync(syncReq(idB, 2));
    await c.sync(syncReq(idA, 2, { [idA]: 'a', [idB]: 'b' }));
    await syncB;
    expect(c.groupState(G)).toBe('Stable');
    return { a: idA, b: idB };
  };

  beforeEach(() => {
    coordinators = [];
    storage = new MemoryStorage();
    logs = [];
  });

  afterEach(() => {
    for (const c of coordinators) c.close();
  });

  it('takes one member through MEMBER_ID_REQUIRED, join and sync to Stable', async () => {
    const c = make();
    const id = await newMemberId(c, { clientId: 'app' });
    expect(id).toMatch(/^app-[0-9a-f-]{36}$/);
    expect(c.groupState(G)).toBe('Empty');

    const join = await c.join(joinReq({ memberId: id, clientId: 'app' }));
    expect(join).toEqual({
      errorCode: ErrorCode.NONE,
      generationId: 1,
      protocolName: RR,
      leader: id,
      memberId: id,
      members: [{ memberId: id, groupInstanceId: null, metadata: Buffer.from('meta') }],
    });
    expect(c.groupState(G)).toBe('CompletingRebalance');

    const sync = await c.sync(syncReq(id, 1, { [id]: 'assignment' }));
    expect(sync).toEqual({ errorCode: ErrorCode.NONE, assignment: Buffer.from('assignment') });
    expect(c.groupState(G)).toBe('Stable');
    expect(c.heartbeat(hb(id, 1))).toBe(ErrorCode.NONE);
    // A retried sync in Stable gets the stored assignment.
    expect((await c.sync(syncReq(id, 1))).assignment.toString()).toBe('assignment');

    const [described] = c.describeGroups([G]);
    expect(described).toEqual({
      errorCode: ErrorCode.NONE,
      groupId: G,
      state: 'Stable',
      protocolType: 'consumer',
      protocol: RR,
      members: [
        {
          memberId: id,
          clientId: 'app',
          clientHost: '/127.0.0.1',
          metadata: Buffer.from('meta'),
          assignment: Buffer.from('assignment'),
        },
      ],
    });
  });

  it('joins directly without MEMBER_ID_REQUIRED for old JoinGroup versions', async () => {
    const c = make();
    const join = await c.join(joinReq({ requireKnownMemberId: false }));
    expect(join.errorCode).toBe(ErrorCode.NONE);
    expect(join.generationId).toBe(1);
    expect(join.leader).toBe(join.memberId);
  });

  it('rebalances when a second member joins: the first learns via heartbeat 27 and both share a generation', async () => {
    const c = make();
    const a = await newMemberId(c, { clientId: 'a' });
    await c.join(joinReq({ memberId: a }));
    await c.sync(syncReq(a, 1, { [a]: 'all' }));

    const b = await newMemberId(c, { clientId: 'b' });
    // The MEMBER_ID_REQUIRED reply alone does not disturb the group.
    expect(c.groupState(G)).toBe('Stable');
    const joinB = c.join(
      joinReq({ memberId: b, clientId: 'b', protocols: [{ name: RR, metadata: Buffer.from('mb') }] }),
    );
    expect(c.groupState(G)).toBe('PreparingRebalance');
    expect(await stillParked(joinB)).toBe(true);
    expect(c.heartbeat(hb(a, 1))).toBe(ErrorCode.REBALANCE_IN_PROGRESS);

    const joinA = await c.join(joinReq({ memberId: a, clientId: 'a' }));
    const resB = await joinB;
    expect(joinA).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leader: a, memberId: a });
    expect(joinA.members).toEqual([
      { memberId: a, groupInstanceId: null, metadata: Buffer.from('meta') },
      { memberId: b, groupInstanceId: null, metadata: Buffer.from('mb') },
    ]);
    expect(resB).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leader: a, memberId: b, members: [] });
    expect(c.groupState(G)).toBe('CompletingRebalance');

    // The follower's sync parks until the leader's sync delivers assignments.
    const syncB = c.sync(syncReq(b, 2));
    expect(await stillParked(syncB)).toBe(true);
    const syncA = await c.sync(syncReq(a, 2, { [a]: 'p0', [b]: 'p1' }));
    expect(syncA.assignment.toString()).toBe('p0');
    expect((await syncB).assignment.toString()).toBe('p1');
    expect(c.groupState(G)).toBe('Stable');
    expect(c.heartbeat(hb(b, 2))).toBe(ErrorCode.NONE);
  });

  it('gives members left out of the leader assignment an empty assignment', async () => {
    const c = make();
    const a = await newMemberId(c);
    await c.join(joinReq({ memberId: a }));
    const b = await newMemberId(c);
    const joinB = c.join(joinReq({ memberId: b }));
    await c.join(joinReq({ memberId: a }));
    await joinB;
    const syncB = c.sync(syncReq(b, 2));
    await c.sync(syncReq(a, 2, { [a]: 'everything' }));
    expect((await syncB).assignment).toEqual(Buffer.alloc(0));
  });

  it('chooses the protocol by vote among those every member supports', async () => {
    const c = make();
    const proto = (...names: string[]) => names.map((name) => ({ name, metadata: Buffer.from(name) }));
    const a = await newMemberId(c, { protocols: proto('x', 'y', 'z') });
    await c.join(joinReq({ memberId: a, protocols: proto('x', 'y', 'z') }));
    const b = await newMemberId(c, { protocols: proto('y', 'x') });
    const joinB = c.join(joinReq({ memberId: b, protocols: proto('y', 'x') }));
    const d = await newMemberId(c, { protocols: proto('y', 'x') });
    const joinD = c.join(joinReq({ memberId: d, protocols: proto('y', 'x') }));
    const joinA = await c.join(joinReq({ memberId: a, protocols: proto('x', 'y', 'z') }));
    await Promise.all([joinB, joinD]);
    // Candidates are x and y (z is a's alone): a votes x, b and d vote y.
    expect(joinA).toMatchObject({ generationId: 2, protocolName: 'y', leader: a });
    expect(joinA.members.map((m) => m.metadata.toString())).toEqual(['y', 'y', 'y']);
    // A member sharing no protocol with every member is refused.
    expect((await c.join(joinReq({ protocols: proto('z') }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('rebalances on leave; the remaining member becomes the sole member and leader', async () => {
    const c = make();
    const { a, b } = await stablePair(c);
    expect(c.leave(G, [{ memberId: a, groupInstanceId: null }])).toEqual({
      errorCode: ErrorCode.NONE,
      members: [{ memberId: a, groupInstanceId: null, errorCode: ErrorCode.NONE }],
    });
    expect(c.groupState(G)).toBe('PreparingRebalance');
    expect(c.heartbeat(hb(b, 2))).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const join = await c.join(joinReq({ memberId: b }));
    expect(join).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 3, leader: b, memberId: b });
    expect(join.members.map((m) => m.memberId)).toEqual([b]);

    // Leaving again: unknown now; the last member leaving empties the group.
    expect(c.leave(G, [{ memberId: a, groupInstanceId: null }]).members[0]?.errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    expect(c.leave(G, [{ memberId: b, groupInstanceId: null }]).members[0]?.errorCode).toBe(ErrorCode.NONE);
    expect(c.groupState(G)).toBe('Empty');
    expect(c.heartbeat(hb(b, 3))).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('answers a parked sync with 27 when a member leaves mid-CompletingRebalance', async () => {
    const c = make();
    const a = await newMemberId(c);
    await c.join(joinReq({ memberId: a }));
    const b = await newMemberId(c);
    const joinB = c.join(joinReq({ memberId: b }));
    await c.join(joinReq({ memberId: a }));
    await joinB;
    const syncB = c.sync(syncReq(b, 2));
    c.leave(G, [{ memberId: a, groupInstanceId: null }]);
    expect((await syncB).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect((await c.join(joinReq({ memberId: b }))).generationId).toBe(3);
  });

  it('expires a silent member but never one parked in join', async () => {
    const c = make();
    // a's session (60 ms) is far shorter than the time it spends parked waiting for b.
    const { a, b } = await stablePair(c, { sessionTimeoutMs: 60 }, { sessionTimeoutMs: 150 });
    const started = Date.now();
    // The leader rejoining in Stable starts a rebalance; b stays silent.
    const joinA = await c.join(joinReq({ memberId: a, sessionTimeoutMs: 60 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(joinA).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 3, leader: a });
    expect(joinA.members.map((m) => m.memberId)).toEqual([a]);
    expect(c.heartbeat(hb(b, 2))).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(logs.some((l) => l.includes(`member ${b} removed (session expired)`))).toBe(true);
    expect(logs.some((l) => l.includes(`member ${a} removed`))).toBe(false);
  });

  it('keeps a member alive by heartbeats and commits', async () => {
    const c = make();
    const id = await newMemberId(c, { sessionTimeoutMs: 150 });
    await c.join(joinReq({ memberId: id, sessionTimeoutMs: 150 }));
    await c.sync(syncReq(id, 1));
    // 300 ms alive on a 150 ms session, half of it on commits alone.
    for (let i = 0; i < 5; i++) {
      await sleep(60);
      expect(
        i % 2 === 0 ? c.heartbeat(hb(id, 1)) : c.commitOffsets(commitReq(id, 1))[0]?.partitions[0]?.errorCode,
      ).toBe(ErrorCode.NONE);
    }
    expect(c.groupState(G)).toBe('Stable');
    await sleep(250);
    expect(c.groupState(G)).toBe('Empty');
    expect(c.heartbeat(hb(id, 1))).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('evicts a member that never rejoins when the rebalance timer fires', async () => {
    const c = make();
    const { a, b } = await stablePair(c, { rebalanceTimeoutMs: 200 }, { rebalanceTimeoutMs: 200 });
    const started = Date.now();
    const newcomer = await newMemberId(c, { rebalanceTimeoutMs: 200 });
    const joinNew = c.join(joinReq({ memberId: newcomer, rebalanceTimeoutMs: 200 }));
    const joinA = c.join(joinReq({ memberId: a, rebalanceTimeoutMs: 200 }));
    // b (session 1000 ms) is alive but never rejoins.
    expect(await stillParked(joinA, 100)).toBe(true);
    const [resA, resNew] = await Promise.all([joinA, joinNew]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect(resA.generationId).toBe(3);
    expect(resNew.generationId).toBe(3);
    expect(resA.members.map((m) => m.memberId)).toEqual([a, newcomer]);
    expect(c.heartbeat(hb(b, 2))).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('evicts members that never sync when the pending-sync timer fires', async () => {
    const c = make();
    const a = await newMemberId(c, { rebalanceTimeoutMs: 150 });
    await c.join(joinReq({ memberId: a, rebalanceTimeoutMs: 150 }));
    const b = await newMemberId(c, { rebalanceTimeoutMs: 150 });
    const joinB = c.join(joinReq({ memberId: b, rebalanceTimeoutMs: 150 }));
    await c.join(joinReq({ memberId: a, rebalanceTimeoutMs: 150 }));
    await joinB;
    // The leader a never syncs; b's sync is answered with 27 once a is evicted.
    const syncB = await c.sync(syncReq(b, 2));
    expect(syncB.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoin = await c.join(joinReq({ memberId: b, rebalanceTimeoutMs: 150 }));
    expect(rejoin).toMatchObject({ generationId: 3, leader: b });
    expect(c.heartbeat(hb(a, 2))).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('evictMember removes a member and rebalances the rest', async () => {
    const c = make();
    const { a, b } = await stablePair(c);
    c.evictMember(G, b);
    expect(c.heartbeat(hb(b, 2))).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(c.heartbeat(hb(a, 2))).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect((await c.join(joinReq({ memberId: a }))).generationId).toBe(3);
  });

  it('accepts commits in PreparingRebalance and answers 27 in CompletingRebalance', async () => {
    const c = make();
    const a = await newMemberId(c);
    await c.join(joinReq({ memberId: a }));
    await c.sync(syncReq(a, 1));
    const b = await newMemberId(c);
    const joinB = c.join(joinReq({ memberId: b }));
    expect(c.groupState(G)).toBe('PreparingRebalance');
    // kafkajs commits with the old generation right after the heartbeat that says 27.
    expect(c.commitOffsets(commitReq(a, 1, 10))).toEqual([
      { name: 't', partitions: [{ partition: 0, errorCode: ErrorCode.NONE }] },
    ]);
    await c.join(joinReq({ memberId: a }));
    await joinB;
    expect(c.groupState(G)).toBe('CompletingRebalance');
    expect(c.commitOffsets(commitReq(a, 2, 11))[0]?.partitions[0]?.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const syncB = c.sync(syncReq(b, 2));
    await c.sync(syncReq(a, 2));
    await syncB;
    expect(c.commitOffsets(commitReq(b, 2, 12))[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NONE);
    expect(c.fetchOffsets(G, [{ name: 't', partitions: [0] }]).topics[0]?.partitions[0]?.offset).toBe(12);
  });

  it('validates commits: membership, generation and partitions', async () => {
    const c = make();
    // A group that never existed takes a simple commit (generation -1) but not a generation of its own.
    expect(c.commitOffsets(commitReq('', -1))[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NONE);
    expect(c.commitOffsets(commitReq('x', 3))[0]?.partitions[0]?.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);

    const { a } = await stablePair(c);
    expect(c.commitOffsets(commitReq('', -1))[0]?.partitions[0]?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(c.commitOffsets(commitReq('ghost', 2))[0]?.partitions[0]?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(c.commitOffsets(commitReq(a, 1))[0]?.partitions[0]?.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    const res = c.commitOffsets({
      groupId: G,
      generationId: 2,
      memberId: a,
      topics: [
        {
          name: 't',
          partitions: [
            { partition: 1, offset: 7, metadata: null },
            { partition: 9, offset: 1, metadata: null },
          ],
        },
        { name: 'nope', partitions: [{ partition: 0, offset: 1, metadata: null }] },
      ],
    });
    expect(res).toEqual([
      {
        name: 't',
        partitions: [
          { partition: 1, errorCode: ErrorCode.NONE },
          { partition: 9, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
        ],
      },
      { name: 'nope', partitions: [{ partition: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
    ]);
  });

  it('keeps committed offsets when the group becomes Empty; then needs simple commits', async () => {
    const c = make();
    const id = await newMemberId(c);
    await c.join(joinReq({ memberId: id }));
    await c.sync(syncReq(id, 1));
    c.commitOffsets(commitReq(id, 1, 42));
    c.leave(G, [{ memberId: id, groupInstanceId: null }]);
    expect(c.groupState(G)).toBe('Empty');
    expect(c.fetchOffsets(G, [{ name: 't', partitions: [0] }]).topics[0]?.partitions[0]?.offset).toBe(42);
    // A former member committing with its old generation must rejoin; admin setOffsets (-1) works.
    expect(c.commitOffsets(commitReq(id, 1, 43))[0]?.partitions[0]?.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(c.commitOffsets(commitReq('', -1, 44))[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NONE);
    expect(c.fetchOffsets(G, [{ name: 't', partitions: [0] }]).topics[0]?.partitions[0]?.offset).toBe(44);
  });

  it('fetchOffsets: null returns every committed partition; unknown ones read -1', () => {
    const c = make();
    const commit = (topic: string, partition: number, offset: number, metadata: string | null) =>
      c.commitOffsets({
        groupId: G,
        generationId: -1,
        memberId: '',
        topics: [{ name: topic, partitions: [{ partition, offset, metadata }] }],
      });
    commit('t', 2, 20, 'two');
    commit('u', 0, -2, null); // negative offsets (seek to earliest) are stored verbatim
    commit('t', 0, 5, null);
    commit('t', 0, 6, 'six'); // the latest commit wins
    expect(c.fetchOffsets(G, null)).toEqual({
      errorCode: ErrorCode.NONE,
      topics: [
        {
          name: 't',
          partitions: [
            { partition: 0, offset: 6, metadata: 'six', errorCode: ErrorCode.NONE },
            { partition: 2, offset: 20, metadata: 'two', errorCode: ErrorCode.NONE },
          ],
        },
        { name: 'u', partitions: [{ partition: 0, offset: -2, metadata: null, errorCode: ErrorCode.NONE }] },
      ],
    });
    expect(c.fetchOffsets(G, [{ name: 't', partitions: [1, 2] }])).toEqual({
      errorCode: ErrorCode.NONE,
      topics: [
        {
          name: 't',
          partitions: [
            { partition: 1, offset: -1, metadata: '', errorCode: ErrorCode.NONE },
            { partition: 2, offset: 20, metadata: 'two', errorCode: ErrorCode.NONE },
          ],
        },
      ],
    });
    expect(c.fetchOffsets('other', null)).toEqual({ errorCode: ErrorCode.NONE, topics: [] });

    c.deleteTopic('t');
    expect(c.fetchOffsets(G, null).topics.map((t) => t.name)).toEqual(['u']);
    expect(storage.loadCommittedOffsets().map((o) => o.topic)).toEqual(['u']);
  });

  it('persists offsets to storage and reloads them in a new coordinator', () => {
    const c = make();
    c.commitOffsets({
      groupId: G,
      generationId: -1,
      memberId: '',
      topics: [{ name: 't', partitions: [{ partition: 1, offset: 99, metadata: 'meta' }] }],
    });
    expect(storage.loadCommittedOffsets()).toEqual([
      { group: G, topic: 't', partition: 1, offset: 99, metadata: 'meta' },
    ]);
    c.close();

    const reloaded = make({}, storage);
    expect(reloaded.fetchOffsets(G, null).topics).toEqual([
      { name: 't', partitions: [{ partition: 1, offset: 99, metadata: 'meta', errorCode: ErrorCode.NONE }] },
    ]);
    expect(reloaded.listGroups()).toEqual([{ groupId: G, protocolType: '', state: 'Empty' }]);
  });

  it('answers COORDINATOR_NOT_AVAILABLE when storage refuses a commit', () => {
    const failing = new MemoryStorage();
    failing.appendCommittedOffsets = () => {
      throw new Error('disk full');
    };
    const c = make({}, failing);
    expect(c.commitOffsets(commitReq('', -1))[0]?.partitions[0]?.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(c.fetchOffsets(G, null).topics).toEqual([]);
  });

  it('describes, lists and deletes groups', async () => {
    const c = make();
    expect(c.describeGroups(['nobody'])).toEqual([
      { errorCode: ErrorCode.NONE, groupId: 'nobody', state: 'Dead', protocolType: '', protocol: '', members: [] },
    ]);
    expect(c.groupState('nobody')).toBe('Dead');
    c.commitOffsets({ ...commitReq('', -1), groupId: 'offsets-only' });

    const { a, b } = await stablePair(c);
    // Outside Stable the members are listed without protocol, metadata or assignment.
    c.evictMember(G, b);
    const [preparing] = c.describeGroups([G]);
    expect(preparing).toMatchObject({ state: 'PreparingRebalance', protocolType: 'consumer', protocol: '' });
    expect(preparing?.members).toEqual([
      {
        memberId: a,
        clientId: 'client',
        clientHost: '/127.0.0.1',
        metadata: Buffer.alloc(0),
        assignment: Buffer.alloc(0),
      },
    ]);

    expect(c.listGroups()).toEqual(
      expect.arrayContaining([
        { groupId: G, protocolType: 'consumer', state: 'PreparingRebalance' },
        { groupId: 'offsets-only', protocolType: '', state: 'Empty' },
      ]),
    );
    expect(c.listGroups()).toHaveLength(2);

    c.commitOffsets(commitReq(a, 2, 3));
    expect(c.deleteGroups([G, 'offsets-only', 'missing'])).toEqual([
      { groupId: G, errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'offsets-only', errorCode: ErrorCode.NONE },
      { groupId: 'missing', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
    c.leave(G, [{ memberId: a, groupInstanceId: null }]);
    expect(c.describeGroups([G])[0]).toMatchObject({ state: 'Empty', protocolType: 'consumer', members: [] });
    expect(c.deleteGroups([G])).toEqual([{ groupId: G, errorCode: ErrorCode.NONE }]);
    expect(c.groupState(G)).toBe('Dead');
    expect(c.listGroups()).toEqual([]);
    expect(c.fetchOffsets(G, [{ name: 't', partitions: [0] }]).topics[0]?.partitions[0]?.offset).toBe(-1);
    expect(storage.loadCommittedOffsets()).toEqual([]);
  });

  it('rejects a session timeout outside the configured range with 26', async () => {
    const c = make();
    expect((await c.join(joinReq({ sessionTimeoutMs: 49 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await c.join(joinReq({ sessionTimeoutMs: 10_001 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect(c.listGroups()).toEqual([]);
  });

  it('rejects an inconsistent protocol with 23', async () => {
    const c = make();
    expect((await c.join(joinReq({ protocols: [] }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const a = await newMemberId(c);
    await c.join(joinReq({ memberId: a }));
    const otherType = await c.join(joinReq({ protocolType: 'connect' }));
    expect(otherType.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const noShared = await c.join(joinReq({ protocols: [{ name: 'RangeAssigner', metadata: Buffer.alloc(0) }] }));
    expect(noShared.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    // The sole member may change its own protocols.
    const changed = await c.join(
      joinReq({ memberId: a, protocols: [{ name: 'RangeAssigner', metadata: Buffer.alloc(0) }] }),
    );
    expect(changed).toMatchObject({ errorCode: ErrorCode.NONE, protocolName: 'RangeAssigner' });
  });

  it('answers unknown members with 25', async () => {
    const c = make();
    expect((await c.join(joinReq({ memberId: 'ghost' }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const a = await newMemberId(c);
    await c.join(joinReq({ memberId: a }));
    expect((await c.join(joinReq({ memberId: 'ghost' }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await c.sync(syncReq('ghost', 1))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(c.heartbeat(hb('ghost', 1))).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(c.heartbeat({ ...hb(a, 1), groupId: 'other' })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(c.leave('other', [{ memberId: a, groupInstanceId: null }]).members[0]?.errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
  });

  it('answers a wrong generation with 22', async () => {
    const c = make();
    const a = await newMemberId(c);
    await c.join(joinReq({ memberId: a }));
    expect((await c.sync(syncReq(a, 7))).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    await c.sync(syncReq(a, 1));
    expect(c.heartbeat(hb(a, 0))).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await c.sync(syncReq(a, 2))).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
  });

  it('answers a sync during PreparingRebalance with 27', async () => {
    const c = make();
    const { b } = await stablePair(c);
    const newcomer = await newMemberId(c);
    void c.join(joinReq({ memberId: newcomer }));
    expect((await c.sync(syncReq(b, 2))).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('answers an unchanged follower rejoin in Stable at once, without a rebalance', async () => {
    const c = make();
    const { a, b } = await stablePair(c);
    const res = await c.join(joinReq({ memberId: b }));
    expect(res).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leader: a, members: [] });
    expect(c.groupState(G)).toBe('Stable');
  });

  it('forgets a pending member id after its session timeout', async () => {
    const c = make();
    const id = await newMemberId(c, { sessionTimeoutMs: 60 });
    await sleep(100);
    expect((await c.join(joinReq({ memberId: id, sessionTimeoutMs: 60 }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // Nothing but an abandoned MEMBER_ID_REQUIRED round trip: no group to list.
    expect(c.listGroups()).toEqual([]);
  });

  it('delays the first generation of an Empty group by initialRebalanceDelayMs', async () => {
    const c = make({ initialRebalanceDelayMs: 150 });
    const started = Date.now();
    const a = await newMemberId(c);
    const joinA = c.join(joinReq({ memberId: a }));
    await sleep(50);
    const b = await newMemberId(c);
    const joinB = c.join(joinReq({ memberId: b }));
    const [resA, resB] = await Promise.all([joinA, joinB]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(resA.generationId).toBe(1);
    expect(resB.generationId).toBe(1);
    expect(resA.members).toHaveLength(2);
  });

  it('close answers parked requests with COORDINATOR_NOT_AVAILABLE', async () => {
    const c = make();
    const { a } = await stablePair(c);
    const newcomer = await newMemberId(c);
    const parked: Promise<JoinGroupResult> = c.join(joinReq({ memberId: newcomer }));
    c.close();
    expect((await parked).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(c.heartbeat(hb(a, 2))).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect((await c.join(joinReq())).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });
});
