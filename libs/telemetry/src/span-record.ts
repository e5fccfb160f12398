// One finished span as a line of the span files: flat, JSON, and enough to rebuild a trace tree across processes.
import { SpanKind, SpanStatusCode, type Attributes, type HrTime } from '@opentelemetry/api';
import { type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';

const attributeValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])),
]);

export const spanRecordSchema = z.object({
  traceId: z.string().regex(/^[0-9a-f]{32}$/),
  spanId: z.string().regex(/^[0-9a-f]{16}$/),
  parentSpanId: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .optional(),
  name: z.string(),
  kind: z.enum(['internal', 'server', 'client', 'producer', 'consumer']),
  service: z.string(),
  /** Epoch milliseconds (fractional). */
  start: z.number(),
  durationMs: z.number(),
  status: z.enum(['unset', 'ok', 'error']),
  statusMessage: z.string().optional(),
  attributes: z.record(attributeValue),
  links: z.array(z.object({ traceId: z.string(), spanId: z.string() })).default([]),
});

export type SpanRecord = z.infer<typeof spanRecordSchema>;

const KINDS: Record<SpanKind, SpanRecord['kind']> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

const STATUSES: Record<SpanStatusCode, SpanRecord['status']> = {
  [SpanStatusCode.UNSET]: 'unset',
  [SpanStatusCode.OK]: 'ok',
  [SpanStatusCode.ERROR]: 'error',
};

const toMs = (t: HrTime): number => t[0] * 1000 + t[1] / 1e6;

function plainAttributes(attributes: Attributes): SpanRecord['attributes'] {
  const out: SpanRecord['attributes'] = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? value.map((v) => v ?? null) : value;
  }
  return out;
}

export function toSpanRecord(span: ReadableSpan): SpanRecord {
  const sc = span.spanContext();
  const serviceName = span.resource.attributes['service.name'];
  const record: SpanRecord = {
    traceId: sc.traceId,
    spanId: sc.spanId,
    name: span.name,
    kind: KINDS[span.kind],
    service: typeof serviceName === 'string' ? serviceName : 'unknown',
    start: toMs(span.startTime),
    durationMs: toMs(span.duration),
    status: STATUSES[span.status.code],
    attributes: plainAttributes(span.attributes),
    links: span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId })),
  };
  if (span.parentSpanContext !== undefined) record.parentSpanId = span.parentSpanContext.spanId;
  if (span.status.message !== undefined && span.status.message.length > 0) record.statusMessage = span.status.message;
  return record;
}
