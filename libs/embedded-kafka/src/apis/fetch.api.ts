// Fetch v4-11. No fetch sessions (session_id 0 answers every request in full) and no transactions
// (last stable offset = high watermark). Stored batches are served byte for byte, starting at the first
// batch that ends at or after the fetch offset: a client drops the records below its offset itself.
import { ApiKey } from '../protocol/api-keys';
import { Writer, type Reader } from '../protocol/codec';
import { ErrorCode } from '../protocol/error-codes';
import type { Cluster } from '../cluster/cluster';
import { throttle, type ApiHandler, type RequestContext } from './api';

interface FetchPartitionRequest {
  partition: number;
  fetchOffset: number;
  maxBytes: number;
}

interface FetchTopicRequest {
  topic: string;
  partitions: FetchPartitionRequest[];
}

interface PartitionData {
  partition: number;
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  batches: Buffer[];
}

export const fetchApi: ApiHandler = {
  key: ApiKey.Fetch,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 11,
  async handle(ctx: RequestContext, r: Reader): Promise<Writer> {
    const v = ctx.apiVersion;
    r.int32(); // replica_id
    const maxWaitMs = Math.max(0, r.int32());
    const minBytes = r.int32();
    const maxBytes = r.int32();
    r.int8(); // isolation level: no transactions, so both levels read up to the high watermark
    if (v >= 7) {
      r.int32(); // session_id
      r.int32(); // session_epoch
    }
    const topics: FetchTopicRequest[] = r.array((r) => ({
      topic: r.string(),
      partitions: r.array((r): FetchPartitionRequest => {
        const partition = r.int32();
        if (v >= 9) r.int32(); // current_leader_epoch
        const fetchOffset = r.int64n();
        if (v >= 5) r.int64(); // follower log_start_offset
        return { partition, fetchOffset, maxBytes: r.int32() };
      }),
    }));
    // forgotten_topics_data (v7+) and rack_id (v11) only matter with sessions and follower fetching.

    let result = collect(ctx, topics, maxBytes);
    const hasError = result.some((t) => t.partitions.some((p) => p.errorCode !== ErrorCode.NONE));
    if (!hasError && result.bytes < Math.max(1, minBytes) && maxWaitMs > 0 && !ctx.connection.closed) {
      const watched = topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition })));
      const waiter = ctx.cluster.fetchWaiters.wait(watched, maxWaitMs);
      const off = ctx.connection.onClose(waiter.cancel);
      await waiter.done;
      off();
      result = collect(ctx, topics, maxBytes);
    }

    const w = new Writer(64 + result.bytes);
    throttle(w);
    if (v >= 7) w.int16(ErrorCode.NONE).int32(0);
    w.array(result, (w, t) => {
      w.string(t.topic);
      w.array(t.partitions, (w, p) => {
        w.int32(p.partition).int16(p.errorCode).int64(p.highWatermark);
        w.int64(p.highWatermark); // last stable offset
        if (v >= 5) w.int64(p.logStartOffset);
        w.nullableArray(null, () => undefined); // aborted transactions
        if (v >= 11) w.int32(-1); // preferred read replica: none
        // Empty-but-present bytes rather than null: librdkafka expects a records field.
        const size = p.batches.reduce((n, b) => n + b.length, 0);
        w.int32(size);
        for (const b of p.batches) w.raw(b);
      });
    });
    return w;
  },
};

type Collected = { topic: string; partitions: PartitionData[] }[] & { bytes: number };

function collect(ctx: RequestContext, topics: FetchTopicRequest[], maxBytes: number): Collected {
  const cluster: Cluster = ctx.cluster;
  let budget = Math.max(0, maxBytes);
  let bytes = 0;
  const out = topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((req): PartitionData => {
      const p = cluster.topics.partition(t.topic, req.partition);
      if (!p) return empty(req.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      if (p.leader !== ctx.node.nodeId) return empty(req.partition, ErrorCode.NOT_LEADER_OR_FOLLOWER);
      const { log } = p;
      const base = { partition: req.partition, highWatermark: log.highWatermark, logStartOffset: log.logStartOffset };
      if (req.fetchOffset < log.logStartOffset || req.fetchOffset > log.highWatermark) {
        return { ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, batches: [] };
      }
      // The first batch with data is always served whole (KIP-74), even over the limits.
      const limit = Math.min(req.maxBytes, budget);
      const batches = req.fetchOffset === log.highWatermark ? [] : log.read(req.fetchOffset, limit);
      const size = batches.reduce((n, b) => n + b.length, 0);
      if (bytes > 0 && size > limit) return { ...base, errorCode: ErrorCode.NONE, batches: [] };
      bytes += size;
      budget = Math.max(0, budget - size);
      return { ...base, errorCode: ErrorCode.NONE, batches };
    }),
  }));
  return Object.assign(out, { bytes });
}

function empty(partition: number, errorCode: number): PartitionData {
  return { partition, errorCode, highWatermark: -1, logStartOffset: -1, batches: [] };
}
