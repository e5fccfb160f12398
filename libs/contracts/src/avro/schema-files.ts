// The catalogue on disk: schemas/<domain>/<event-name>.v<N>.avsc, one record schema per event and version.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface SchemaFile {
  /** Path below the schemas directory with forward slashes, e.g. `run/run-requested.v1.avsc`. */
  readonly path: string;
  /** Directory, e.g. `run`. */
  readonly domain: string;
  /** File name without version and extension, e.g. `run-requested`. */
  readonly event: string;
  readonly version: number;
  /** The parsed JSON. */
  readonly schema: unknown;
}

const FILE_NAME = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)\.v([1-9][0-9]*)\.avsc$/;

/** Reads every `.avsc` below `dir`, sorted by path so everything built from the list is deterministic. */
export function loadSchemaFiles(dir: string): SchemaFile[] {
  return listAvsc(dir)
    .map((file) => {
      const path = relative(dir, file).split(sep).join('/');
      const parts = path.split('/');
      const name = FILE_NAME.exec(parts[parts.length - 1] ?? '');
      if (parts.length !== 2 || !name?.[1] || !name[2]) {
        throw new Error(`${path}: expected <domain>/<event-name>.v<N>.avsc (kebab-case)`);
      }
      let schema: unknown;
      try {
        schema = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      } catch (err) {
        throw new Error(`${path}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
      }
      return { path, domain: parts[0] ?? '', event: name[1], version: Number(name[2]), schema };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function listAvsc(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return listAvsc(full);
    return entry.isFile() && entry.name.endsWith('.avsc') ? [full] : [];
  });
}

/** Groups files by `<domain>/<event>`, versions ascending: the input of the evolution check. */
export function versionsByEvent(files: readonly SchemaFile[]): Map<string, SchemaFile[]> {
  const groups = new Map<string, SchemaFile[]>();
  for (const file of files) {
    const key = `${file.domain}/${file.event}`;
    groups.set(key, [...(groups.get(key) ?? []), file]);
  }
  for (const list of groups.values()) list.sort((a, b) => a.version - b.version);
  return groups;
}
