// Typed requests and results of the classic consumer-group protocol, independent of wire versions.
// The API handlers decode the wire into these and encode the results back.

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  /** v0 has no rebalance timeout: the handler passes the session timeout. */
  rebalanceTimeoutMs: number;
  /** '' for a new member. */
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: { name: string; metadata: Buffer }[];
  clientId: string;
  clientHost: string;
  /**
   * JoinGroup v4+ may answer a new member with MEMBER_ID_REQUIRED (KIP-394); older versions join directly.
   */
  requireKnownMemberId: boolean;
}

export interface JoinGroupResult {
  errorCode: number;
  generationId: number;
  protocolName: string;
  leader: string;
  memberId: string;
  /** Non-empty only for the leader. */
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface SyncGroupResult {
  errorCode: number;
  assignment: Buffer;
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveGroupResult {
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

export interface OffsetCommitRequest {
  groupId: string;
  /** -1 for a "simple" commit outside group membership (v0/v1 or admin setOffsets). */
  generationId: number;
  memberId: string;
  topics: { name: string; partitions: { partition: number; offset: number; metadata: string | null }[] }[];
}

export interface OffsetCommitResult {
  name: string;
  partitions: { partition: number; errorCode: number }[];
}

export interface OffsetFetchResult {
  errorCode: number;
  topics: {
    name: string;
    partitions: { partition: number; offset: number; metadata: string | null; errorCode: number }[];
  }[];
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocol: string;
  members: {
    memberId: string;
    clientId: string;
    clientHost: string;
    metadata: Buffer;
    assignment: Buffer;
  }[];
}

export interface GroupCoordinatorOptions {
  /** JoinGroup with a session timeout outside [min, max] gets INVALID_SESSION_TIMEOUT (26). */
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  /** Kafka's group.initial.rebalance.delay.ms; 0 by default here. */
  initialRebalanceDelayMs: number;
}
