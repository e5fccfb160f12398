// deploy/Dockerfile without Docker: the stages compose builds exist, the build stage has the native toolchain
// better-sqlite3 needs, the runtime runs the service entry files the way this repository does (tsx, which must stay
// installed), and the build context leaves out local state and secrets.
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

  it('runs a service by its entry file through tsx, which the install keeps', () => {
    const runtime = (byStage.get('runtime') ?? []).join('\n');
    expect(runtime).toContain('ENTRYPOINT ["node", "--import", "tsx"]');
    expect(runtime).toMatch(/^USER node$/m);
    // The build stage installs dev dependencies too (no --omit=dev): tsx is a devDependency today.
    expect(pkg.dependencies.tsx ?? pkg.devDependencies.tsx).toBeDefined();
    if (pkg.dependencies.tsx === undefined) expect((byStage.get('build') ?? []).join('\n')).not.toContain('--omit=dev');
  });

  it('keeps node_modules, local state and .env out of the build context', () => {
    for (const pattern of ['**/node_modules', '**/.data', '.env', '.git']) expect(dockerignore).toContain(pattern);
  });
});
