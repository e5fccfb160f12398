// docker-compose.yaml without Docker: valid against the Compose Specification schema, every service started after
// what it needs is healthy, and — the part a schema cannot see — each flywheel service's environment, after
// interpolation with deploy/.env.example, loads with that service's own env definition and selects the production
// adapters (Kafka, Schema Registry, Elasticsearch, MongoDB). Each check is shown to reject a broken copy.
import { readFileSync } from 'node:fs';
import { loadTelemetryConfig } from '@flywheel/telemetry';
import {
  dependenciesOf,
  ENV_EXAMPLE_PATH,
  environmentOf,
  interpolate,
  InterpolationError,
  isObject,
  parseEnvFile,
  readCompose,
  servicesOf,
  validateCompose,
  type JsonObject,
} from './compose-file';
import { FLYWHEEL_SERVICES, problemsOf, secretKeysOf, type FlywheelService } from './flywheel-services';

const raw = readCompose();
const envExample = parseEnvFile(readFileSync(ENV_EXAMPLE_PATH, 'utf8'));
const compose = interpolate(raw, envExample);
const services = servicesOf(compose);

const INFRASTRUCTURE = ['kafka', 'schema-registry', 'elasticsearch', 'mongodb'];
const OBSERVABILITY = ['otel-collector', 'tempo-init', 'tempo', 'prometheus', 'grafana', 'kafka-exporter'];

function copy(doc: JsonObject): JsonObject {
  return JSON.parse(JSON.stringify(doc)) as JsonObject;
}

function serviceIn(doc: JsonObject, name: string): JsonObject {
  const service = servicesOf(doc)[name];
  if (service === undefined) throw new Error(`no service ${name}`);
  return service;
}

function environmentFor(service: FlywheelService, doc: JsonObject = compose): Record<string, string> {
  return environmentOf(serviceIn(doc, service.name));
}

describe('docker-compose.yaml: the Compose Specification', () => {
  it('is valid against the Compose Specification schema, before and after interpolation', () => {
    expect(validateCompose(raw)).toEqual([]);
    expect(validateCompose(compose)).toEqual([]);
  });

  it('rejects broken copies: an unknown condition, a healthcheck interval without unit, an unknown key', () => {
    const badCondition = copy(compose);
    serviceIn(badCondition, 'log-ingester').depends_on = { kafka: { condition: 'service_ready' } };
    expect(validateCompose(badCondition).length).toBeGreaterThan(0);

    const badInterval = copy(compose);
    const healthcheck = serviceIn(badInterval, 'deployer').healthcheck;
    if (!isObject(healthcheck)) throw new Error('deployer has no healthcheck');
    healthcheck.interval = 'ten seconds';
    expect(validateCompose(badInterval).length).toBeGreaterThan(0);

    const unknownKey = copy(compose);
    serviceIn(unknownKey, 'kafka').healthchek = { test: ['CMD', 'true'] };
    expect(validateCompose(unknownKey).map((e) => e.params)).toContainEqual({ additionalProperty: 'healthchek' });
  });

  it('refuses to interpolate without the secrets, naming each one', () => {
    let problems: readonly string[] = [];
    try {
      interpolate(raw, {});
    } catch (err) {
      if (!(err instanceof InterpolationError)) throw err;
      problems = err.problems;
    }
    for (const name of ['ELASTICSEARCH_PASSWORD', 'MONGODB_PASSWORD', 'GRAFANA_ADMIN_PASSWORD']) {
      expect(problems.some((p) => p.includes(`${name} is required`))).toBe(true);
    }
  });
});

