// Per-group and per-member state of the classic group protocol, plus the pure protocol-choice rules.
// GroupCoordinator owns every transition; these classes only hold state and answer questions about it.
import type { GroupState, JoinGroupResult, SyncGroupResult } from './group-types';

export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

type Timer = ReturnType<typeof setTimeout>;

export const EMPTY_BYTES = Buffer.alloc(0);

export class Member {
  /** Set while a JoinGroup is parked until the rebalance completes. */
  public joinWaiter: ((res: JoinGroupResult) => void) | undefined;
  /** Set while a SyncGroup is parked until the leader syncs. */
  public syncWaiter: ((res: SyncGroupResult) => void) | undefined;
  public assignment: Buffer = EMPTY_BYTES;
  public sessionTimer: Timer | undefined;

  public constructor(
    public readonly id: string,
    public readonly groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public sessionTimeoutMs: number,
    public rebalanceTimeoutMs: number,
    /** In the member's order of preference. */
    public protocols: GroupProtocol[],
  ) {}

  /** Kafka's shouldKeepAlive: a member with a request in purgatory is never expired. */
  public get isParked(): boolean {
    return this.joinWaiter !== undefined || this.syncWaiter !== undefined;
  }

  public sameProtocols(protocols: readonly GroupProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((p, i) => {
      const mine = this.protocols[i];
      return mine !== undefined && p.name === mine.name && p.metadata.equals(mine.metadata);
    });
  }

  public metadataFor(protocol: string): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY_BYTES;
  }
}

export class Group {
  public state: GroupState = 'Empty';
  public generation = 0;
  public protocolType = '';
  public protocol = '';
  public leader = '';
  public readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, not yet joined; each expires after its session timeout. */
  public readonly pending = new Map<string, Timer>();
  /** Members of the current generation that have not sent SyncGroup yet. */
  public readonly pendingSync = new Set<string>();
  public rebalanceTimer: Timer | undefined;
  public pendingSyncTimer: Timer | undefined;
  public initialDelayTimer: Timer | undefined;

  public constructor(public readonly id: string) {}

  public allJoined(): boolean {
    for (const m of this.members.values()) if (!m.joinWaiter) return false;
    return true;
  }

  public maxRebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /**
   * Whether a member offering `protocolType`/`protocols` can be in this group alongside every other member
   * (Kafka's supportsProtocols): same type, and at least one protocol every member supports.
   */
  public accepts(protocolType: string, protocols: readonly GroupProtocol[], exceptMemberId: string): boolean {
    const others = [...this.members.values()].filter((m) => m.id !== exceptMemberId);
    if (others.length === 0) return true;
    if (protocolType !== this.protocolType) return false;
    return protocols.some((p) => others.every((m) => m.protocols.some((q) => q.name === p.name)));
  }

  /** Vote among protocols every member supports: each member backs its first preference (Kafka's vote). */
  public selectProtocol(): string {
    const members = [...this.members.values()];
    const first = members[0];
    if (!first) return '';
    const candidates = first.protocols
      .map((p) => p.name)
      .filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    const votes = new Map<string, number>();
    for (const m of members) {
      const choice = m.protocols.find((p) => candidates.includes(p.name));
      if (choice) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    // Ties go to the earlier candidate in the first member's order, so the choice is deterministic.
    let best = candidates[0] ?? first.protocols[0]?.name ?? '';
    for (const name of candidates) if ((votes.get(name) ?? 0) > (votes.get(best) ?? 0)) best = name;
    return best;
  }

  public clearGroupTimers(): void {
    clearTimeout(this.rebalanceTimer);
    clearTimeout(this.pendingSyncTimer);
    clearTimeout(this.initialDelayTimer);
    this.rebalanceTimer = this.pendingSyncTimer = this.initialDelayTimer = undefined;
  }
}
