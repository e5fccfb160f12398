// ListOffsets v1-3: timestamp -1 = latest (high watermark), -2 = earliest, else the first offset whose
// batch has a timestamp at or after it (batch granularity; -1 when none is).
import { ApiKey } from '../protocol/api-keys';
import { Writer, type Reader } from '../protocol/codec';
import { ErrorCode } from '../protocol/error-codes';
import { throttle, type ApiHandler, type RequestContext } from './api';

const LATEST = -1;
const EARLIEST = -2;

export const listOffsetsApi: ApiHandler = {
  key: ApiKey.ListOffsets,
  name: 'ListOffsets',
  minVersion: 1,
  maxVersion: 3,
  handle(ctx: RequestContext, r: Reader): Writer {
    const v = ctx.apiVersion;
    r.int32(); // replica_id
    if (v >= 2) r.int8(); // isolation level
    const topics = r.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => ({ partition: r.int32(), timestamp: r.int64n() })),
    }));
    const w = new Writer();
    if (v >= 2) throttle(w);
    w.array(topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, req) => {
        const p = ctx.cluster.topics.partition(t.name, req.partition);
        let error: number = ErrorCode.NONE;
        let offset = -1;
        let timestamp = -1;
        if (!p) error = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (p.leader !== ctx.node.nodeId) error = ErrorCode.NOT_LEADER_OR_FOLLOWER;
        else if (req.timestamp === LATEST) offset = p.log.highWatermark;
        else if (req.timestamp === EARLIEST) offset = p.log.logStartOffset;
        else {
          const found = p.log.offsetForTimestamp(req.timestamp);
          if (found !== null) {
            offset = found;
            timestamp = req.timestamp;
          }
        }
        w.int32(req.partition).int16(error).int64(timestamp).int64(offset);
      });
    });
    return w;
  },
};
