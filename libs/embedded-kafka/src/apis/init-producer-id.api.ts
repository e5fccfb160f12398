// InitProducerId v0-1: idempotent producers only (a transactional id is refused).
import { ApiKey } from '../protocol/api-keys';
import { Writer, type Reader } from '../protocol/codec';
import { ErrorCode } from '../protocol/error-codes';
import { throttle, type ApiHandler, type RequestContext } from './api';

export const initProducerIdApi: ApiHandler = {
  key: ApiKey.InitProducerId,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 1,
  handle(ctx: RequestContext, r: Reader): Writer {
    const transactionalId = r.nullableString();
    r.int32(); // transaction timeout
    const w = new Writer();
    throttle(w);
    if (transactionalId !== null) {
      ctx.cluster.options.log(`InitProducerId for transactional id "${transactionalId}" refused: no transactions`);
      w.int16(ErrorCode.INVALID_REQUEST).int64(-1).int16(-1);
      return w;
    }
    const { producerId, producerEpoch } = ctx.cluster.producers.initProducerId();
    w.int16(ErrorCode.NONE).int64(producerId).int16(producerEpoch);
    return w;
  },
};
