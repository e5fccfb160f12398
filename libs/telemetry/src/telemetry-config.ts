// Telemetry settings from the environment: the standard OTEL_* variables plus FLYWHEEL_TRACES_DIR (the embedded
// profile's span files). The only place that reads them; validated once, every bad key listed.
// Deliberately free of @flywheel/service-kit: this runs before Nest and the HTTP stack are loaded (they must be
// required after the instrumentations are registered, or they are not patched).
import { z } from 'zod';

export type EnvSource = Readonly<Record<string, string | undefined>>;

export const TRACE_EXPORTERS = ['otlp', 'console', 'none'] as const;
export type TraceExporterName = Exclude<(typeof TRACE_EXPORTERS)[number], 'none'>;

export interface TelemetryConfig {
  readonly serviceName: string;
  /** OTEL_SDK_DISABLED=true: nothing starts, whatever else is set. */
  readonly sdkDisabled: boolean;
  /** False: no SDK is started, spans are the API's no-ops (the default when nothing asks for traces). */
  readonly enabled: boolean;
  readonly exporters: readonly TraceExporterName[];
  /** OTLP/HTTP traces URL: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
  readonly otlpTracesUrl: string | undefined;
  /** OTEL_EXPORTER_OTLP_(TRACES_)HEADERS, `k=v,k2=v2` (URL-encoded values): credentials, never printed. */
  readonly otlpHeaders: Readonly<Record<string, string>>;
  /** Spans as JSON lines, one file per process, in this directory (`flywheel trace` reads them). */
  readonly tracesDir: string | undefined;
  /** Per process: past this a span file is set aside (one previous kept) and a new one begun. */
  readonly traceFileMaxBytes: number;
}

export class TelemetryConfigError extends Error {
  public constructor(public readonly problems: readonly string[]) {
    super(`invalid telemetry configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'TelemetryConfigError';
  }
}

const blank = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = z.preprocess(blank, z.string().trim().optional());

const envSchema = z.object({
  OTEL_SDK_DISABLED: z.preprocess(
    blank,
    z
      .enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False'])
      .optional()
      .transform((v) => v?.toLowerCase() === 'true'),
  ),
  OTEL_TRACES_EXPORTER: z.preprocess(
    blank,
    z
      .string()
      .optional()
      .transform((v) =>
        v === undefined
          ? undefined
          : v
              .split(',')
              .map((s) => s.trim().toLowerCase())
              .filter((s) => s.length > 0),
      )
      .pipe(
        z
          .array(
            z.enum(TRACE_EXPORTERS, {
              errorMap: () => ({ message: `each exporter must be one of ${TRACE_EXPORTERS.join(', ')}` }),
            }),
          )
          .optional(),
      ),
  ),
  OTEL_SERVICE_NAME: optionalText,
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(blank, z.string().trim().url('must be a URL').optional()),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.preprocess(blank, z.string().trim().url('must be a URL').optional()),
  OTEL_EXPORTER_OTLP_HEADERS: optionalText,
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: optionalText,
  FLYWHEEL_TRACES_DIR: optionalText,
  FLYWHEEL_TRACES_MAX_MB: z.preprocess(
    blank,
    z
      .string()
      .regex(/^\d+$/, 'must be a whole number of MiB')
      .transform(Number)
      .pipe(z.number().int().min(1, 'must be at least 1').max(65_536, 'must be at most 65536'))
      .default('64'),
  ),
});

export const TELEMETRY_ENV_KEYS = Object.keys(envSchema.shape) as readonly string[];

/**
 * Which exporters run: OTEL_TRACES_EXPORTER when set (`none` alone turns OTLP and console off); unset, OTLP only when
 * an OTLP endpoint is configured. Unlike the OTel default (otlp to localhost), a laptop without a collector exports
 * nothing and logs no connection errors. FLYWHEEL_TRACES_DIR adds the file exporter in either case.
 */
export function loadTelemetryConfig(serviceName: string, source: EnvSource): TelemetryConfig {
  const input: Record<string, string | undefined> = {};
  for (const key of TELEMETRY_ENV_KEYS) input[key] = source[key];
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    throw new TelemetryConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '');
        return `${key}: ${issue.message} (got ${JSON.stringify(input[key] ?? null)})`;
      }),
    );
  }
  const v = parsed.data;
  const listed = v.OTEL_TRACES_EXPORTER;
  if (listed !== undefined && listed.includes('none') && listed.length > 1) {
    throw new TelemetryConfigError([`OTEL_TRACES_EXPORTER: 'none' cannot be combined with other exporters`]);
  }
  const otlpConfigured =
    v.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined || v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined;
  const exporters: TraceExporterName[] =
    listed === undefined
      ? otlpConfigured
        ? ['otlp']
        : []
      : [...new Set(listed.filter((e): e is TraceExporterName => e !== 'none'))];
  const tracesDir = v.FLYWHEEL_TRACES_DIR;
  const otlpTracesUrl =
    v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (v.OTEL_EXPORTER_OTLP_ENDPOINT === undefined
      ? undefined
      : `${v.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`);
  const problems: string[] = [];
  const otlpHeaders = {
    ...parseHeaders('OTEL_EXPORTER_OTLP_HEADERS', v.OTEL_EXPORTER_OTLP_HEADERS, problems),
    ...parseHeaders('OTEL_EXPORTER_OTLP_TRACES_HEADERS', v.OTEL_EXPORTER_OTLP_TRACES_HEADERS, problems),
  };
  if (problems.length > 0) throw new TelemetryConfigError(problems);
  return {
    serviceName: v.OTEL_SERVICE_NAME ?? serviceName,
    sdkDisabled: v.OTEL_SDK_DISABLED,
    enabled: !v.OTEL_SDK_DISABLED && (exporters.length > 0 || tracesDir !== undefined),
    exporters,
    otlpTracesUrl,
    otlpHeaders,
    tracesDir,
    traceFileMaxBytes: v.FLYWHEEL_TRACES_MAX_MB * 1024 * 1024,
  };
}

/** `k=v,k2=v2` with URL-encoded values (the OTel spec's format); a bad pair is reported without its value. */
function parseHeaders(key: string, raw: string | undefined, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined) return out;
  raw.split(',').forEach((pair, i) => {
    const at = pair.indexOf('=');
    const name = at > 0 ? pair.slice(0, at).trim() : '';
    if (name.length === 0) {
      problems.push(`${key}: entry ${i + 1} is not name=value (value hidden)`);
      return;
    }
    try {
      out[name] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      problems.push(`${key}: the value of ${name} is not URL-encoded correctly (value hidden)`);
    }
  });
  return out;
}
