// OffsetCommit v0-5, OffsetFetch v0-4, DescribeGroups v0-2, ListGroups v0-2, DeleteGroups v0-1.
import { ApiKey } from '../protocol/api-keys';
import { Writer, type Reader } from '../protocol/codec';
import { ErrorCode } from '../protocol/error-codes';
import { throttle, type ApiHandler, type RequestContext } from './api';

function coordinates(ctx: RequestContext, groupId: string): boolean {
  return ctx.cluster.coordinatorFor(groupId).nodeId === ctx.node.nodeId;
}

export const offsetCommitApi: ApiHandler = {
  key: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  minVersion: 0,
  maxVersion: 5,
  handle(ctx: RequestContext, r: Reader): Writer {
    const v = ctx.apiVersion;
    const groupId = r.string();
    const generationId = v >= 1 ? r.int32() : -1;
    const memberId = v >= 1 ? r.string() : '';
    if (v >= 2 && v <= 4) r.int64(); // retention time: offsets are kept until the group is deleted
    const topics = r.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => {
        const partition = r.int32();
        const offset = r.int64n();
        if (v === 1) r.int64(); // commit timestamp
        return { partition, offset, metadata: r.nullableString() };
      }),
    }));
    const results = coordinates(ctx, groupId)
      ? ctx.cluster.groups.commitOffsets({ groupId, generationId, memberId, topics })
      : topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: ErrorCode.NOT_COORDINATOR })),
        }));
    const w = new Writer();
    if (v >= 3) throttle(w);
    w.array(results, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => w.int32(p.partition).int16(p.errorCode));
    });
    return w;
  },
};

export const offsetFetchApi: ApiHandler = {
  key: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  minVersion: 0,
  maxVersion: 4,
  handle(ctx: RequestContext, r: Reader): Writer {
    const v = ctx.apiVersion;
    const groupId = r.string();
    const topics = r.nullableArray((r) => ({ name: r.string(), partitions: r.array((r) => r.int32()) }));
    const res = coordinates(ctx, groupId)
      ? ctx.cluster.groups.fetchOffsets(groupId, v >= 2 ? topics : (topics ?? []))
      : { errorCode: ErrorCode.NOT_COORDINATOR, topics: [] };
    const w = new Writer();
    if (v >= 3) throttle(w);
    w.array(res.topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => {
        const err = v < 2 && res.errorCode !== ErrorCode.NONE ? res.errorCode : p.errorCode;
        w.int32(p.partition).int64(p.offset).nullableString(p.metadata).int16(err);
      });
    });
    if (v >= 2) w.int16(res.errorCode);
    return w;
  },
};

export const describeGroupsApi: ApiHandler = {
  key: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 2,
  handle(ctx: RequestContext, r: Reader): Writer {
    const v = ctx.apiVersion;
    const ids = r.array((r) => r.string());
    const mine = ids.filter((id) => coordinates(ctx, id));
    const described = new Map(ctx.cluster.groups.describeGroups(mine).map((g) => [g.groupId, g]));
    const w = new Writer();
    if (v >= 1) throttle(w);
    w.array(ids, (w, id) => {
      const g = described.get(id);
      if (!g) {
        w.int16(ErrorCode.NOT_COORDINATOR)
          .string(id)
          .string('')
          .string('')
          .string('')
          .array([], () => undefined);
        return;
      }
      w.int16(g.errorCode).string(g.groupId).string(g.state).string(g.protocolType).string(g.protocol);
      w.array(g.members, (w, m) => {
        w.string(m.memberId).string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment);
      });
    });
    return w;
  },
};

export const listGroupsApi: ApiHandler = {
  key: ApiKey.ListGroups,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 2,
  handle(ctx: RequestContext, _r: Reader): Writer {
    const groups = ctx.cluster.groups.listGroups().filter((g) => coordinates(ctx, g.groupId));
    const w = new Writer();
    if (ctx.apiVersion >= 1) throttle(w);
    w.int16(ErrorCode.NONE);
    w.array(groups, (w, g) => w.string(g.groupId).string(g.protocolType));
    return w;
  },
};

export const deleteGroupsApi: ApiHandler = {
  key: ApiKey.DeleteGroups,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 1,
  handle(ctx: RequestContext, r: Reader): Writer {
    const ids = r.array((r) => r.string());
    const mine = ids.filter((id) => coordinates(ctx, id));
    const results = new Map(ctx.cluster.groups.deleteGroups(mine).map((g) => [g.groupId, g.errorCode]));
    const w = new Writer();
    throttle(w);
    w.array(ids, (w, id) => w.string(id).int16(results.get(id) ?? ErrorCode.NOT_COORDINATOR));
    return w;
  },
};
