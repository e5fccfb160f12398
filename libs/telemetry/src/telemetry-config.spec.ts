import { TelemetryConfigError, loadTelemetryConfig } from './telemetry-config';

describe('loadTelemetryConfig', () => {
  it('should leave tracing off when nothing asks for it', () => {
    expect(loadTelemetryConfig('deployer', {})).toEqual({
      serviceName: 'deployer',
      sdkDisabled: false,
      enabled: false,
      exporters: [],
      otlpTracesUrl: undefined,
      otlpHeaders: {},
      tracesDir: undefined,
      traceFileMaxBytes: 64 * 1024 * 1024,
    });
  });

  it('should export over OTLP when an OTLP endpoint is set and no exporter is named', () => {
    const config = loadTelemetryConfig('deployer', {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-tenant=flywheel',
    });
    expect(config).toMatchObject({
      enabled: true,
      exporters: ['otlp'],
      otlpTracesUrl: 'http://collector:4318/v1/traces',
      otlpHeaders: { authorization: 'Bearer abc', 'x-tenant': 'flywheel' },
    });
    expect(
      loadTelemetryConfig('d', {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/traces',
      }).otlpTracesUrl,
    ).toBe('http://b:4318/traces');
  });

  it('should take the exporters, the span directory and the service name override', () => {
    const config = loadTelemetryConfig('deployer', {
      OTEL_TRACES_EXPORTER: 'console, OTLP,console',
      FLYWHEEL_TRACES_DIR: '/tmp/traces',
      OTEL_SERVICE_NAME: 'deployer-eu',
      FLYWHEEL_TRACES_MAX_MB: '8',
    });
    expect(config).toEqual({
      serviceName: 'deployer-eu',
      sdkDisabled: false,
      enabled: true,
      exporters: ['console', 'otlp'],
      otlpTracesUrl: undefined,
      otlpHeaders: {},
      tracesDir: '/tmp/traces',
      traceFileMaxBytes: 8 * 1024 * 1024,
    });
  });

  it('should keep only the span files with OTEL_TRACES_EXPORTER=none', () => {
    const config = loadTelemetryConfig('x', {
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      FLYWHEEL_TRACES_DIR: '/tmp/t',
    });
    expect(config).toMatchObject({ enabled: true, exporters: [], tracesDir: '/tmp/t' });
  });

  it('should turn everything off with OTEL_SDK_DISABLED, and treat blank as unset', () => {
    expect(
      loadTelemetryConfig('x', { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp', FLYWHEEL_TRACES_DIR: ' ' }),
    ).toMatchObject({ sdkDisabled: true, enabled: false, tracesDir: undefined });
  });

  it('should list every bad variable at once', () => {
    let error: unknown;
    try {
      loadTelemetryConfig('x', {
        OTEL_TRACES_EXPORTER: 'otlp,zipkin',
        OTEL_SDK_DISABLED: 'maybe',
        FLYWHEEL_TRACES_MAX_MB: '0',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TelemetryConfigError);
    const problems = (error as TelemetryConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT: must be a URL/);
    expect(problems.join('\n')).toMatch(/FLYWHEEL_TRACES_MAX_MB: must be at least 1/);
    expect(problems.join('\n')).toMatch(/OTEL_TRACES_EXPORTER: each exporter must be one of otlp, console, none/);
    expect(problems.join('\n')).toMatch(/OTEL_SDK_DISABLED: .*"maybe"/);
  });

  it('should report a malformed header without printing its value', () => {
    expect(() => loadTelemetryConfig('x', { OTEL_EXPORTER_OTLP_HEADERS: 'secret-token-only' })).toThrow(
      /OTEL_EXPORTER_OTLP_HEADERS: entry 1 is not name=value \(value hidden\)/,
    );
    expect(() => loadTelemetryConfig('x', { OTEL_EXPORTER_OTLP_HEADERS: 'secret-token-only' })).not.toThrow(
      /secret-token/,
    );
  });

  it('should refuse none next to another exporter', () => {
    expect(() => loadTelemetryConfig('x', { OTEL_TRACES_EXPORTER: 'none,otlp' })).toThrow(/'none' cannot be combined/);
  });
});
