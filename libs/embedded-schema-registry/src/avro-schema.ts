// Avro schema text: validation through avsc, and the canonical form that decides schema identity.
import { type Schema, Type } from 'avsc';
import { errorMessage, invalidSchema } from './errors';

export interface SchemaReference {
  readonly name: string;
  readonly subject: string;
  readonly version: number;
}

/** Parses schema text as JSON; a registry schema is always JSON (a primitive name arrives as `"string"`). */
export function parseSchemaJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw invalidSchema(`schema is not valid JSON (${errorMessage(err)})`);
  }
}

/**
 * Builds an avsc type for `schema`. `dependencies` are the texts of referenced schemas, dependencies first; their
 * named types go into the same registry so `schema` can use them by name, as Confluent's schema references do.
 */
export function buildType(schema: string, dependencies: readonly string[] = []): Type {
  const registry: Record<string, Type> = {};
  for (const dep of dependencies) forSchema(parseSchemaJson(dep), registry, 'referenced schema: ');
  return forSchema(parseSchemaJson(schema), registry, '');
}

function forSchema(json: unknown, registry: Record<string, Type>, prefix: string): Type {
  try {
    // The Avro spec requires names on records, enums and fixed; avsc only enforces it when asked.
    return Type.forSchema(json as Schema, { registry, noAnonymousTypes: true });
  } catch (err) {
    throw invalidSchema(prefix + errorMessage(err));
  }
}

/**
 * Identity form: compact JSON with object keys sorted and `{"type": X}` collapsed to X, so whitespace and key
 * order do not matter. Everything else is kept (doc, defaults, logicalType, custom properties), because avsc's own
 * `schema()` drops logical types and custom properties it does not know, and two schemas differing there are
 * different schemas to Confluent too.
 */
export function canonicalSchema(json: unknown): string {
  return JSON.stringify(normalizeSchema(json));
}

/** Compact JSON of the schema as submitted: what the registry stores and hands back. */
export function compactSchema(json: unknown): string {
  return JSON.stringify(json);
}

function normalizeSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalizeSchema);
  if (!isObject(node)) return node;
  const entries = Object.keys(node)
    .sort()
    .map((key): [string, unknown] => {
      const value = node[key];
      if (key === 'type' || key === 'items' || key === 'values') return [key, normalizeSchema(value)];
      if (key === 'fields' && Array.isArray(value)) return [key, value.map(normalizeField)];
      // Defaults, docs, symbols and custom properties are data, not schemas: only key order is normalized.
      return [key, sortKeys(value)];
    });
  const [only] = entries;
  if (entries.length === 1 && only?.[0] === 'type') return only[1];
  // fromEntries defines own properties, so a '__proto__' key stays data.
  return Object.fromEntries(entries);
}

function normalizeField(field: unknown): unknown {
  if (!isObject(field)) return field;
  const entries = Object.keys(field)
    .sort()
    .map((key): [string, unknown] => [key, key === 'type' ? normalizeSchema(field[key]) : sortKeys(field[key])]);
  return Object.fromEntries(entries);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
