// The bundles the image runs, built the way deploy/Dockerfile builds them (`npm run build:services`) into a temporary
// directory: one per compose command and Helm `entry`, and nothing in them that `npm prune --omit=dev` removes. The
// runtime stage has node_modules (production dependencies only) and these files; a workspace library left unbundled
// or a package only in devDependencies would fail here instead of at the container's boot.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { FLYWHEEL_SERVICES } from '@flywheel/dev-stack';
import { parse } from 'yaml';
import { packageOf, requiresOf } from './bundle-requires';
import {
  isObject,
  parseEnvFile,
  readCompose,
  interpolate,
  REPO_ROOT,
  scalarText,
  servicesOf,
  ENV_EXAMPLE_PATH,
} from './compose-file';

// npm, tsx and esbuild on two busy cores: seconds normally, far more under load.
const BUILD_TIMEOUT_MS = 240_000;

const pkg = JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
/** package-lock.json marks what only dev dependencies pull in (`dev`), which `npm prune --omit=dev` removes. */
const lock = JSON.parse(readFileSync(resolve(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; dev?: boolean; devOptional?: boolean }>;
};

/** What a container is told to run: the first argument of each flywheel service's compose command. */
function composeBundles(): Record<string, string> {
  const compose = servicesOf(interpolate(readCompose(), parseEnvFile(readFileSync(ENV_EXAMPLE_PATH, 'utf8'))));
  const out: Record<string, string> = {};
  for (const name of [...FLYWHEEL_SERVICES, 'platform-simulator']) {
    const command = compose[name]?.command;
    const first = Array.isArray(command) ? command[0] : command;
    out[name] = first === undefined ? '' : scalarText(first);
  }
  return out;
}

function helmBundles(): Record<string, string> {
  const values = parse(readFileSync(resolve(REPO_ROOT, 'deploy/helm/flywheel/values.yaml'), 'utf8')) as unknown;
  const services = isObject(values) ? values.services : undefined;
  if (!isObject(services)) throw new Error('values.yaml has no services');
  return Object.fromEntries(
    Object.entries(services).map(([name, svc]) => [name, isObject(svc) ? scalarText(svc.entry ?? '') : '']),
  );
}

function buildServices(outDir: string): SpawnSyncReturns<string> {
  return spawnSync('npm', ['run', '--silent', 'build:services', '--', '--out', outDir], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
}

describe('npm run build:services: the bundles the image runs', () => {
  let work: string;
  let outDir: string;
  let build: SpawnSyncReturns<string>;
  // Every file a deployment names: compose commands (the six services and the simulator) and Helm entries (the six).
  const wanted = [
    ...Object.entries(composeBundles()).map(([name, file]) => ({ from: 'compose', name, file })),
    ...Object.entries(helmBundles()).map(([name, file]) => ({ from: 'helm', name, file })),
  ];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'flywheel-bundles-'));
    outDir = join(work, 'dist', 'services');
    build = buildServices(outDir);
  }, BUILD_TIMEOUT_MS + 10_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('builds, listing each bundle it wrote', () => {
    expect({ status: build.status, stderr: build.stderr }).toMatchObject({ status: 0 });
    for (const { file } of wanted) expect(build.stdout).toContain(basename(file));
  });

  it('writes the bundle (with its source map) of every compose command and Helm entry', () => {
    expect(wanted.map(({ from, name }) => `${from}:${name}`).sort()).toEqual(
      [
        ...[...FLYWHEEL_SERVICES, 'platform-simulator'].map((name) => `compose:${name}`),
        ...FLYWHEEL_SERVICES.map((name) => `helm:${name}`),
      ].sort(),
    );
    for (const { from, name, file } of wanted) {
      // Relative to the image's WORKDIR (/app), where the Dockerfile puts dist/services.
      expect({ from, name, file }).toEqual({ from, name, file: `dist/services/${name}.js` });
      const bundle = join(outDir, basename(file));
      expect({ from, name, bundle: existsSync(bundle), map: existsSync(`${bundle}.map`) }).toEqual({
        from,
        name,
        bundle: true,
        map: true,
      });
    }
  });

  it('requires only packages in "dependencies", so the pruned image can load every bundle', () => {
    const all = new Set<string>();
    for (const name of new Set(wanted.map((w) => w.name))) {
      const { packages, dynamic } = requiresOf(readFileSync(join(outDir, `${name}.js`), 'utf8'));
      expect({ name, dynamic }).toEqual({ name, dynamic: [] });
      const missing = packages.filter((p) => pkg.dependencies[p] === undefined);
      expect({ name, missing }).toEqual({ name, missing: [] });
      // And the installed copy at the top of node_modules (the one a bundle resolves) survives the prune.
      const pruned = packages.filter((p) => {
        const entry = lock.packages[`node_modules/${p}`];
        return entry === undefined || entry.dev === true || entry.devOptional === true;
      });
      expect({ name, pruned }).toEqual({ name, pruned: [] });
      for (const p of packages) all.add(p);
    }
    // The workspace libraries are inside the bundles; the runtime has no sources to resolve them from.
    expect([...all].filter((p) => p.startsWith('@flywheel/'))).toEqual([]);
    // The check sees the real externals (not a regex matching nothing).
    for (const p of ['avsc', 'better-sqlite3', '@nestjs/core']) expect([...all]).toContain(p);
    // kafkajs is bundled (its per-request requires would each go through the OpenTelemetry require hook).
    expect([...all]).not.toContain('kafkajs');
  });

  it('runs a bundle with node and node_modules alone (the simulator prints its usage)', () => {
    // Outside the checkout, so neither the sources nor tsx are reachable; NODE_PATH stands in for /app/node_modules.
    const run = spawnSync(process.execPath, ['--enable-source-maps', join(outDir, 'platform-simulator.js'), '--help'], {
      cwd: work,
      encoding: 'utf8',
      timeout: 60_000,
      env: { NODE_PATH: join(REPO_ROOT, 'node_modules') },
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toContain('Usage: platform-simulator');
  });

  it(
    'fails with the error, and a non-zero exit, when it cannot write the bundles',
    () => {
      const blocker = join(work, 'not-a-directory');
      writeFileSync(blocker, '');
      const failed = buildServices(join(blocker, 'services'));
      expect(failed.status).not.toBe(0);
      expect(failed.stderr).toContain('build-services:');
      expect(failed.stderr).toContain(blocker);
    },
    BUILD_TIMEOUT_MS,
  );
});

describe('bundle requires: the check itself', () => {
  it('reports packages by name, skips Node built-ins, and flags requires it cannot read', () => {
    const code = [
      'var a = require("kafkajs"), b = require("node:fs"), c = require("path");',
      'var d = require("@opentelemetry/sdk-node"), e = require("gpt-tokenizer/cjs/encoding/cl100k_base");',
      'var f = require("@flywheel/bus"), g = require(name), h = x.require("ignored");',
    ].join('\n');
    expect(requiresOf(code)).toEqual({
      packages: ['@flywheel/bus', '@opentelemetry/sdk-node', 'gpt-tokenizer', 'kafkajs'],
      dynamic: ['name'],
    });
    expect(packageOf('@scope/name/deep/path')).toBe('@scope/name');
  });
});
