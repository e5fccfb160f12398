// The bus's own producer and consumer spans (the OTel messaging conventions), so a run is one trace across services:
// a publish is a PRODUCER span whose context travels in the record's traceparent header; the delivery of that
// record is a CONSUMER span whose parent is that producer span, and everything the handler does (its own publishes
// included) happens inside it. The kafkajs auto-instrumentation is not used on top of this: it would add a second
// span for the same send and process, and one per record on the log-ingester's high-volume batch path.
// Through @opentelemetry/api only: with no SDK registered every span here is a no-op costing next to nothing.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  createContextKey,
  isSpanContextValid,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { type RawHeaders } from '../headers';
import { extractTraceContext } from '../trace-context';
import { type OutcomeKind } from '../outcome';
import { RunTraceContexts } from './run-trace-contexts';
import { parseTraceparent } from './traceparent';
import { FlywheelAttr, MessagingAttr, flywheelAttributesOf, messageIdOf, runIdOf } from './span-attributes';

const TRACER_NAME = '@flywheel/bus';
const MESSAGING_SYSTEM = 'kafka';

/** One per process: every bus instance in it shares what it has seen of each run. */
const runContexts = new RunTraceContexts();

/**
 * The run a handler works for, in its active context (loggers read it for `run_id`). `createContextKey` keys by
 * `Symbol.for(name)`, so a reader needs only the same name, not this module.
 */
export const RUN_ID_CONTEXT_KEY = createContextKey('flywheel.run_id');

/** The run id the active context belongs to (inside a handler or withRunTrace), if any. */
export function activeRunId(): string | undefined {
  const v = context.active().getValue(RUN_ID_CONTEXT_KEY);
  return typeof v === 'string' ? v : undefined;
}

/**
 * Runs `fn` inside run `runId`'s trace: for a stage's own work on a run outside its handlers (a worker polling the
 * platform), so those calls join the run's trace too. The parent is `traceparent` when given and valid (what the
 * stage stored with the event that started the job, so polls resumed after a restart still join the run), else the
 * span this process last saw for the run. When neither is known `fn` runs outside any trace: a worker pass woken by
 * another run's handler must not put this run's calls in that run's trace.
 */
export function withRunTrace<R>(runId: string, fn: () => R, traceparent?: string | null): R {
  const stored = traceparent === undefined || traceparent === null ? undefined : parseTraceparent(traceparent);
  const parent = stored ?? runContexts.get(runId);
  const base = context.active().setValue(RUN_ID_CONTEXT_KEY, runId);
  const ctx = parent === undefined ? trace.deleteSpan(base) : trace.setSpanContext(base, parent);
  return context.with(ctx, fn);
}

/**
 * Runs `fn` outside any trace and run. For a worker loop: a pass woken from a handler would otherwise carry that
 * handler's span into every later pass (timers keep the context they were created in).
 */
export function withoutTrace<R>(fn: () => R): R {
  return context.with(ROOT_CONTEXT, fn);
}

const tracer = () => trace.getTracer(TRACER_NAME);

