// A span context as a W3C `traceparent` string, for state files: a worker that polls the platform for a run long after
// the event that started the job (after a restart too) parents those calls under that event's span. Written and read
// here rather than through the registered propagator, so what is stored reads back the same whatever propagators a
// deployment configures (and with none registered).
import { TraceFlags, context, isSpanContextValid, trace, type SpanContext } from '@opentelemetry/api';

const VERSION = '00';
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** `00-<trace id>-<span id>-<flags>` of a valid span context; undefined for an invalid one. */
export function formatTraceparent(sc: SpanContext): string | undefined {
  if (!isSpanContextValid(sc)) return undefined;
  const flags = (sc.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `${VERSION}-${sc.traceId}-${sc.spanId}-${flags}`;
}

/** The remote span context a traceparent names; undefined when it is malformed (or version ff, which is invalid). */
export function parseTraceparent(text: string): SpanContext | undefined {
  const m = TRACEPARENT.exec(text.trim());
  if (m === null) return undefined;
  const [, version, traceId, spanId, flags] = m;
  if (version === 'ff' || traceId === undefined || spanId === undefined || flags === undefined) return undefined;
  const sc: SpanContext = {
    traceId,
    spanId,
    traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  return isSpanContextValid(sc) ? sc : undefined;
}

/**
 * The traceparent of the active span (inside a handler: its delivery span), to store with what the handler records;
 * undefined outside any trace or with no tracing SDK registered.
 */
export function activeTraceparent(): string | undefined {
  const sc = trace.getSpanContext(context.active());
  return sc === undefined ? undefined : formatTraceparent(sc);
}
