// W3C trace context (traceparent/tracestate) through record headers, via the globally registered OTel propagator.
// With no OTel SDK registered, the API's no-op propagator injects nothing and extracts the root context.
import { ROOT_CONTEXT, context, propagation, type Context, type TextMapGetter } from '@opentelemetry/api';
import { headersToStrings, type RawHeaders } from './headers';

const getter: TextMapGetter<Record<string, string>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/** Adds the active context's trace headers to `headers` (mutates and returns it). */
export function injectTraceContext(
  headers: Record<string, string>,
  ctx: Context = context.active(),
): Record<string, string> {
  propagation.inject(ctx, headers);
  return headers;
}

/** The context a consumed record was published in, as parent for the handler's work. */
export function extractTraceContext(headers: RawHeaders | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, headersToStrings(headers), getter);
}

/** Runs `fn` with the record's trace context active, so spans and logs inside join the publisher's trace. */
export function withTraceContext<R>(headers: RawHeaders | undefined, fn: () => R): R {
  return context.with(extractTraceContext(headers), fn);
}
