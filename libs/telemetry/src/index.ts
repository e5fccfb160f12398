// @flywheel/telemetry: the OpenTelemetry SDK for every service (instrument.ts → startServiceTelemetry), configured
// by the standard OTEL_* variables, plus span files for the embedded profile and the tree view `flywheel trace` prints.
export { FileSpanExporter, SPAN_FILE_SUFFIX } from './file-span-exporter';
export { createJsonLogger, JsonNestLogger, maskSecrets, REDACTED, type JsonLoggerOptions } from './logging/json-logger';
export { spanRecordSchema, toSpanRecord, type SpanRecord } from './span-record';
export { startServiceTelemetry, startTelemetry, type StartTelemetryOptions, type Telemetry } from './start-telemetry';
export {
  loadTelemetryConfig,
  TELEMETRY_ENV_KEYS,
  TelemetryConfigError,
  TRACE_EXPORTERS,
  type EnvSource,
  type TelemetryConfig,
  type TraceExporterName,
} from './telemetry-config';
export {
  readSpanFiles,
  renderRunTraces,
  runTraces,
  RUN_ID_ATTRIBUTE,
  type RunTrace,
  type SpanFiles,
  type TraceNode,
} from './trace-tree';
