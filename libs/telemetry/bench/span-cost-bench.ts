// What tracing costs on the hot paths: a producer + consumer span pair per event (the pipeline services), one span per
// batch (the log-ingester's intake), each with the SDK off (the API's no-ops) and on with the file exporter (the
// embedded stack). Prints microseconds per operation; asserts nothing (2 shared cores make timings noisy).
// Usage: npx tsx libs/telemetry/bench/span-cost-bench.ts
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT_CONTEXT, SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { startTelemetry } from '../src/start-telemetry';

const N = 20_000;
const payload = { run_id: 'r-1', workload_id: 'agent.tool_router', model_name: 'meta/llama-3.2-1b-instruct' };

function pair(): void {
  const tracer = trace.getTracer('@flywheel/bus');
  const send = tracer.startSpan('send t', {
    kind: SpanKind.PRODUCER,
    attributes: { 'messaging.system': 'kafka', 'flywheel.run_id': payload.run_id },
  });
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), send), headers);
  send.end();
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  const process = tracer.startSpan(
    'process t',
    { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'kafka', 'flywheel.run_id': payload.run_id } },
    parent,
  );
  context.with(trace.setSpan(parent, process), () => undefined);
  process.end();
}

function batch(): void {
  const span = trace.getTracer('@flywheel/bus').startSpan('process logs', {
    kind: SpanKind.CONSUMER,
    root: true,
    attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': 500 },
  });
  context.with(trace.setSpan(ROOT_CONTEXT, span), () => undefined);
  span.end();
}

function time(label: string, fn: () => void): void {
  for (let i = 0; i < 1000; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn();
  const us = Number(process.hrtime.bigint() - start) / 1000 / N;
  process.stdout.write(`${label.padEnd(52)} ${us.toFixed(2)} µs\n`);
}

async function main(): Promise<void> {
  time('event (send + process spans), telemetry off', pair);
  time('batch span, telemetry off', batch);
  const dir = mkdtempSync(join(tmpdir(), 'span-bench-'));
  const telemetry = startTelemetry('bench', { FLYWHEEL_TRACES_DIR: dir });
  time('event (send + process spans), file exporter', pair);
  time('batch span, file exporter (per batch of 500 records)', batch);
  await telemetry.shutdown();
  const files = readdirSync(dir).map((f) => join(dir, f));
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const spans = files.reduce((n, f) => n + readFileSync(f, 'utf8').split('\n').length - 1, 0);
  process.stdout.write(`span files: ${spans} spans, ${(bytes / Math.max(1, spans)).toFixed(0)} bytes per span\n`);
  rmSync(dir, { recursive: true, force: true });
}

void main();
