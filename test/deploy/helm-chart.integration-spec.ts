// deploy/helm/flywheel without helm: the chart metadata, the templates' delimiters and blocks, every value a template
// reads present in values.yaml, and each service's env in the values (common + its own + the Secret's keys) loaded
// by that service's own env definition. What this cannot see: Go-template evaluation and the rendered YAML.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadTelemetryConfig } from '@flywheel/telemetry';
import { parse } from 'yaml';
import { isObject, REPO_ROOT, scalarText, type Json, type JsonObject } from './compose-file';
import { FLYWHEEL_SERVICES, problemsOf, secretKeysOf, type FlywheelService } from './flywheel-services';
import { actionsOf, blockProblems, definedNames, includedNames, lookup, valuesProblems } from './helm-templates';

const CHART = resolve(REPO_ROOT, 'deploy/helm/flywheel');
const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as JsonObject;
const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as JsonObject;
const templates = readdirSync(join(CHART, 'templates'))
  .filter((f) => f.endsWith('.yaml') || f.endsWith('.tpl') || f.endsWith('.txt'))
  .map((file) => ({ file, text: readFileSync(join(CHART, 'templates', file), 'utf8') }));

/** Values a real install puts in the Secret: what each secret key looks like. */
const SECRET_SAMPLES: Record<string, string> = {
  ELASTICSEARCH_PASSWORD: 'es-password',
  MONGODB_URL: 'mongodb://flywheel:mongo-password@mongodb:27017/?authSource=admin',
  NEMO_HF_TOKEN: 'hf-token',
  NEMO_NIM_API_KEY: 'nim-key',
  EMBEDDING_API_KEY: 'embedding-key',
};

/** Keys that hold credentials without being marked secret by their service (a URL with a password, JSON with keys). */
const CREDENTIAL_KEYS = ['MONGODB_URL', 'OPENAI_COMPATIBLE_CONFIG'];

function serviceValues(name: string): JsonObject {
  const services = values.services;
  const svc = isObject(services) ? services[name] : undefined;
  if (!isObject(svc)) throw new Error(`values.yaml has no services.${name}`);
  return svc;
}

function stringMap(node: Json | undefined): Record<string, string> {
  if (!isObject(node)) return {};
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, scalarText(v)]));
}

function secretEnvOf(name: string): string[] {
  const keys = serviceValues(name).secretEnv;
  return Array.isArray(keys) ? keys.map(String) : [];
}