function errorTypeOf(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

function fail(span: Span, err: unknown): void {
  span.setAttribute('error.type', errorTypeOf(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

function rememberRun(runId: string | undefined, span: Span): void {
  const sc = span.spanContext();
  if (runId !== undefined && isSpanContextValid(sc)) runContexts.remember(runId, sc);
}

/** A publish in flight: `context` goes into the record's headers; `end` once the broker answered. */
export interface PublishSpan {
  readonly context: Context;
  end(error?: unknown): void;
}

/**
 * The parent of a publish: the active context, unless this run was last seen in another trace here and nothing of
 * that trace is active (a worker's timer); then the run's remembered span, linking the active one.
 */
function publishParent(runId: string | undefined): { parent: Context; links: Link[] } {
  const active = context.active();
  const remembered = runId === undefined ? undefined : runContexts.get(runId);
  if (remembered === undefined) return { parent: active, links: [] };
  const current = trace.getSpanContext(active);
  const currentValid = current !== undefined && isSpanContextValid(current);
  if (currentValid && current.traceId === remembered.traceId) return { parent: active, links: [] };
  return {
    parent: trace.setSpanContext(active, remembered),
    links: currentValid ? [{ context: current }] : [],
  };
}

export function startPublishSpan(topic: string, payload: unknown, eventId: string | undefined): PublishSpan {
  const runId = runIdOf(payload);
  const { parent, links } = publishParent(runId);
  const attributes: Attributes = {
    [MessagingAttr.system]: MESSAGING_SYSTEM,
    [MessagingAttr.operationType]: 'send',
    [MessagingAttr.operationName]: 'send',
    [MessagingAttr.destination]: topic,
    ...flywheelAttributesOf(payload),
  };
  const messageId = messageIdOf(payload, eventId);
  if (messageId !== undefined) attributes[MessagingAttr.messageId] = messageId;
  const span = tracer().startSpan(`send ${topic}`, { kind: SpanKind.PRODUCER, attributes, links }, parent);
  rememberRun(runId, span);
  let ended = false;
  return {
    context: trace.setSpan(parent, span),
    end(error?: unknown) {
      if (ended) return;
      ended = true;
      if (error !== undefined) fail(span, error);
      span.end();
    },
  };
}

export interface InboundMeta {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | string | null;
  readonly headers: RawHeaders | undefined;
  readonly groupId: string;
}

/** The delivery of one record to its handler, across every attempt. */
export interface ProcessSpan {
  /** Active while the handler runs: its spans and publishes are children of this one. */
  readonly context: Context;
  /** Once the payload is decoded: the event id and flywheel.* ids. */
  describe(payload: unknown, eventId: string | undefined): void;
  retrying(attempt: number, reason: string): void;
  end(outcome: OutcomeKind | 'abandoned' | 'undecodable', attempts: number, error?: string): void;
  fail(err: unknown): void;
}

/** Messaging attributes of a process span (one record, or the first record of a batch). */
function processAttributes(topic: string, partition: number, groupId: string, offset: string): Attributes {
  return {
    [MessagingAttr.system]: MESSAGING_SYSTEM,
    [MessagingAttr.operationType]: 'process',
    [MessagingAttr.operationName]: 'process',
    [MessagingAttr.destination]: topic,
    [MessagingAttr.partition]: String(partition),
    [MessagingAttr.consumerGroup]: groupId,
    [MessagingAttr.kafkaOffset]: Number(offset),
  };
}

export function startProcessSpan(meta: InboundMeta): ProcessSpan {
  const parent = extractTraceContext(meta.headers);
  const attributes = processAttributes(meta.topic, meta.partition, meta.groupId, meta.offset);
  if (meta.key !== null) attributes[MessagingAttr.kafkaKey] = meta.key.toString().slice(0, 256);
  const span = tracer().startSpan(`process ${meta.topic}`, { kind: SpanKind.CONSUMER, attributes }, parent);
  let ctx = trace.setSpan(parent, span);
  return {
    get context() {
      return ctx;
    },
    describe(payload, eventId) {
      const runId = runIdOf(payload);
      if (runId !== undefined) ctx = ctx.setValue(RUN_ID_CONTEXT_KEY, runId);
      span.setAttributes(flywheelAttributesOf(payload));
      const messageId = messageIdOf(payload, eventId);
      if (messageId !== undefined) span.setAttribute(MessagingAttr.messageId, messageId);
      rememberRun(runId, span);
    },
    ...endingsOf(span),
  };
}

/** retrying / end / fail of a process span: each ends it at most once. */
function endingsOf(span: Span): Pick<ProcessSpan, 'retrying' | 'end' | 'fail'> {
  let ended = false;
  return {
    retrying(attempt, reason) {
      span.addEvent('retry', { [FlywheelAttr.attempts]: attempt, reason: reason.slice(0, 512) });
    },
    end(outcome, attempts, error) {
      if (ended) return;
      ended = true;
      span.setAttributes({ [FlywheelAttr.outcome]: outcome, [FlywheelAttr.attempts]: attempts });
      if (error !== undefined) {
        span.setAttribute('error.type', outcome);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.slice(0, 1024) });
      }
      span.end();
    },
    fail(err) {
      if (ended) return;
      ended = true;
      fail(span, err);
      span.end();
    },
  };
}

/**
 * One span per batch on the batch consumer (the log-ingester's intake runs tens of thousands of records a second):
 * no per-record span, no per-record header parsing. A root span of its own, not joined to any producer's trace.
 */
export function startBatchSpan(meta: {
  readonly topic: string;
  readonly partition: number;
  readonly groupId: string;
  readonly count: number;
  readonly firstOffset: string;
}): ProcessSpan {
  const span = tracer().startSpan(
    `process ${meta.topic}`,
    {
      kind: SpanKind.CONSUMER,
      root: true,
      attributes: {
        ...processAttributes(meta.topic, meta.partition, meta.groupId, meta.firstOffset),
        [MessagingAttr.batchCount]: meta.count,
      },
    },
    ROOT_CONTEXT,
  );
  return {
    context: trace.setSpan(ROOT_CONTEXT, span),
    describe: () => undefined,
    ...endingsOf(span),
  };
}
