// Each supervised process runs from a bundle built with esbuild at stack start: the process's own code and the
// workspace libraries it imports in one CommonJS file (with a source map), npm packages left to `require`. Built
// fresh every start (about half a second for all seven), so a bundle never lags behind the sources.
//
// Why not tsx, as before: under tsx every `require` of an already loaded module goes through tsx's resolver, and the
// OpenTelemetry instrumentations' require hook resolves every `require` call. kafkajs requires its protocol modules
// on each request, so with tracing on every service spent ~8 % of its CPU resolving module paths (profile of 20
// concurrent runs). The bundles are also what the container image runs (`npm run build:services`).
//
// kafkajs is bundled too: it `require`s a protocol module on every request (fetch, commit, heartbeat), and in a
// process with the OpenTelemetry instrumentations each of those calls went through their require hook (a path
// resolution and a package.json read every time). Bundled, those are plain function calls. It has no dependencies
// and only literal requires, so the bundle holds all of it.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Plugin, build } from 'esbuild';
import { mainPathOf, type StackProcessName } from './services';

/** npm packages bundled into the processes instead of left to `require` (see above). */
const BUNDLED_PACKAGES: ReadonlySet<string> = new Set(['kafkajs']);

/** Bare imports stay `require`s from node_modules, except BUNDLED_PACKAGES and the workspace's `@flywheel/*`. */
const externalPackages: Plugin = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@flywheel/')) return undefined; // tsconfig paths: bundled
      const parts = args.path.split('/');
      const name = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? args.path);
      return BUNDLED_PACKAGES.has(name) ? undefined : { path: args.path, external: true };
    });
  },
};

/** The child-side watchdog every process loads first (`--require`). */
export const PARENT_WATCH = 'parent-watch';

export interface BundleSet {
  /** The bundle of each requested process. */
  readonly mains: ReadonlyMap<StackProcessName, string>;
  /** The parent watchdog, preloaded into every child. */
  readonly parentWatch: string;
}

export class BundleBuildError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'BundleBuildError';
  }
}

/**
 * Bundles `services/<name>/src/main.ts` of each named process (and the parent watchdog) into `outDir`. TypeScript
 * path aliases come from the checkout's tsconfig.json when it has one, so `@flywheel/*` is bundled and every other
 * bare import stays a `require` resolved from node_modules at run time. Rejects with the compiler's messages.
 */
export async function buildBundles(
  repoRoot: string,
  names: readonly StackProcessName[],
  outDir: string,
): Promise<BundleSet> {
  mkdirSync(outDir, { recursive: true });
  const entryPoints: Record<string, string> = { [PARENT_WATCH]: join(__dirname, 'parent-watch.ts') };
  for (const name of names) entryPoints[name] = mainPathOf(repoRoot, name);
  const tsconfig = join(repoRoot, 'tsconfig.json');
  try {
    await build({
      entryPoints,
      outdir: outDir,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      plugins: [externalPackages],
      sourcemap: 'linked',
      // Names stay readable in stack traces and CPU profiles; the files are read by Node, not downloaded.
      keepNames: true,
      logLevel: 'silent',
      absWorkingDir: repoRoot,
      ...(existsSync(tsconfig) ? { tsconfig } : {}),
    });
  } catch (err) {
    const messages = (err as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
    const text =
      messages?.map((m) => (m.location ? `${m.location.file}:${m.location.line}: ${m.text}` : m.text)).join('\n') ??
      (err instanceof Error ? err.message : String(err));
    throw new BundleBuildError(`could not bundle the stack's processes:\n${text}`);
  }
  return {
    mains: new Map(names.map((name) => [name, join(outDir, `${name}.js`)])),
    parentWatch: join(outDir, `${PARENT_WATCH}.js`),
  };
}
