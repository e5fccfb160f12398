// One client span per platform call (retries are events on it). Without an OpenTelemetry SDK registered the
// API's tracer is a no-op, so this costs nothing in tests.
import { type Attributes, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { describe } from '../errors';

const tracer = trace.getTracer('flywheel.platform');

export function inSpan<T>(call: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(
    call,
    { kind: SpanKind.CLIENT, attributes: { 'flywheel.platform.call': call, ...attributes } },
    async (span) => {
      try {
        const result = await fn(span);
        span.setStatus({ code: SpanStatusCode.OK });
        return result;
      } catch (err) {
        span.recordException(err instanceof Error ? err : new Error(String(err)));
        span.setStatus({ code: SpanStatusCode.ERROR, message: describe(err) });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}