/** The environment the Deployment gives a service: its ConfigMap (envFrom) and the Secret's keys (env). */
function podEnv(service: FlywheelService, secrets: Record<string, string> = SECRET_SAMPLES): Record<string, string> {
  const env: Record<string, string> = {
    OTEL_SERVICE_NAME: service.name,
    ...stringMap(values.commonEnv),
    ...stringMap(serviceValues(service.name).env),
  };
  for (const key of secretEnvOf(service.name)) {
    const value = secrets[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

function templateProblems(text: string, vals: JsonObject): string[] {
  const problems: string[] = [];
  const actions = actionsOf(text, problems);
  return [...problems, ...blockProblems(actions), ...valuesProblems(actions, vals)];
}

describe('helm chart: metadata and templates', () => {
  it('is a v2 application chart with a semver version', () => {
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'flywheel', type: 'application' });
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each(templates.map((t) => [t.file, t.text] as const))(
    '%s: balanced {{ }}, closed blocks, and only values that exist',
    (_file, text) => {
      expect(templateProblems(text, values)).toEqual([]);
    },
  );

  it('includes only templates that _helpers.tpl defines', () => {
    const defined = new Set(templates.flatMap((t) => definedNames(actionsOf(t.text, []))));
    const included = templates.flatMap((t) => includedNames(actionsOf(t.text, [])));
    expect(included.length).toBeGreaterThan(0);
    expect(included.filter((name) => !defined.has(name))).toEqual([]);
  });

  it('rejects broken templates: an unclosed action, a stray end, a missing value, a field a service lacks', () => {
    expect(templateProblems('image: {{ .Values.image.tag }\n', values)).toEqual([
      expect.stringContaining('never closed'),
    ]);
    expect(templateProblems('{{ if .Values.image.tag }}a{{ end }}{{ end }}', values)).toEqual([
      '"end" without an open block',
    ]);
    expect(templateProblems('{{ range .Values.services }}', values)).toEqual(['"range" never closed by "end"']);
    expect(templateProblems('{{ .Values.image.digest }}', values)).toEqual([
      '.Values.image.digest is not in values.yaml',
    ]);
    const broken = JSON.parse(JSON.stringify(values)) as JsonObject;
    delete (lookup(broken, ['services', 'deployer']) as JsonObject).port;
    const deployment = templates.find((t) => t.file === 'deployment.yaml')?.text ?? '';
    expect(templateProblems(deployment, broken)).toContain('$svc.port is missing from .Values.services.deployer');
  });

  it('gives every Deployment liveness and readiness probes on the service-kit health endpoints', () => {
    const deployment = templates.find((t) => t.file === 'deployment.yaml')?.text ?? '';
    expect(deployment).toMatch(/livenessProbe:\s+httpGet:\s+path: \/health\/live/);
    expect(deployment).toMatch(/readinessProbe:\s+httpGet:\s+path: \/health\/ready/);
    expect(deployment).toContain('resources:');
  });
});

describe('helm chart: each service in values.yaml', () => {
  it('has exactly the six services, each on the port its config listens on', () => {
    expect(Object.keys(isObject(values.services) ? values.services : {}).sort()).toEqual(
      FLYWHEEL_SERVICES.map((s) => s.name).sort(),
    );
    for (const service of FLYWHEEL_SERVICES) {
      const svc = serviceValues(service.name);
      expect({ name: service.name, port: svc.port, entry: svc.entry }).toEqual({
        name: service.name,
        port: service.port,
        entry: `dist/services/${service.name}.js`,
      });
      expect(service.load(podEnv(service)).port).toBe(service.port);
    }
  });

  it.each(FLYWHEEL_SERVICES.map((s) => [s.name, s] as const))(
    '%s: its pod env loads with its env definition and selects the production adapters',
    (_name, service) => {
      const env = podEnv(service);
      expect(problemsOf(service, env)).toEqual([]);
      const summary = service.load(env);
      expect(summary).toMatchObject({
        host: '0.0.0.0',
        brokers: ['kafka:9092'],
        schemaRegistryUrl: 'http://schema-registry:8081',
      });
      for (const store of summary.stores) expect(['log:elasticsearch', 'run:mongodb']).toContain(store);
      expect(loadTelemetryConfig(service.name, env)).toMatchObject({
        enabled: true,
        exporters: ['otlp'],
        serviceName: service.name,
      });
    },
  );

  it('fails a service whose required secret is missing from the Secret, naming the key', () => {
    const aggregator = FLYWHEEL_SERVICES.find((s) => s.name === 'results-aggregator') as FlywheelService;
    const { MONGODB_URL: _dropped, ...withoutMongo } = SECRET_SAMPLES;
    expect(problemsOf(aggregator, podEnv(aggregator, withoutMongo))).toEqual([expect.stringContaining('MONGODB_URL')]);
  });

  it.each(FLYWHEEL_SERVICES.map((s) => [s.name, s] as const))(
    '%s: secrets come from the Secret, never from the ConfigMap',
    (_name, service) => {
      const inConfigMap = [
        ...Object.keys(stringMap(values.commonEnv)),
        ...Object.keys(stringMap(serviceValues(service.name).env)),
      ];
      const credentials = [...secretKeysOf(service), ...CREDENTIAL_KEYS.filter((k) => service.env.keys.includes(k))];
      expect(inConfigMap.filter((k) => credentials.includes(k))).toEqual([]);
      // Every key read from the Secret is a setting of this service (a typo would be silently unset) and has a slot.
      const secretValues = lookup(values, ['secrets', 'values']);
      for (const key of secretEnvOf(service.name)) {
        expect({ key, known: service.env.keys.includes(key) }).toEqual({ key, known: true });
        expect({ key, slot: isObject(secretValues) && key in secretValues }).toEqual({ key, slot: true });
      }
      // And every credential the service can read is wired to the Secret.
      expect(credentials.filter((k) => !secretEnvOf(service.name).includes(k))).toEqual([]);
    },
  );

  it('autoscales on consumer lag only where replicas can share the work, within the partition count', () => {
    const scaled: string[] = [];
    for (const service of FLYWHEEL_SERVICES) {
      const svc = serviceValues(service.name);
      const autoscaling = svc.autoscaling;
      const persistence = svc.persistence;
      if (!isObject(autoscaling) || !isObject(persistence)) throw new Error(`${service.name}: incomplete values`);
      if (autoscaling.enabled === true) scaled.push(service.name);
      // A service with a state file is one process: no HPA, one replica.
      if (persistence.enabled === true) {
        expect({ name: service.name, hpa: autoscaling.enabled, replicas: svc.replicas }).toEqual({
          name: service.name,
          hpa: false,
          replicas: 1,
        });
      }
    }
    expect(scaled).toEqual(['log-ingester']);
    const ingester = serviceValues('log-ingester');
    const partitions = Number(stringMap(ingester.env).INGESTER_TOPIC_PARTITIONS);
    expect(lookup(ingester, ['autoscaling', 'maxReplicas'])).toBeLessThanOrEqual(partitions);
    expect(lookup(ingester, ['autoscaling', 'consumerGroup'])).toBe('log-ingester');
  });
});
