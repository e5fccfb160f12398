// The observability files: Prometheus scrapes every service where compose runs it, Grafana's provisioning points at
// what compose mounts, and every dashboard panel queries a metric the code really exports — or says in its
// description which metric it waits on (and deploy/README.md lists it).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RUN_ID_ATTRIBUTE } from '@flywheel/telemetry';
import { parse } from 'yaml';
import {
  environmentOf,
  interpolate,
  isObject,
  parseEnvFile,
  readCompose,
  REPO_ROOT,
  servicesOf,
  ENV_EXAMPLE_PATH,
  type JsonObject,
} from './compose-file';
import { FLYWHEEL_SERVICES } from './flywheel-services';

const GRAFANA = resolve(REPO_ROOT, 'deploy/grafana');
const compose = interpolate(readCompose(), parseEnvFile(readFileSync(ENV_EXAMPLE_PATH, 'utf8')));
const services = servicesOf(compose);
const prometheus = parse(readFileSync(resolve(REPO_ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as JsonObject;
const readme = readFileSync(resolve(REPO_ROOT, 'deploy/README.md'), 'utf8');

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly datasource?: { readonly uid: string };
  readonly targets?: readonly { readonly expr?: string; readonly query?: string }[];
}

const dashboards = readdirSync(join(GRAFANA, 'dashboards'))
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({
    file,
    doc: JSON.parse(readFileSync(join(GRAFANA, 'dashboards', file), 'utf8')) as { uid: string; panels: Panel[] },
  }));

/** Metric names the code registers (`name: 'flywheel_…'` in services and libs), read from the sources. */
function exportedMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'generated') walk(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.includes('.spec.') && !entry.name.includes('spec.ts')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/name: '(flywheel_[a-z0-9_]+)'/g)) names.add(m[1] ?? '');
      }
    }
  };
  for (const root of ['services', 'libs']) {
    for (const pkg of readdirSync(join(REPO_ROOT, root))) walk(join(REPO_ROOT, root, pkg, 'src'));
  }
  return names;
}

/** `flywheel_*` metric families a PromQL expression reads (histogram series suffixes folded into their family). */
function flywheelMetricsIn(expr: string): string[] {
  return [...expr.matchAll(/\bflywheel_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));
}

/** Panels whose query reads a flywheel metric that is neither exported nor announced as awaited. */
export function unexplainedMetrics(panels: readonly Panel[], exported: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const panel of panels) {
    for (const target of panel.targets ?? []) {
      for (const metric of flywheelMetricsIn(target.expr ?? '')) {
        if (exported.has(metric)) continue;
        if ((panel.description ?? '').includes(`Waits on: ${metric}`)) continue;
        problems.push(`${panel.title}: ${metric} is not exported`);
      }
    }
  }
  return problems;
}

