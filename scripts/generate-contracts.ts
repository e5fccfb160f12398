// `npm run contracts:generate`: schemas/**/*.avsc → libs/contracts/src/generated (payload interfaces, schema JSON,
// full names), formatted with the repo's prettier config. `--check` writes nothing and exits 1 when the committed
// output is stale, so CI catches a schema edited without regenerating.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { loadSchemaFiles } from '../libs/contracts/src/avro/schema-files';
import { CatalogueError, generateContracts } from '../libs/contracts/src/codegen/generate';

const ROOT = resolve(__dirname, '..');
const SCHEMAS_DIR = join(ROOT, 'schemas');
const OUT_DIR = join(ROOT, 'libs/contracts/src/generated');

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const files = generateContracts(loadSchemaFiles(SCHEMAS_DIR));
  const expected = new Map<string, string>();
  for (const file of files) {
    const target = join(OUT_DIR, file.path);
    const options = (await resolveConfig(target)) ?? {};
    expected.set(target, await format(file.content, { ...options, filepath: target }));
  }
  const existing = existsSync(OUT_DIR) ? listFiles(OUT_DIR) : [];
  const stale = [...expected].filter(([path, content]) => !existsSync(path) || readFileSync(path, 'utf8') !== content);
  const extra = existing.filter((path) => !expected.has(path));
  const show = (path: string): string => relative(ROOT, path).split(sep).join('/');

  if (check) {
    if (stale.length === 0 && extra.length === 0) {
      console.log(`contracts: ${expected.size} generated files are up to date`);
      return 0;
    }
    for (const [path] of stale) console.error(`stale: ${show(path)}`);
    for (const path of extra) console.error(`not generated from any schema: ${show(path)}`);
    console.error('contracts: run `npm run contracts:generate` and commit the result');
    return 1;
  }
  for (const [path, content] of stale) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  for (const path of extra) rmSync(path);
  console.log(`contracts: ${expected.size} files, ${stale.length} written, ${extra.length} removed`);
  return 0;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof CatalogueError ? err.message : err);
    process.exitCode = 1;
  },
);