describe('docker-compose.yaml: services and start order', () => {
  it('has the infrastructure, the observability stack, the six services and the simulator', () => {
    expect(Object.keys(services).sort()).toEqual(
      [...INFRASTRUCTURE, ...OBSERVABILITY, ...FLYWHEEL_SERVICES.map((s) => s.name), 'platform-simulator'].sort(),
    );
  });

  it('runs Kafka in KRaft mode (broker and controller, no ZooKeeper)', () => {
    const env = environmentOf(services.kafka ?? {});
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toMatch(/^1@kafka:\d+$/);
    expect(Object.keys(env).some((k) => k.includes('ZOOKEEPER'))).toBe(false);
  });

  it('depends only on services that exist, and waits for health where there is a health check', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, condition] of Object.entries(dependenciesOf(service))) {
        const target = services[dependency];
        expect({ name, dependency, exists: target !== undefined }).toEqual({ name, dependency, exists: true });
        if (target?.healthcheck !== undefined)
          expect({ name, dependency, condition }).toMatchObject({ condition: 'service_healthy' });
      }
    }
  });

  it('starts each flywheel service after Kafka, the registry and the stores it reads are healthy', () => {
    const needs: Record<string, string[]> = {
      'log-ingester': ['elasticsearch'],
      'dataset-builder': ['elasticsearch'],
      'results-aggregator': ['elasticsearch', 'mongodb'],
    };
    for (const service of FLYWHEEL_SERVICES) {
      const deps = dependenciesOf(serviceIn(compose, service.name));
      for (const dependency of ['kafka', 'schema-registry', ...(needs[service.name] ?? [])]) {
        expect({ service: service.name, dependency, condition: deps[dependency] }).toEqual({
          service: service.name,
          dependency,
          condition: 'service_healthy',
        });
      }
    }
  });

  it('gives every flywheel service a readiness health check on the port its config listens on', () => {
    for (const service of FLYWHEEL_SERVICES) {
      const healthcheck = serviceIn(compose, service.name).healthcheck;
      expect(isObject(healthcheck)).toBe(true);
      const test = isObject(healthcheck) ? JSON.stringify(healthcheck.test) : '';
      const { port } = service.load(environmentFor(service));
      expect({ service: service.name, test }).toEqual({
        service: service.name,
        test: expect.stringContaining(`http://127.0.0.1:${port}/health/ready`) as unknown,
      });
    }
  });

  it('runs every flywheel service from the one Dockerfile, by its bundle', () => {
    for (const name of [...FLYWHEEL_SERVICES.map((s) => s.name), 'platform-simulator']) {
      const service = serviceIn(compose, name);
      expect(service.build).toMatchObject({ context: '.', dockerfile: 'deploy/Dockerfile', target: 'runtime' });
      expect({ name, bundle: Array.isArray(service.command) ? service.command[0] : service.command }).toEqual({
        name,
        bundle: `dist/services/${name}.js`,
      });
    }
  });

  it('starts the platform simulator only with the simulator profile, and the services point at it by default', () => {
    expect(serviceIn(compose, 'platform-simulator').profiles).toEqual(['simulator']);
    for (const [name, service] of Object.entries(services)) {
      if (name !== 'platform-simulator')
        expect({ name, profiles: service.profiles }).toEqual({ name, profiles: undefined });
    }
    expect(environmentFor(FLYWHEEL_SERVICES[2] as FlywheelService).NEMO_BASE_URL).toBe(
      'http://platform-simulator:8080',
    );
  });
});

