// A service process in miniature for otlp-export.integration-spec.ts: telemetry started first (its own
// instrument module, imported first, as in every service), one outgoing HTTP call inside a span, then a graceful
// shutdown that flushes the OTLP batch. argv[2]: the environment as JSON; argv[3]: the URL to call.
import { telemetry } from './otlp-child-instrument';
import { get } from 'node:http';
import { trace } from '@opentelemetry/api';

async function main(): Promise<void> {
  await trace.getTracer('otlp-child').startActiveSpan('flywheel work', async (span) => {
    span.setAttribute('flywheel.run_id', 'run-otlp');
    await new Promise<void>((resolve, reject) => {
      get(process.argv[3] ?? '', (res) => res.resume().on('end', resolve)).on('error', reject);
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