describe('prometheus.yml', () => {
  it('scrapes every flywheel service on the host and port compose runs it on', () => {
    const targets = JSON.stringify(prometheus.scrape_configs);
    for (const service of FLYWHEEL_SERVICES) {
      expect(services[service.name]).toBeDefined();
      expect(environmentOf(services[service.name] ?? {}).HTTP_PORT).toBe(String(service.port));
      expect(targets).toContain(`'${service.name}:${service.port}'`.replace(/'/g, '"'));
    }
    expect(targets).toContain('"kafka-exporter:9308"');
  });

  it('is the file compose mounts into Prometheus', () => {
    expect(JSON.stringify(services.prometheus?.volumes)).toContain('./deploy/prometheus/prometheus.yml:');
  });
});

describe('grafana provisioning and dashboards', () => {
  const datasources = parse(readFileSync(join(GRAFANA, 'provisioning/datasources/datasources.yaml'), 'utf8')) as {
    datasources: { uid: string; type: string; url: string }[];
  };
  const providers = parse(readFileSync(join(GRAFANA, 'provisioning/dashboards/dashboards.yaml'), 'utf8')) as {
    providers: { options: { path: string } }[];
  };

  it('provisions Prometheus and Tempo at the addresses compose gives them', () => {
    expect(datasources.datasources.map((d) => [d.type, d.url])).toEqual([
      ['prometheus', 'http://prometheus:9090'],
      ['tempo', 'http://tempo:3200'],
    ]);
    const grafanaVolumes = JSON.stringify(services.grafana?.volumes);
    for (const provider of providers.providers) {
      expect(grafanaVolumes).toContain(`./deploy/grafana/dashboards:${provider.options.path}:ro`);
    }
  });

  it('has the pipeline overview: runs, stage durations, lag, dead letters and per-run traces', () => {
    const overview = dashboards.find((d) => d.doc.uid === 'flywheel-pipeline');
    const titles = (overview?.doc.panels ?? []).map((p) => p.title);
    for (const title of [
      'Runs started',
      'Dataset build duration',
      'Customization job duration',
      'Evaluation duration by type',
      'Consumer lag by group',
      'Dead letters by group',
      'Traces of run $run_id',
    ]) {
      expect(titles).toContain(title);
    }
  });

  it('finds the traces of a run by the span attribute the services set', () => {
    const overview = dashboards.find((d) => d.doc.uid === 'flywheel-pipeline');
    const panel = overview?.doc.panels.find((p) => p.title === 'Traces of run $run_id');
    expect(panel?.targets?.[0]?.query).toBe(`{ span.${RUN_ID_ATTRIBUTE} = "$run_id" }`);
  });

  it.each(dashboards.map((d) => [d.file, d.doc] as const))('%s: unique panel ids, known data sources', (_f, doc) => {
    const ids = doc.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const uids = new Set(datasources.datasources.map((d) => d.uid));
    for (const panel of doc.panels.filter((p) => p.type !== 'row')) {
      expect({ panel: panel.title, uid: uids.has(panel.datasource?.uid ?? '') }).toEqual({
        panel: panel.title,
        uid: true,
      });
      expect((panel.targets ?? []).length).toBeGreaterThan(0);
      expect((panel.description ?? '').length).toBeGreaterThan(0);
    }
  });

  it.each(dashboards.map((d) => [d.file, d.doc] as const))(
    '%s: every flywheel metric is exported by the code, or its panel and the README say it is awaited',
    (_f, doc) => {
      const exported = exportedMetrics();
      expect(exported.size).toBeGreaterThan(20);
      expect(unexplainedMetrics(doc.panels, exported)).toEqual([]);
      for (const panel of doc.panels) {
        for (const m of (panel.description ?? '').matchAll(/Waits on: (flywheel_[a-z0-9_]+)/g)) {
          expect({ metric: m[1], exported: exported.has(m[1] ?? '') }).toEqual({ metric: m[1], exported: false });
          expect(readme).toContain(m[1] ?? '');
        }
      }
    },
  );

  it('flags a panel that queries a metric nobody exports', () => {
    const made_up: Panel = {
      id: 1,
      type: 'timeseries',
      title: 'Made up',
      description: 'a panel',
      targets: [{ expr: 'sum(rate(flywheel_made_up_total[5m]))' }],
    };
    expect(unexplainedMetrics([made_up], exportedMetrics())).toEqual([
      'Made up: flywheel_made_up_total is not exported',
    ]);
  });
});

describe('otel collector and tempo configs', () => {
  it('receive OTLP/HTTP where the services send it and forward traces to Tempo', () => {
    const collector = parse(readFileSync(resolve(REPO_ROOT, 'deploy/otel/otel-collector.yaml'), 'utf8')) as JsonObject;
    expect(JSON.stringify(collector.receivers)).toContain('0.0.0.0:4318');
    const exporters = collector.exporters;
    expect(isObject(exporters) && isObject(exporters['otlp/tempo']) ? exporters['otlp/tempo'].endpoint : null).toBe(
      'tempo:4317',
    );
    for (const service of FLYWHEEL_SERVICES) {
      expect(environmentOf(services[service.name] ?? {}).OTEL_EXPORTER_OTLP_ENDPOINT).toBe(
        'http://otel-collector:4318',
      );
    }
    const tempo = parse(readFileSync(resolve(REPO_ROOT, 'deploy/tempo/tempo.yaml'), 'utf8')) as JsonObject;
    expect(JSON.stringify(tempo.distributor)).toContain('0.0.0.0:4317');
  });
});
