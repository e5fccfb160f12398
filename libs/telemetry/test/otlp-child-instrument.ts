// The child's instrument.ts: started before anything else is imported, as in every service.
import { startTelemetry } from '../src/start-telemetry';

export const telemetry = startTelemetry('otlp-child', JSON.parse(process.argv[2] ?? '{}') as Record<string, string>);
