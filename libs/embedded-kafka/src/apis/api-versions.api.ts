// ApiVersions v0-2. A higher version (librdkafka starts with v3, a flexible version) gets a v0-format body
// with UNSUPPORTED_VERSION and our ranges, which makes the client retry at a version we speak.
import { ApiKey } from '../protocol/api-keys';
import { Writer, type Reader } from '../protocol/codec';
import { ErrorCode } from '../protocol/error-codes';
import { throttle, type ApiHandler, type RequestContext } from './api';

export function apiVersionsApi(all: () => readonly ApiHandler[]): ApiHandler {
  return {
    key: ApiKey.ApiVersions,
    name: 'ApiVersions',
    minVersion: 0,
    maxVersion: 2,
    handle(ctx: RequestContext, _r: Reader): Writer {
      const w = new Writer();
      const supported = ctx.apiVersion <= 2;
      w.int16(supported ? ErrorCode.NONE : ErrorCode.UNSUPPORTED_VERSION);
      const handlers = [...all()].sort((a, b) => a.key - b.key);
      w.array(handlers, (w, h) => w.int16(h.key).int16(h.minVersion).int16(h.maxVersion));
      if (supported && ctx.apiVersion >= 1) throttle(w);
      return w;
    },
  };
}
