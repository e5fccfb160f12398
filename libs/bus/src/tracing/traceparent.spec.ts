import { TraceFlags } from '@opentelemetry/api';
import { activeTraceparent, formatTraceparent, parseTraceparent } from './traceparent';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('traceparent', () => {
  it('should write a span context the W3C way and read it back as a remote parent', () => {
    const text = formatTraceparent({ traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.SAMPLED });
    expect(text).toBe(`00-${TRACE}-${SPAN}-01`);
    expect(parseTraceparent(text ?? '')).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.traceFlags).toBe(TraceFlags.NONE);
  });

  it.each([
    ['empty', ''],
    ['garbage', 'not-a-traceparent'],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['upper case', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['short span id', `00-${TRACE}-${SPAN.slice(1)}-01`],
  ])('should refuse a malformed traceparent (%s)', (_what, text) => {
    expect(parseTraceparent(text)).toBeUndefined();
  });

  it('should have nothing to store for an invalid span context or outside any span', () => {
    expect(formatTraceparent({ traceId: '0'.repeat(32), spanId: SPAN, traceFlags: 1 })).toBeUndefined();
    expect(activeTraceparent()).toBeUndefined();
  });
});
