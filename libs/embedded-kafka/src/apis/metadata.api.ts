// Metadata v0-6. v0: empty topic list = all topics. v1+: null = all. v4+: allow_auto_topic_creation.
import { ApiKey } from '../protocol/api-keys';
import { Writer, type Reader } from '../protocol/codec';
import { ErrorCode } from '../protocol/error-codes';
import { topicNameProblem } from '../cluster/topics';
import { throttle, type ApiHandler, type RequestContext } from './api';

export const metadataApi: ApiHandler = {
  key: ApiKey.Metadata,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 6,
  handle(ctx: RequestContext, r: Reader): Writer {
    const v = ctx.apiVersion;
    const requested = r.nullableArray((x) => x.string());
    // Before v4 the broker's own auto-create setting decides.
    const allowAuto = v >= 4 ? r.bool() : true;
    const all = requested === null || (v === 0 && requested.length === 0);
    const { cluster } = ctx;

    const w = new Writer();
    if (v >= 3) throttle(w);
    w.array(cluster.nodes, (w, n) => {
      w.int32(n.nodeId).string(n.host).int32(n.port);
      if (v >= 1) w.nullableString(null);
    });
    if (v >= 2) w.nullableString(cluster.options.clusterId);
    if (v >= 1) w.int32(cluster.controllerId);

    const names = all ? cluster.topics.list().map((t) => t.name) : [...new Set(requested)];
    w.array(names, (w, name) => {
      const invalid = topicNameProblem(name) !== null;
      const exists = !invalid && cluster.ensureTopic(name, allowAuto && !all);
      const topic = exists ? cluster.topics.get(name) : undefined;
      w.int16(
        topic ? ErrorCode.NONE : invalid ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      );
      w.string(name);
      if (v >= 1) w.bool(false);
      w.array(topic?.partitions ?? [], (w, p) => {
        w.int16(ErrorCode.NONE).int32(p.index).int32(p.leader);
        w.array([p.leader], (w, id) => w.int32(id)); // replicas
        w.array([p.leader], (w, id) => w.int32(id)); // isr
        if (v >= 5) w.array([], () => undefined); // offline replicas
      });
    });
    return w;
  },
};
