// The classic consumer-group coordinator as a pure state machine over typed requests (reference doc, section 3):
// JoinGroup/SyncGroup/Heartbeat/LeaveGroup, committed offsets and the group admin APIs. One event loop owns
// it, so every call is atomic. Join and Sync may park: their promises resolve when the rebalance moves on.
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/error-codes';
import type { CommittedOffset, Storage } from '../storage/storage';
import { CommittedOffsets } from './committed-offsets';
import { EMPTY_BYTES, Group, type GroupProtocol, Member } from './group';
import type {
  DescribedGroup,
  GroupCoordinatorOptions,
  GroupState,
  HeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResult,
  LeaveGroupResult,
  OffsetCommitRequest,
  OffsetCommitResult,
  OffsetFetchResult,
  SyncGroupRequest,
  SyncGroupResult,
} from './group-types';

export interface GroupCoordinatorDeps {
  storage: Storage;
  partitionExists: (topic: string, partition: number) => boolean;
  log?: (msg: string) => void;
}

// setTimeout fires at once for delays above 2^31-1 ms; client timeouts are int32 but clamp anyway.
const MAX_TIMER_MS = 2_147_483_647;

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly offsets: CommittedOffsets;
  private readonly log: (msg: string) => void;
  private closed = false;

  public constructor(
    private readonly opts: GroupCoordinatorOptions,
    private readonly deps: GroupCoordinatorDeps,
  ) {
    this.offsets = new CommittedOffsets(deps.storage);
    this.log = deps.log ?? (() => undefined);
  }

  // ---- membership ----

  public join(req: JoinGroupRequest): Promise<JoinGroupResult> {
    const fail = (code: number, memberId = req.memberId): Promise<JoinGroupResult> =>
      Promise.resolve(joinError(memberId, code));
    if (this.closed) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (req.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
    const session = req.sessionTimeoutMs;
    if (
      !Number.isInteger(session) ||
      session < this.opts.minSessionTimeoutMs ||
      session > this.opts.maxSessionTimeoutMs
    ) {
      return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    if (req.protocolType === '' || req.protocols.length === 0) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const existing = this.groups.get(req.groupId);
    if (existing && !existing.accepts(req.protocolType, req.protocols, req.memberId)) {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }

    if (req.memberId === '') {
      const g = existing ?? this.createGroup(req.groupId);
      const memberId = `${req.clientId}-${randomUUID()}`;
      if (req.requireKnownMemberId) {
        // KIP-394: hand out the id and wait for the client to come back with it; no rebalance yet.
        g.pending.set(
          memberId,
          this.timer(session, () => this.onPendingExpired(g, memberId)),
        );
        return fail(ErrorCode.MEMBER_ID_REQUIRED, memberId);
      }
      return this.admit(g, memberId, req);
    }
    if (!existing) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    const pendingTimer = existing.pending.get(req.memberId);
    if (pendingTimer !== undefined) {
      clearTimeout(pendingTimer);
      existing.pending.delete(req.memberId);
      return this.admit(existing, req.memberId, req);
    }
    const member = existing.members.get(req.memberId);
    if (!member) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    return this.rejoin(existing, member, req);
  }

  public sync(req: SyncGroupRequest): Promise<SyncGroupResult> {
    const fail = (code: number): Promise<SyncGroupResult> =>
      Promise.resolve({ errorCode: code, assignment: EMPTY_BYTES });
    if (this.closed) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const g = this.groups.get(req.groupId);
    const m = g?.members.get(req.memberId);
    if (!g || !m) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req.generationId !== g.generation) return fail(ErrorCode.ILLEGAL_GENERATION);
    switch (g.state) {
      case 'Empty':
      case 'Dead':
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      case 'PreparingRebalance':
        return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        this.armSession(g, m);
        return Promise.resolve({ errorCode: ErrorCode.NONE, assignment: m.assignment });
      case 'CompletingRebalance':
        return new Promise((resolve) => {
          m.syncWaiter?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY_BYTES }); // superseded
          m.syncWaiter = resolve;
          g.pendingSync.delete(m.id);
          if (m.id === g.leader) this.completeSync(g, req.assignments);
        });
    }
  }

  public heartbeat(req: HeartbeatRequest): number {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const g = this.groups.get(req.groupId);
    const m = g?.members.get(req.memberId);
    if (!g || !m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    switch (g.state) {
      case 'Empty':
      case 'Dead':
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case 'PreparingRebalance':
        // Still alive: it learns of the rebalance from this 27 and rejoins.
        this.armSession(g, m);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      case 'CompletingRebalance':
      case 'Stable':
        this.armSession(g, m);
        return ErrorCode.NONE;
    }
  }

  public leave(groupId: string, members: { memberId: string; groupInstanceId: string | null }[]): LeaveGroupResult {
    if (this.closed) {
      const code = ErrorCode.COORDINATOR_NOT_AVAILABLE;
      return { errorCode: code, members: members.map((m) => ({ ...m, errorCode: code })) };
    }
    const g = this.groups.get(groupId);
    let removed = false;
    const results = members.map(({ memberId, groupInstanceId }) => {
      const errorCode = ((): number => {
        if (!g) return ErrorCode.UNKNOWN_MEMBER_ID;
        if (this.dropPending(g, memberId)) return ErrorCode.NONE;
        const m = g.members.get(memberId);
        if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
        this.removeMember(g, m, 'left the group');
        removed = true;
        return ErrorCode.NONE;
      })();
      return { memberId, groupInstanceId, errorCode };
    });
    if (g && removed) this.rebalance(g, 'a member left');
    if (g) this.pruneIfUnused(g);
    return { errorCode: ErrorCode.NONE, members: results };
  }

  // ---- offsets ----

  public commitOffsets(req: OffsetCommitRequest): OffsetCommitResult[] {
    const groupError = this.commitError(req);
    const accepted: { commit: CommittedOffset; result: { partition: number; errorCode: number } }[] = [];
    const results = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const result = { partition: p.partition, errorCode: groupError };
        if (groupError !== ErrorCode.NONE) return result;
        if (!this.deps.partitionExists(t.name, p.partition)) {
          result.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          return result;
        }
        const commit = {
          group: req.groupId,
          topic: t.name,
          partition: p.partition,
          offset: p.offset,
          metadata: p.metadata,
        };
        accepted.push({ commit, result });
        return result;
      }),
    }));
    try {
      this.offsets.commit(accepted.map((a) => a.commit));
    } catch (e) {
      // Kafka answers a failed __consumer_offsets append with COORDINATOR_NOT_AVAILABLE: retriable for clients.
      this.log(`group ${req.groupId}: storing committed offsets failed: ${String(e)}`);
      for (const a of accepted) a.result.errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    return results;
  }

  public fetchOffsets(groupId: string, topics: { name: string; partitions: number[] }[] | null): OffsetFetchResult {
    if (topics === null) {
      const byTopic = new Map<string, OffsetFetchResult['topics'][number]>();
      for (const c of this.offsets.list(groupId)) {
        let t = byTopic.get(c.topic);
        if (!t) byTopic.set(c.topic, (t = { name: c.topic, partitions: [] }));
        t.partitions.push({
          partition: c.partition,
          offset: c.offset,
          metadata: c.metadata,
          errorCode: ErrorCode.NONE,
        });
      }
      return { errorCode: ErrorCode.NONE, topics: [...byTopic.values()] };
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((partition) => {
          const c = this.offsets.get(groupId, t.name, partition);
          return c
            ? { partition, offset: c.offset, metadata: c.metadata, errorCode: ErrorCode.NONE }
            : { partition, offset: -1, metadata: '', errorCode: ErrorCode.NONE };
        }),
      })),
    };
  }

  // ---- admin ----

  public describeGroups(groupIds: string[]): DescribedGroup[] {
    return groupIds.map((groupId) => {
      const g = this.groups.get(groupId);
      if (!g) {
        const state = this.offsets.hasGroup(groupId) ? 'Empty' : 'Dead';
        return { errorCode: ErrorCode.NONE, groupId, state, protocolType: '', protocol: '', members: [] };
      }
      // Protocol, metadata and assignment mean something only once the generation is synced.
      const stable = g.state === 'Stable';
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        state: g.state,
        protocolType: g.protocolType,
        protocol: stable ? g.protocol : '',
        members: [...g.members.values()].map((m) => ({
          memberId: m.id,
          clientId: m.clientId,
          clientHost: m.clientHost,
          metadata: stable ? m.metadataFor(g.protocol) : EMPTY_BYTES,
          assignment: stable ? m.assignment : EMPTY_BYTES,
        })),
      };
    });
  }

  public listGroups(): { groupId: string; protocolType: string; state: GroupState }[] {
    const out = [...this.groups.values()].map((g) => ({ groupId: g.id, protocolType: g.protocolType, state: g.state }));
    for (const groupId of this.offsets.groupIds()) {
      if (!this.groups.has(groupId)) out.push({ groupId, protocolType: '', state: 'Empty' });
    }
    return out;
  }

  public deleteGroups(groupIds: string[]): { groupId: string; errorCode: number }[] {
    return groupIds.map((groupId) => {
      const g = this.groups.get(groupId);
      if (g && g.members.size > 0) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
      if (!g && !this.offsets.hasGroup(groupId)) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
      if (g) this.forgetGroup(g);
      try {
        this.offsets.deleteGroup(groupId);
      } catch (e) {
        this.log(`group ${groupId}: deleting committed offsets failed: ${String(e)}`);
        return { groupId, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
      }
      this.log(`group ${groupId}: deleted`);
      return { groupId, errorCode: ErrorCode.NONE };
    });
  }

  public deleteTopic(topic: string): void {
    this.offsets.deleteTopic(topic);
  }

  // ---- test and control hooks ----

  /** Removes a member as if its session expired, and rebalances the group. */
  public evictMember(groupId: string, memberId: string): void {
    const g = this.groups.get(groupId);
    if (!g || this.dropPending(g, memberId)) return;
    const m = g.members.get(memberId);
    if (!m) return;
    this.removeMember(g, m, 'evicted');
    this.rebalance(g, `member ${memberId} evicted`);
  }

  public groupState(groupId: string): GroupState {
    return this.groups.get(groupId)?.state ?? (this.offsets.hasGroup(groupId) ? 'Empty' : 'Dead');
  }

  /** Stops every timer and answers parked Join/Sync requests with COORDINATOR_NOT_AVAILABLE. */
  public close(): void {
    this.closed = true;
    for (const g of this.groups.values()) {
      this.stopGroupTimers(g);
      for (const m of g.members.values()) {
        clearTimeout(m.sessionTimer);
        this.answerParked(m, ErrorCode.COORDINATOR_NOT_AVAILABLE);
      }
    }
  }

  // ---- transitions ----

  /** A new member (fresh id, or one coming back after MEMBER_ID_REQUIRED) joins and triggers a rebalance. */
  private admit(g: Group, memberId: string, req: JoinGroupRequest): Promise<JoinGroupResult> {
    const m = new Member(
      memberId,
      req.groupInstanceId,
      req.clientId,
      req.clientHost,
      req.sessionTimeoutMs,
      rebalanceTimeout(req),
      copyProtocols(req.protocols),
    );
    if (g.members.size === 0) g.protocolType = req.protocolType;
    g.members.set(memberId, m);
    this.log(`group ${g.id}: member ${memberId} joined`);
    return this.parkJoin(m, () => this.rebalance(g, `member ${memberId} joined`));
  }

  private rejoin(g: Group, m: Member, req: JoinGroupRequest): Promise<JoinGroupResult> {
    switch (g.state) {
      case 'Empty':
      case 'Dead':
        return Promise.resolve(joinError(m.id, ErrorCode.UNKNOWN_MEMBER_ID));
      case 'PreparingRebalance':
        this.updateMember(g, m, req);
        return this.parkJoin(m, () => this.maybeCompleteJoin(g));
      case 'CompletingRebalance':
        // A retried join (e.g. after a lost response): answer with the current generation.
        if (m.sameProtocols(req.protocols)) return Promise.resolve(this.joinResponse(g, m));
        break;
      case 'Stable':
        // A follower rejoining unchanged (kafkajs recoverFromFetch) needs no rebalance; the leader does, so it
        // can reassign (e.g. after a metadata change only it can see).
        if (m.id !== g.leader && m.sameProtocols(req.protocols)) return Promise.resolve(this.joinResponse(g, m));
        break;
    }
    this.updateMember(g, m, req);
    return this.parkJoin(m, () => this.rebalance(g, `member ${m.id} rejoined`));
  }

  private updateMember(g: Group, m: Member, req: JoinGroupRequest): void {
    m.protocols = copyProtocols(req.protocols);
    m.sessionTimeoutMs = req.sessionTimeoutMs;
    m.rebalanceTimeoutMs = rebalanceTimeout(req);
    m.clientId = req.clientId;
    m.clientHost = req.clientHost;
    if (g.members.size === 1) g.protocolType = req.protocolType;
  }

  private parkJoin(m: Member, then: () => void): Promise<JoinGroupResult> {
    return new Promise((resolve) => {
      m.joinWaiter?.(joinError(m.id, ErrorCode.REBALANCE_IN_PROGRESS)); // superseded by this request
      m.joinWaiter = resolve;
      then();
    });
  }

  /** Enters PreparingRebalance: members must rejoin; stragglers are evicted when the rebalance timer fires. */
  private rebalance(g: Group, reason: string): void {
    if (g.state === 'CompletingRebalance') {
      for (const m of g.members.values()) {
        const w = m.syncWaiter;
        m.syncWaiter = undefined;
        if (w) {
          w({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY_BYTES });
          this.armSession(g, m);
        }
      }
    }
    for (const m of g.members.values()) m.assignment = EMPTY_BYTES;
    const wasEmpty = g.state === 'Empty';
    if (g.state !== 'PreparingRebalance') this.log(`group ${g.id}: preparing rebalance (${reason})`);
    g.state = 'PreparingRebalance';
    clearTimeout(g.pendingSyncTimer);
    g.pendingSyncTimer = undefined;
    g.pendingSync.clear();
    if (wasEmpty && this.opts.initialRebalanceDelayMs > 0 && g.members.size > 0) {
      // group.initial.rebalance.delay.ms: let more of the first members arrive before the first generation.
      g.initialDelayTimer = this.timer(this.opts.initialRebalanceDelayMs, () => {
        g.initialDelayTimer = undefined;
        if (g.state === 'PreparingRebalance') this.completeJoin(g);
      });
      return;
    }
    this.maybeCompleteJoin(g);
  }

  private maybeCompleteJoin(g: Group): void {
    if (g.state !== 'PreparingRebalance') return;
    if (g.members.size === 0 || (g.initialDelayTimer === undefined && g.allJoined())) {
      this.completeJoin(g);
      return;
    }
    // Armed once per rebalance (as Kafka's DelayedJoin): more joins or leaves do not push the deadline back.
    if (g.initialDelayTimer === undefined && g.rebalanceTimer === undefined) {
      g.rebalanceTimer = this.timer(g.maxRebalanceTimeoutMs(), () => {
        g.rebalanceTimer = undefined;
        if (g.state === 'PreparingRebalance') this.completeJoin(g);
      });
    }
  }

  private completeJoin(g: Group): void {
    clearTimeout(g.rebalanceTimer);
    clearTimeout(g.initialDelayTimer);
    g.rebalanceTimer = g.initialDelayTimer = undefined;
    for (const m of [...g.members.values()]) if (!m.joinWaiter) this.removeMember(g, m, 'did not rejoin in time');
    g.generation++;
    if (g.members.size === 0) {
      g.state = 'Empty';
      g.protocol = '';
      g.leader = '';
      this.log(`group ${g.id}: empty at generation ${g.generation}`);
      this.pruneIfUnused(g);
      return;
    }
    g.protocol = g.selectProtocol();
    if (!g.members.has(g.leader)) g.leader = [...g.members.keys()][0] ?? '';
    g.state = 'CompletingRebalance';
    for (const id of g.members.keys()) g.pendingSync.add(id);
    g.pendingSyncTimer = this.timer(g.maxRebalanceTimeoutMs(), () => this.onPendingSyncExpired(g));
    this.log(`group ${g.id}: generation ${g.generation}, protocol ${g.protocol}, leader ${g.leader}`);
    for (const m of g.members.values()) {
      const w = m.joinWaiter;
      m.joinWaiter = undefined;
      if (w) w(this.joinResponse(g, m));
    }
  }

  private completeSync(g: Group, assignments: readonly { memberId: string; assignment: Buffer }[]): void {
    const byId = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    // Assigners may omit members that get nothing (kafkajs round robin does): they get an empty assignment.
    for (const m of g.members.values()) m.assignment = byId.get(m.id) ?? EMPTY_BYTES;
    g.state = 'Stable';
    clearTimeout(g.pendingSyncTimer);
    g.pendingSyncTimer = undefined;
    g.pendingSync.clear();
    this.log(`group ${g.id}: stable at generation ${g.generation}`);
    for (const m of g.members.values()) {
      const w = m.syncWaiter;
      m.syncWaiter = undefined;
      if (w) {
        w({ errorCode: ErrorCode.NONE, assignment: m.assignment });
        this.armSession(g, m);
      }
    }
  }

  /** The join response for the current generation; arms the session timer as it is delivered. */
  private joinResponse(g: Group, m: Member): JoinGroupResult {
    this.armSession(g, m);
    const members =
      m.id === g.leader
        ? [...g.members.values()].map((x) => ({
            memberId: x.id,
            groupInstanceId: x.groupInstanceId,
            metadata: x.metadataFor(g.protocol),
          }))
        : [];
    return {
      errorCode: ErrorCode.NONE,
      generationId: g.generation,
      protocolName: g.protocol,
      leader: g.leader,
      memberId: m.id,
      members,
    };
  }

  private commitError(req: OffsetCommitRequest): number {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (req.groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const g = this.groups.get(req.groupId);
    // No live membership: only a "simple" commit (generation -1, e.g. admin setOffsets) makes sense.
    if (!g || g.members.size === 0) return req.generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    const m = g.members.get(req.memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    switch (g.state) {
      case 'Empty':
      case 'Dead':
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case 'CompletingRebalance':
        return ErrorCode.REBALANCE_IN_PROGRESS;
      case 'PreparingRebalance':
      case 'Stable':
        // kafkajs commits with the old generation right after a heartbeat says 27: losing it means duplicates.
        this.armSession(g, m);
        return ErrorCode.NONE;
    }
  }

  // ---- timers and removal ----

  private armSession(g: Group, m: Member): void {
    clearTimeout(m.sessionTimer);
    m.sessionTimer = this.closed ? undefined : this.timer(m.sessionTimeoutMs, () => this.onSessionExpired(g, m));
  }

  private onSessionExpired(g: Group, m: Member): void {
    m.sessionTimer = undefined;
    if (this.groups.get(g.id) !== g || g.members.get(m.id) !== m) return;
    // Kafka's shouldKeepAlive: a member waiting in Join or Sync is alive by definition.
    if (m.isParked) {
      this.armSession(g, m);
      return;
    }
    this.removeMember(g, m, 'session expired');
    this.rebalance(g, `member ${m.id} session expired`);
  }

  private onPendingSyncExpired(g: Group): void {
    g.pendingSyncTimer = undefined;
    if (g.state !== 'CompletingRebalance') return;
    for (const id of [...g.pendingSync]) {
      const m = g.members.get(id);
      if (m) this.removeMember(g, m, 'did not sync in time');
    }
    this.rebalance(g, 'members did not sync in time');
  }

  private onPendingExpired(g: Group, memberId: string): void {
    if (!g.pending.delete(memberId)) return;
    this.log(`group ${g.id}: pending member ${memberId} never joined`);
    this.pruneIfUnused(g);
  }

  private dropPending(g: Group, memberId: string): boolean {
    const timer = g.pending.get(memberId);
    if (timer === undefined) return false;
    clearTimeout(timer);
    g.pending.delete(memberId);
    return true;
  }

  private removeMember(g: Group, m: Member, reason: string): void {
    clearTimeout(m.sessionTimer);
    m.sessionTimer = undefined;
    g.members.delete(m.id);
    g.pendingSync.delete(m.id);
    this.answerParked(m, ErrorCode.UNKNOWN_MEMBER_ID);
    this.log(`group ${g.id}: member ${m.id} removed (${reason})`);
  }

  private answerParked(m: Member, code: number): void {
    const join = m.joinWaiter;
    const sync = m.syncWaiter;
    m.joinWaiter = m.syncWaiter = undefined;
    join?.(joinError(m.id, code));
    sync?.({ errorCode: code, assignment: EMPTY_BYTES });
  }

  private createGroup(groupId: string): Group {
    const g = new Group(groupId);
    this.groups.set(groupId, g);
    return g;
  }

  /** Forgets a group's membership state (not its committed offsets). */
  private forgetGroup(g: Group): void {
    this.stopGroupTimers(g);
    this.groups.delete(g.id);
  }

  private stopGroupTimers(g: Group): void {
    g.clearGroupTimers();
    for (const timer of g.pending.values()) clearTimeout(timer);
    g.pending.clear();
  }

  // A group that only ever saw a MEMBER_ID_REQUIRED round trip nobody completed is noise in ListGroups.
  private pruneIfUnused(g: Group): void {
    if (g.state === 'Empty' && g.generation === 0 && g.members.size === 0 && g.pending.size === 0) {
      this.forgetGroup(g);
    }
  }

  private timer(ms: number, fn: () => void): ReturnType<typeof setTimeout> {
    return setTimeout(fn, Math.min(Math.max(ms, 0), MAX_TIMER_MS)).unref();
  }
}

function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return { errorCode, generationId: -1, protocolName: '', leader: '', memberId, members: [] };
}

/** JoinGroup v0 has no rebalance timeout (the handler passes the session timeout); guard odd values too. */
function rebalanceTimeout(req: JoinGroupRequest): number {
  return Number.isInteger(req.rebalanceTimeoutMs) && req.rebalanceTimeoutMs > 0
    ? req.rebalanceTimeoutMs
    : req.sessionTimeoutMs;
}

function copyProtocols(protocols: readonly GroupProtocol[]): GroupProtocol[] {
  return protocols.map((p) => ({ name: p.name, metadata: p.metadata }));
}
