// `npm run build:services [-- --out DIR]`: the bundles the container image runs, built by the same code as the dev
// stack's (service-bundles.ts), so production and `flywheel up` run identical files. One CommonJS file and source map
// per service and the platform simulator, npm packages left to `require` from node_modules: after the build the
// image needs node_modules (production dependencies only) and these files, neither the sources nor tsx.
import { statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { Command } from 'commander';
import { buildBundles } from './supervisor/service-bundles';
import { FLYWHEEL_SERVICES, SIMULATOR } from './supervisor/services';

const REPO_ROOT = resolve(__dirname, '../../..');

const program = new Command()
  .name('build-services')
  .description('Bundle the six flywheel services and the platform simulator for the container image.')
  .option('--out <dir>', 'directory the bundles are written to', resolve(REPO_ROOT, 'dist/services'))
  .showHelpAfterError();

function size(path: string): string {
  const bytes = statSync(path).size;
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(0)} kB`;
}

/** Relative to the working directory when under it (`dist/services/deployer.js`), absolute otherwise. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

async function main(): Promise<void> {
  const outDir = resolve(program.parse().opts<{ out: string }>().out);
  const started = Date.now();
  const bundles = await buildBundles(REPO_ROOT, [...FLYWHEEL_SERVICES, SIMULATOR], outDir);
  // The parent watchdog is built with every set; only the dev stack's supervisor preloads it.
  const files = [...bundles.mains.values(), bundles.parentWatch];
  const width = Math.max(...files.map((f) => shown(f).length));
  for (const file of files)
    console.log(`${shown(file).padEnd(width)}  ${size(file).padStart(6)}  (map ${size(`${file}.map`)})`);
  console.log(`${bundles.mains.size} bundles written to ${shown(outDir)} in ${Date.now() - started} ms`);
}

main().catch((err: unknown) => {
  console.error(`build-services: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
