// Starts the OpenTelemetry Node SDK for one service process. Called from each service's instrument.ts, the first
// import of its main.ts: the instrumentations patch http, Nest and the MongoDB driver only for modules required after
// they are registered. Kafka spans come from @flywheel/bus itself (see its tracing/bus-spans.ts), so the kafkajs
// instrumentation is deliberately not registered (it would duplicate them, and add a span per log record on the
// ingester's batch path). Nor is the undici (fetch) instrumentation: every platform call already has a client span
// from @flywheel/platform-clients, which sends its trace context along, and a second span per fetch only cost CPU.
// Elasticsearch's client emits its own spans through @opentelemetry/api.
import { type IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { envDetector, processDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { FileSpanExporter } from './file-span-exporter';
import { TelemetryConfigError, loadTelemetryConfig, type EnvSource, type TelemetryConfig } from './telemetry-config';

export interface Telemetry {
  readonly config: TelemetryConfig;
  /** Where this process writes its spans, when the file exporter is on. */
  readonly spanFile: string | undefined;
  /** Exports every finished span still buffered (OTLP batches); safe to call when telemetry is off. */
  flush(): Promise<void>;
  /** Flushes and stops the SDK; later spans are dropped. */
  shutdown(): Promise<void>;
}

export interface StartTelemetryOptions {
  /** Extra span processors (tests: an in-memory exporter). They make telemetry start even with nothing configured. */
  readonly spanProcessors?: readonly SpanProcessor[];
}

/** Probes and scrapes would drown the traces that matter. */
const UNTRACED_PATHS = /^\/(health|metrics)(\/|\?|$)/;

const SPAN_FILE_BATCH = { scheduledDelayMillis: 250, maxExportBatchSize: 2048, maxQueueSize: 16_384 };

function exporterProcessors(config: TelemetryConfig): { processors: SpanProcessor[]; spanFile: string | undefined } {
  const processors: SpanProcessor[] = [];
  for (const name of config.exporters) {
    // Endpoint and headers come from the config; the batch processor reads OTEL_BSP_* itself. The console exporter
    // is for debugging, so every span is printed as it ends.
    const exporter: SpanExporter =
      name === 'otlp'
        ? new OTLPTraceExporter({ url: config.otlpTracesUrl, headers: { ...config.otlpHeaders } })
        : new ConsoleSpanExporter();
    processors.push(name === 'otlp' ? new BatchSpanProcessor(exporter) : new SimpleSpanProcessor(exporter));
  }
  let spanFile: string | undefined;
  if (config.tracesDir !== undefined) {
    const file = new FileSpanExporter(
      config.tracesDir,
      `${config.serviceName}-${process.pid}`,
      config.traceFileMaxBytes,
    );
    spanFile = file.path;
    // In batches: one write per quarter second instead of one per span (a synchronous append per span was ~4 % of
    // a busy service's CPU). Shutdown flushes the rest; a SIGKILLed process loses at most its last quarter second.
    processors.push(new BatchSpanProcessor(file, SPAN_FILE_BATCH));
  }
  return { processors, spanFile };
}

/**
 * Starts tracing as configured by `env`; off (no SDK, nothing patched) unless an exporter or FLYWHEEL_TRACES_DIR is
 * set. Throws TelemetryConfigError listing every bad variable.
 */
export function startTelemetry(serviceName: string, env: EnvSource, options: StartTelemetryOptions = {}): Telemetry {
  const config = loadTelemetryConfig(serviceName, env);
  const extra = options.spanProcessors ?? [];
  if (config.sdkDisabled || (!config.enabled && extra.length === 0)) {
    return { config, spanFile: undefined, flush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
  }
  const { processors, spanFile } = exporterProcessors(config);
  const sdk = new NodeSDK({
    serviceName: config.serviceName,
    // Synchronous detectors only: with one still resolving (the host detector reads the machine id), spans wait to be
    // exported, and a span file would miss what a process did just before it was killed.
    resource: resourceFromAttributes({ 'host.name': hostname() }),
    resourceDetectors: [envDetector, processDetector],
    spanProcessors: [...processors, ...extra],
    // Traces only: metrics are Prometheus (service-kit) and logs go to stdout.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.test(req.url ?? ''),
        // Platform calls (node:http under @flywheel/platform-clients' HttpClient) already have a span of their own
        // that sends its traceparent: a second client span per call would double the spans and their CPU.
        disableOutgoingRequestInstrumentation: true,
      }),
      new NestInstrumentation(),
      new MongoDBInstrumentation(),
    ],
  });
  sdk.start();
  let stopped: Promise<void> | undefined;
  return {
    config,
    spanFile,
    flush: async () => {
      await Promise.all([...processors, ...extra].map((p) => p.forceFlush()));
    },
    shutdown: () => (stopped ??= sdk.shutdown()),
  };
}

/**
 * What a service's instrument.ts calls: starts telemetry, or prints every bad variable and exits 1 (as a bad service
 * configuration does), since a half-configured exporter would silently lose the traces.
 */
export function startServiceTelemetry(serviceName: string, env: EnvSource): Telemetry {
  try {
    return startTelemetry(serviceName, env);
  } catch (err) {
    const text = err instanceof TelemetryConfigError ? err.message : err instanceof Error ? err.stack : String(err);
    process.stderr.write(`${serviceName}: failed to start: ${text}\n`);
    process.exit(1);
  }
}
