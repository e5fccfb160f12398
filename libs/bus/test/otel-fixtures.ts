// Just enough OpenTelemetry for the trace test without an SDK or @opentelemetry/core (recent majors need Node 22): an
// AsyncLocalStorage context manager and a W3C traceparent/tracestate propagator.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ROOT_CONTEXT,
  context,
  createTraceState,
  isSpanContextValid,
  propagation,
  trace,
  type Context,
  type ContextManager,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';

class AsyncLocalStorageContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();

  public active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  public with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(ctx, () => fn.call(thisArg, ...args));
  }

  public bind<T>(_ctx: Context, target: T): T {
    return target;
  }

  public enable(): this {
    return this;
  }

  public disable(): this {
    this.storage.disable();
    return this;
  }
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

class W3CTraceContextPropagator implements TextMapPropagator {
  public inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const sc = trace.getSpanContext(ctx);
    if (sc === undefined || !isSpanContextValid(sc)) return;
    setter.set(carrier, 'traceparent', `00-${sc.traceId}-${sc.spanId}-${sc.traceFlags.toString(16).padStart(2, '0')}`);
    if (sc.traceState !== undefined) setter.set(carrier, 'tracestate', sc.traceState.serialize());
  }

  public extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const raw = getter.get(carrier, 'traceparent');
    const m = TRACEPARENT.exec(Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? ''));
    if (m === null) return ctx;
    const state = getter.get(carrier, 'tracestate');
    return trace.setSpanContext(ctx, {
      traceId: m[1] ?? '',
      spanId: m[2] ?? '',
      traceFlags: parseInt(m[3] ?? '0', 16),
      isRemote: true,
      traceState: typeof state === 'string' ? createTraceState(state) : undefined,
    });
  }

  public fields(): string[] {
    return ['traceparent', 'tracestate'];
  }
}

/** Registers the context manager and propagator globally; returns the undo. */
export function installTestOtel(): () => void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return () => {
    context.disable();
    propagation.disable();
  };
}
