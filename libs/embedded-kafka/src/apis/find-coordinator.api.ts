// FindCoordinator v0-2: groups are spread over brokers by a hash of the group id.
import { ApiKey } from '../protocol/api-keys';
import { Writer, type Reader } from '../protocol/codec';
import { ErrorCode } from '../protocol/error-codes';
import { throttle, type ApiHandler, type RequestContext } from './api';

const GROUP = 0;

export const findCoordinatorApi: ApiHandler = {
  key: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 2,
  handle(ctx: RequestContext, r: Reader): Writer {
    const v = ctx.apiVersion;
    const key = r.string();
    const keyType = v >= 1 ? r.int8() : GROUP;
    const w = new Writer();
    if (v >= 1) throttle(w);
    if (keyType !== GROUP) {
      // Transaction coordinators: the embedded broker has no transactions.
      w.int16(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      if (v >= 1) w.nullableString('transactions are not supported by the embedded broker');
      w.int32(-1).string('').int32(-1);
      return w;
    }
    const node = ctx.cluster.coordinatorFor(key);
    w.int16(ErrorCode.NONE);
    if (v >= 1) w.nullableString(null);
    w.int32(node.nodeId).string(node.host).int32(node.port);
    return w;
  },
};
