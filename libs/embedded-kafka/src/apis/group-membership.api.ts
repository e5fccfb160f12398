// JoinGroup v0-5, SyncGroup v0-3, Heartbeat v0-3, LeaveGroup v0-3: wire decoding around the
// GroupCoordinator state machine. Requests for a group this broker does not coordinate get NOT_COORDINATOR.
import { ApiKey } from '../protocol/api-keys';
import { Writer, type Reader } from '../protocol/codec';
import { ErrorCode } from '../protocol/error-codes';
import { throttle, type ApiHandler, type RequestContext } from './api';

function coordinates(ctx: RequestContext, groupId: string): boolean {
  return ctx.cluster.coordinatorFor(groupId).nodeId === ctx.node.nodeId;
}

export const joinGroupApi: ApiHandler = {
  key: ApiKey.JoinGroup,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx: RequestContext, r: Reader): Promise<Writer> {
    const v = ctx.apiVersion;
    const groupId = r.string();
    const sessionTimeoutMs = r.int32();
    const rebalanceTimeoutMs = v >= 1 ? r.int32() : sessionTimeoutMs;
    const memberId = r.string();
    const groupInstanceId = v >= 5 ? r.nullableString() : null;
    const protocolType = r.string();
    const protocols = r.array((r) => ({ name: r.string(), metadata: Buffer.from(r.bytes()) }));
    const res = coordinates(ctx, groupId)
      ? await ctx.cluster.groups.join({
          groupId,
          sessionTimeoutMs,
          rebalanceTimeoutMs,
          memberId,
          groupInstanceId,
          protocolType,
          protocols,
          clientId: ctx.clientId ?? '',
          clientHost: ctx.connection.remote,
          requireKnownMemberId: v >= 4,
        })
      : { errorCode: ErrorCode.NOT_COORDINATOR, generationId: -1, protocolName: '', leader: '', memberId, members: [] };
    const w = new Writer();
    if (v >= 2) throttle(w);
    w.int16(res.errorCode).int32(res.generationId).string(res.protocolName).string(res.leader).string(res.memberId);
    w.array(res.members, (w, m) => {
      w.string(m.memberId);
      if (v >= 5) w.nullableString(m.groupInstanceId);
      w.bytes(m.metadata);
    });
    return w;
  },
};

export const syncGroupApi: ApiHandler = {
  key: ApiKey.SyncGroup,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx: RequestContext, r: Reader): Promise<Writer> {
    const v = ctx.apiVersion;
    const groupId = r.string();
    const generationId = r.int32();
    const memberId = r.string();
    const groupInstanceId = v >= 3 ? r.nullableString() : null;
    const assignments = r.array((r) => ({ memberId: r.string(), assignment: Buffer.from(r.bytes()) }));
    const res = coordinates(ctx, groupId)
      ? await ctx.cluster.groups.sync({ groupId, generationId, memberId, groupInstanceId, assignments })
      : { errorCode: ErrorCode.NOT_COORDINATOR, assignment: Buffer.alloc(0) };
    const w = new Writer();
    if (v >= 1) throttle(w);
    w.int16(res.errorCode).bytes(res.assignment);
    return w;
  },
};

export const heartbeatApi: ApiHandler = {
  key: ApiKey.Heartbeat,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 3,
  handle(ctx: RequestContext, r: Reader): Writer {
    const v = ctx.apiVersion;
    const groupId = r.string();
    const generationId = r.int32();
    const memberId = r.string();
    const groupInstanceId = v >= 3 ? r.nullableString() : null;
    const error = coordinates(ctx, groupId)
      ? ctx.cluster.groups.heartbeat({ groupId, generationId, memberId, groupInstanceId })
      : ErrorCode.NOT_COORDINATOR;
    const w = new Writer();
    if (v >= 1) throttle(w);
    return w.int16(error);
  },
};

export const leaveGroupApi: ApiHandler = {
  key: ApiKey.LeaveGroup,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 3,
  handle(ctx: RequestContext, r: Reader): Writer {
    const v = ctx.apiVersion;
    const groupId = r.string();
    const members =
      v >= 3
        ? r.array((r) => ({ memberId: r.string(), groupInstanceId: r.nullableString() }))
        : [{ memberId: r.string(), groupInstanceId: null }];
    const res = coordinates(ctx, groupId)
      ? ctx.cluster.groups.leave(groupId, members)
      : { errorCode: ErrorCode.NOT_COORDINATOR, members: [] };
    const w = new Writer();
    if (v >= 1) throttle(w);
    // Before v3 there is no per-member list: surface the single member's error at the top.
    const single = v < 3 ? (res.members[0]?.errorCode ?? ErrorCode.NONE) : ErrorCode.NONE;
    w.int16(res.errorCode !== ErrorCode.NONE ? res.errorCode : single);
    if (v >= 3) {
      w.array(res.members, (w, m) => w.string(m.memberId).nullableString(m.groupInstanceId).int16(m.errorCode));
    }
    return w;
  },
};