describe('docker-compose.yaml: each service env against its own env definition', () => {
  it.each(FLYWHEEL_SERVICES.map((s) => [s.name, s] as const))(
    '%s loads its environment and selects the production adapters',
    (_name, service) => {
      const env = environmentFor(service);
      expect(problemsOf(service, env)).toEqual([]);
      const summary = service.load(env);
      expect(summary).toMatchObject({
        host: '0.0.0.0',
        port: service.port,
        brokers: ['kafka:9092'],
        schemaRegistryUrl: 'http://schema-registry:8081',
      });
      for (const store of summary.stores) expect(['log:elasticsearch', 'run:mongodb']).toContain(store);
      expect(env).toMatchObject({
        OTEL_SERVICE_NAME: service.name,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
        OTEL_TRACES_EXPORTER: 'otlp',
      });
      // The same variables through the telemetry library's own config: traces on, OTLP, named after the service.
      expect(loadTelemetryConfig(service.name, env)).toMatchObject({
        enabled: true,
        exporters: ['otlp'],
        serviceName: service.name,
      });
    },
  );

  it('uses Elasticsearch for the log store and MongoDB for the run store wherever a store is read', () => {
    const stores = Object.fromEntries(FLYWHEEL_SERVICES.map((s) => [s.name, s.load(environmentFor(s)).stores]));
    expect(stores).toEqual({
      'log-ingester': ['log:elasticsearch'],
      'dataset-builder': ['log:elasticsearch'],
      deployer: [],
      'customizer-driver': [],
      'evaluator-driver': [],
      'results-aggregator': ['log:elasticsearch', 'run:mongodb'],
    });
  });

  it.each(FLYWHEEL_SERVICES.map((s) => [s.name, s] as const))(
    '%s takes every secret from .env, never a literal, and its boot summary redacts it',
    (_name, service) => {
      const rawEnv = environmentOf(serviceIn(raw, service.name));
      const env = environmentFor(service);
      for (const key of secretKeysOf(service)) {
        if (rawEnv[key] === undefined) continue;
        expect({ key, value: rawEnv[key] }).toEqual({
          key,
          // From .env by interpolation (a URL may wrap the interpolated password), never a literal.
          value: expect.stringMatching(/\$\{[A-Z_]+[:?-]/) as unknown,
        });
      }
      const summary = service.env.describe(env).join('\n');
      for (const key of secretKeysOf(service)) {
        const value = env[key];
        if (value !== undefined && value !== '') expect(summary).not.toContain(value);
      }
      if (env.ELASTICSEARCH_PASSWORD !== undefined) {
        expect(summary).toContain('ELASTICSEARCH_PASSWORD=<redacted>');
      }
    },
  );

  // MONGODB_URL carries the MongoDB password: service-kit marks it secret, so boot summaries redact it.
  it('no boot summary prints a password from .env', () => {
    const passwords = Object.entries(envExample)
      .filter(([key]) => key.endsWith('_PASSWORD'))
      .map(([, value]) => value);
    for (const service of FLYWHEEL_SERVICES) {
      const summary = service.env.describe(environmentFor(service)).join('\n');
      for (const password of passwords)
        expect({ service: service.name, leaks: summary.includes(password) }).toEqual({
          service: service.name,
          leaks: false,
        });
    }
  });

  it('has teeth: a missing URL, a typo and a variable another service owns are each refused by name', () => {
    const [ingester, builder] = FLYWHEEL_SERVICES as [FlywheelService, FlywheelService];
    const withoutUrl = environmentFor(ingester);
    delete withoutUrl.ELASTICSEARCH_URL;
    expect(problemsOf(ingester, withoutUrl)).toEqual([expect.stringContaining('ELASTICSEARCH_URL')]);

    const typo = { ...environmentFor(ingester), INGESTER_BACH_MAX_RECORDS: '10' };
    expect(problemsOf(ingester, typo)).toEqual([expect.stringContaining('INGESTER_BACH_MAX_RECORDS')]);

    // The builder owns NEMO_* but reads no NIM key: giving it the platform anchor of the drivers would stop its boot.
    const foreign = { ...environmentFor(builder), NEMO_NIM_API_KEY: 'k' };
    expect(problemsOf(builder, foreign)).toEqual([expect.stringContaining('NEMO_NIM_API_KEY: unknown setting')]);

    const broken = copy(raw);
    const env = serviceIn(broken, 'results-aggregator').environment;
    if (!isObject(env)) throw new Error('results-aggregator has no environment map');
    env.RUN_STORE_KIND = 'postgres';
    const aggregator = FLYWHEEL_SERVICES[5] as FlywheelService;
    expect(problemsOf(aggregator, environmentFor(aggregator, interpolate(broken, envExample)))).toEqual([
      expect.stringContaining('RUN_STORE_KIND'),
    ]);
  });

  it('runs the platform services on OpenAI-compatible endpoints with the example in deploy/.env.example', () => {
    const commented = readFileSync(ENV_EXAMPLE_PATH, 'utf8')
      .split('\n')
      .map((line) => /^#\s+(PLATFORM_BACKEND|OPENAI_COMPATIBLE_CONFIG)=(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null);
    const vars = { ...envExample, ...Object.fromEntries(commented.map((m) => [m[1] ?? '', m[2] ?? ''])) };
    expect(vars.PLATFORM_BACKEND).toBe('openai-compatible');
    const doc = interpolate(raw, vars);
    for (const service of FLYWHEEL_SERVICES.filter((s) => s.load(environmentFor(s)).platform !== undefined)) {
      const env = environmentFor(service, doc);
      expect({ service: service.name, problems: problemsOf(service, env) }).toEqual({
        service: service.name,
        problems: [],
      });
      expect(service.load(env).platform).toBe('openai-compatible');
    }
  });
});
