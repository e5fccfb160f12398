// Produce v0-7. Only RecordBatch v2 is accepted (older message sets get UNSUPPORTED_FOR_MESSAGE_FORMAT), but
// v0 must be advertised: librdkafka 2.0 compresses with gzip, snappy or lz4 only when Produce v0 is in range.
// acks=0 gets no response.
import { ApiKey } from '../protocol/api-keys';
import { Writer, type Reader } from '../protocol/codec';
import { ErrorCode } from '../protocol/error-codes';
import { InvalidBatchError, splitProducedBatches } from '../protocol/record-batch';
import { throttle, type ApiHandler, type RequestContext } from './api';

interface PartitionResult {
  index: number;
  errorCode: number;
  baseOffset: number;
  logStartOffset: number;
}

export const produceApi: ApiHandler = {
  key: ApiKey.Produce,
  name: 'Produce',
  minVersion: 0,
  maxVersion: 7,
  handle(ctx: RequestContext, r: Reader): Writer | null {
    const v = ctx.apiVersion;
    const { cluster } = ctx;
    const log = cluster.options.log;
    const transactionalId = v >= 3 ? r.nullableString() : null;
    const acks = r.int16();
    r.int32(); // timeout: appends are synchronous here
    const topics = r.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => ({ index: r.int32(), records: r.nullableBytes() })),
    }));

    const results = topics.map((t) => {
      const exists = cluster.ensureTopic(t.name, true);
      const partitions = t.partitions.map((p): PartitionResult => {
        const fail = (errorCode: number): PartitionResult => ({
          index: p.index,
          errorCode,
          baseOffset: -1,
          logStartOffset: -1,
        });
        if (transactionalId !== null) return fail(ErrorCode.INVALID_REQUEST);
        if (acks !== 0 && acks !== 1 && acks !== -1) return fail(ErrorCode.INVALID_REQUIRED_ACKS);
        const partition = exists ? cluster.topics.partition(t.name, p.index) : undefined;
        if (!partition) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        if (partition.leader !== ctx.node.nodeId) return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER);
        if (!p.records || p.records.length === 0) return fail(ErrorCode.CORRUPT_MESSAGE);
        let batches: Buffer[];
        try {
          batches = splitProducedBatches(p.records, { verifyCrc: cluster.options.verifyCrc });
        } catch (e) {
          if (!(e instanceof InvalidBatchError)) throw e;
          log(`produce ${t.name}-${p.index} rejected: ${e.message}`);
          return fail(e.errorCode);
        }
        if (batches.some((b) => b.length > cluster.options.maxMessageBytes)) {
          log(`produce ${t.name}-${p.index} rejected: batch over maxMessageBytes ${cluster.options.maxMessageBytes}`);
          return fail(ErrorCode.MESSAGE_TOO_LARGE);
        }
        let baseOffset = -1;
        for (const batch of batches) {
          const res = cluster.append(partition, batch);
          if (res.errorCode !== ErrorCode.NONE) {
            log(`produce ${t.name}-${p.index} rejected: ${res.reason ?? `error ${res.errorCode}`}`);
            return fail(res.errorCode);
          }
          if (baseOffset < 0) baseOffset = res.baseOffset;
        }
        return { index: p.index, errorCode: ErrorCode.NONE, baseOffset, logStartOffset: partition.log.logStartOffset };
      });
      return { name: t.name, partitions };
    });

    if (acks === 0) return null;
    const w = new Writer();
    w.array(results, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => {
        w.int32(p.index).int16(p.errorCode).int64(p.baseOffset);
        if (v >= 2) w.int64(-1); // log_append_time: CreateTime topics
        if (v >= 5) w.int64(p.logStartOffset);
      });
    });
    if (v >= 1) throttle(w);
    return w;
  },
};
