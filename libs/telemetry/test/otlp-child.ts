// A service process in miniature for otlp-export.integration-spec.ts: telemetry started first (its own
// instrument module, imported first, as in every service), one outgoing HTTP call inside a span, made as the
// platform clients' HttpClient makes it (a client span of its own, its traceparent on the request), then a graceful
// shutdown that flushes the OTLP batch. argv[2]: the environment as JSON; argv[3]: the URL to call.
import { telemetry } from './otlp-child-instrument';
import { get } from 'node:http';
import { SpanKind, context, propagation, trace } from '@opentelemetry/api';

async function main(): Promise<void> {
  await trace.getTracer('otlp-child').startActiveSpan('flywheel work', async (span) => {
    span.setAttribute('flywheel.run_id', 'run-otlp');
    const tracer = trace.getTracer('otlp-child');
    await tracer.startActiveSpan('GET', { kind: SpanKind.CLIENT }, async (client) => {
      const headers: Record<string, string> = {};
      propagation.inject(context.active(), headers);
      await new Promise<void>((resolve, reject) => {
        get(process.argv[3] ?? '', { headers }, (res) => res.resume().on('end', resolve)).on('error', reject);
      });
      client.end();
    });
    span.end();
  });
  await telemetry.shutdown();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
