// CreateTopics v0-3, DeleteTopics v0-1, CreatePartitions v0-1, DeleteRecords v0-1.
// Single-replica cluster: replication factor -1 or 1 is accepted, anything else is refused.
import { ApiKey } from '../protocol/api-keys';
import { Writer, type Reader } from '../protocol/codec';
import { ErrorCode } from '../protocol/error-codes';
import { TopicError } from '../cluster/topics';
import { throttle, type ApiHandler, type RequestContext } from './api';

function attempt(fn: () => void): { errorCode: number; message: string | null } {
  try {
    fn();
    return { errorCode: ErrorCode.NONE, message: null };
  } catch (e) {
    if (e instanceof TopicError) return { errorCode: e.errorCode, message: e.message };
    throw e;
  }
}

export const createTopicsApi: ApiHandler = {
  key: ApiKey.CreateTopics,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 3,
  handle(ctx: RequestContext, r: Reader): Writer {
    const v = ctx.apiVersion;
    const topics = r.array((r) => ({
      name: r.string(),
      numPartitions: r.int32(),
      replicationFactor: r.int16(),
      assignments: r.array((r) => ({ partition: r.int32(), brokers: r.array((r) => r.int32()) })),
      configs: r.array((r) => ({ name: r.string(), value: r.nullableString() })),
    }));
    r.int32(); // timeout
    const validateOnly = v >= 1 ? r.bool() : false;
    const { cluster } = ctx;
    const results = topics.map((t) => {
      const partitions =
        t.assignments.length > 0
          ? t.assignments.length
          : t.numPartitions === -1
            ? cluster.options.defaultPartitions
            : t.numPartitions;
      const res = attempt(() => {
        if (t.replicationFactor !== -1 && t.replicationFactor !== 1 && t.assignments.length === 0) {
          throw new TopicError(
            `replication factor ${t.replicationFactor} is larger than the 1 replica the embedded broker keeps`,
            ErrorCode.INVALID_REPLICATION_FACTOR,
          );
        }
        if (validateOnly) {
          if (cluster.topics.get(t.name))
            throw new TopicError(`topic "${t.name}" already exists`, ErrorCode.TOPIC_ALREADY_EXISTS);
          return;
        }
        cluster.topics.create(t.name, partitions);
        cluster.options.log(`created topic ${t.name} with ${partitions} partition(s)`);
      });
      return { name: t.name, ...res };
    });
    const w = new Writer();
    if (v >= 2) throttle(w);
    w.array(results, (w, t) => {
      w.string(t.name).int16(t.errorCode);
      if (v >= 1) w.nullableString(t.message);
    });
    return w;
  },
};

export const deleteTopicsApi: ApiHandler = {
  key: ApiKey.DeleteTopics,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 1,
  handle(ctx: RequestContext, r: Reader): Writer {
    const names = r.array((r) => r.string());
    r.int32(); // timeout
    const results = names.map((name) => ({ name, ...attempt(() => ctx.cluster.deleteTopic(name)) }));
    const w = new Writer();
    if (ctx.apiVersion >= 1) throttle(w);
    w.array(results, (w, t) => w.string(t.name).int16(t.errorCode));
    return w;
  },
};

export const createPartitionsApi: ApiHandler = {
  key: ApiKey.CreatePartitions,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 1,
  handle(ctx: RequestContext, r: Reader): Writer {
    const topics = r.array((r) => ({
      name: r.string(),
      count: r.int32(),
      assignments: r.nullableArray((r) => r.array((r) => r.int32())),
    }));
    r.int32(); // timeout
    const validateOnly = r.bool();
    const results = topics.map((t) => ({
      name: t.name,
      ...attempt(() => {
        if (validateOnly) return;
        ctx.cluster.topics.addPartitions(t.name, t.count);
      }),
    }));
    const w = new Writer();
    throttle(w);
    w.array(results, (w, t) => w.string(t.name).int16(t.errorCode).nullableString(t.message));
    return w;
  },
};

export const deleteRecordsApi: ApiHandler = {
  key: ApiKey.DeleteRecords,
  name: 'DeleteRecords',
  minVersion: 0,
  maxVersion: 1,
  handle(ctx: RequestContext, r: Reader): Writer {
    const topics = r.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => ({ partition: r.int32(), offset: r.int64n() })),
    }));
    r.int32(); // timeout
    const w = new Writer();
    throttle(w);
    w.array(topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, req) => {
        const p = ctx.cluster.topics.partition(t.name, req.partition);
        if (!p) {
          w.int32(req.partition).int64(-1).int16(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          return;
        }
        if (p.leader !== ctx.node.nodeId) {
          w.int32(req.partition).int64(-1).int16(ErrorCode.NOT_LEADER_OR_FOLLOWER);
          return;
        }
        // -1 means "up to the high watermark".
        const target = req.offset === -1 ? p.log.highWatermark : req.offset;
        if (target < 0 || target > p.log.highWatermark) {
          w.int32(req.partition).int64(-1).int16(ErrorCode.OFFSET_OUT_OF_RANGE);
          return;
        }
        p.log.deleteRecordsBefore(target);
        w.int32(req.partition).int64(p.log.logStartOffset).int16(ErrorCode.NONE);
      });
    });
    return w;
  },
};
