// The first import of main.ts: OpenTelemetry must be registered before http, Nest and the store drivers are loaded,
// or they are not instrumented. Off unless OTEL_TRACES_EXPORTER, an OTLP endpoint or FLYWHEEL_TRACES_DIR is set
// (see libs/telemetry/README.md).
import { startServiceTelemetry } from '@flywheel/telemetry';

export const telemetry = startServiceTelemetry('customizer-driver', process.env);
