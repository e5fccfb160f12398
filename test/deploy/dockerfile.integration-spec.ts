// deploy/Dockerfile without Docker: the stages compose builds exist, the build stage has the native toolchain
// better-sqlite3 needs, builds the service bundles and then drops the dev dependencies, the runtime gets only the
// bundles and the production node_modules and runs a bundle with node, and the build context leaves out local state
// and secrets. That the bundles need nothing pruned is service-bundles.integration-spec.ts's job.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  isObject,
  parseEnvFile,
  readCompose,
  interpolate,
  REPO_ROOT,
  servicesOf,
  ENV_EXAMPLE_PATH,
} from './compose-file';

const dockerfile = readFileSync(resolve(REPO_ROOT, 'deploy/Dockerfile'), 'utf8');
const dockerignore = readFileSync(resolve(REPO_ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const pkg = JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Each stage's name and its instructions (continuation lines joined). */
function stages(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const from = /^FROM\s+\S+\s+AS\s+(\S+)$/i.exec(trimmed);
    if (from !== null) {
      current = [];
      out.set(from[1] ?? '', current);
    } else current?.push(trimmed);
  }
  return out;
}

describe('deploy/Dockerfile', () => {
  const byStage = stages(dockerfile);

  it('has the stages compose builds, the runtime last', () => {
    const compose = servicesOf(interpolate(readCompose(), parseEnvFile(readFileSync(ENV_EXAMPLE_PATH, 'utf8'))));
    const targets = new Set(
      Object.values(compose)
        .map((s) => (isObject(s.build) ? s.build.target : undefined))
        .filter((t): t is string => typeof t === 'string'),
    );
    expect([...targets]).toEqual(['runtime']);
    expect([...byStage.keys()]).toEqual(['manifests', 'build', 'runtime']);
  });

  it('installs with npm ci and the toolchain better-sqlite3 compiles with, in the build stage only', () => {
    const build = (byStage.get('build') ?? []).join('\n');
    expect(build).toMatch(/apt-get install[^\n]*python3[^\n]*make[^\n]*g\+\+/);
    expect(build).toContain('npm ci');
    expect((byStage.get('runtime') ?? []).join('\n')).not.toMatch(/g\+\+|apt-get install/);
    expect(pkg.dependencies['better-sqlite3']).toBeDefined();
  });

  it('builds the bundles with the dev dependencies, then prunes them, in the build stage', () => {
    const build = byStage.get('build') ?? [];
    const at = (pattern: RegExp): number => build.findIndex((line) => pattern.test(line));
    const install = at(/\bnpm ci\b/);
    const sources = at(/^COPY services /);
    const bundle = at(/\bnpm run build:services\b/);
    const prune = at(/\bnpm prune --omit=dev\b/);
    const steps = { install, sources, bundle, prune };
    expect(Object.keys(steps).filter((step) => steps[step as keyof typeof steps] < 0)).toEqual([]);
    // In this order: install (with dev), sources, bundle (tsx and esbuild are dev), prune after the bundles exist.
    expect(install).toBeLessThan(sources);
    expect(sources).toBeLessThanOrEqual(bundle);
    expect(bundle).toBeLessThanOrEqual(prune);
    if (bundle === prune) {
      const line = build[bundle] ?? '';
      expect(line.indexOf('build:services')).toBeLessThan(line.indexOf('npm prune'));
    }
    expect(pkg.scripts['build:services']).toBe('tsx libs/dev-stack/src/build-services-main.ts');
    for (const tool of ['tsx', 'esbuild']) {
      expect({
        tool,
        dev: pkg.devDependencies[tool] !== undefined,
        prod: pkg.dependencies[tool] !== undefined,
      }).toEqual({ tool, dev: true, prod: false });
    }
  });

  it('gives the runtime only node_modules, the bundles and package.json, and runs a bundle with node', () => {
    const runtime = byStage.get('runtime') ?? [];
    const copied = runtime
      .filter((line) => line.startsWith('COPY'))
      .map((line) => {
        const args = line.split(/\s+/).filter((a) => !a.startsWith('--') && a !== 'COPY');
        return args[0] ?? '';
      });
    expect(copied.sort()).toEqual(['/app/dist/services', '/app/node_modules', '/app/package.json']);
    expect(runtime.every((line) => !line.startsWith('COPY') || line.includes('--from=build'))).toBe(true);
    expect(runtime.join('\n')).not.toMatch(/\btsx\b|\.ts\b/);
    expect(runtime).toContain('ENTRYPOINT ["node", "--enable-source-maps"]');
    expect(runtime).toContain('CMD ["dist/services/results-aggregator.js"]');
    expect(runtime).toContain('USER node');
  });

  it('keeps node_modules, local state and .env out of the build context', () => {
    for (const pattern of ['**/node_modules', '**/.data', '.env', '.git']) expect(dockerignore).toContain(pattern);
  });
});
