// Reads one catalogue schema into the small model the TypeScript renderer needs, and enforces the catalogue's rules
// on the way: a doc on every record, enum and field; optional means ["null", T] with default null; names versioned.
import { type SchemaFile } from '../avro/schema-files';

export type TypeRef =
  | { readonly kind: 'scalar'; readonly ts: string }
  | { readonly kind: 'named'; readonly fullName: string }
  | { readonly kind: 'array'; readonly items: TypeRef }
  | { readonly kind: 'map'; readonly values: TypeRef }
  | { readonly kind: 'nullable'; readonly type: TypeRef };

export interface FieldDef {
  readonly name: string;
  readonly doc: string;
  readonly type: TypeRef;
}

interface NamedBase {
  readonly fullName: string;
  readonly doc: string;
  /** The definition as written, to check that a type defined in several files is defined the same way. */
  readonly json: unknown;
}

export type NamedDef =
  | (NamedBase & { readonly kind: 'record'; readonly fields: readonly FieldDef[] })
  | (NamedBase & { readonly kind: 'enum'; readonly symbols: readonly string[] });

export interface SchemaModel {
  readonly file: SchemaFile;
  readonly rootName: string;
  /** Named types defined in this file, in order of definition. */
  readonly defs: readonly NamedDef[];
}

const PRIMITIVES: Readonly<Record<string, string>> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'Buffer',
  string: 'string',
};

// The scalar aliases from scalars.ts; the logical-type classes check the underlying type.
const LOGICAL: Readonly<Record<string, string>> = {
  'long:timestamp-millis': 'TimestampMillis',
  'string:uuid': 'Uuid',
};

const VERSIONED_NAMESPACE = /^[a-z][a-z0-9]*(\.[a-z][a-z0-9]*)*\.v([1-9][0-9]*)$/;

/** `RunRequested` → `run-requested`. */
export function kebabCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** Builds the model of one file; every rule it breaks is reported, not just the first. */
export function readSchemaModel(file: SchemaFile): { model: SchemaModel; problems: string[] } {
  const problems: string[] = [];
  const defs: NamedDef[] = [];
  const known = new Set<string>();
  const report = (where: string, problem: string): void => {
    problems.push(`${file.path}: ${where}: ${problem}`);
  };

  const define = (node: Record<string, unknown>, enclosing: string | undefined, where: string): TypeRef => {
    const name = typeof node.name === 'string' ? node.name : '';
    const namespace = name.includes('.')
      ? name.slice(0, name.lastIndexOf('.'))
      : typeof node.namespace === 'string'
        ? node.namespace
        : enclosing;
    const fullName = name.includes('.') || !namespace ? name : `${namespace}.${name}`;
    const at = `${where} ${fullName || '(unnamed)'}`;
    if (!name) report(at, 'named types need a name');
    if (!namespace || !VERSIONED_NAMESPACE.test(namespace)) report(at, 'namespace must end in .v<N>');
    if (known.has(fullName)) report(at, 'defined twice (refer to it by name after the first definition)');
    known.add(fullName);
    const doc = typeof node.doc === 'string' ? node.doc.trim() : '';
    if (!doc) report(at, 'needs a doc');

    if (node.type === 'enum') {
      const symbols = Array.isArray(node.symbols) ? node.symbols.filter((s): s is string => typeof s === 'string') : [];
      defs.push({ kind: 'enum', fullName, doc, json: node, symbols });
      return { kind: 'named', fullName };
    }
    const fields: FieldDef[] = [];
    const rawFields = Array.isArray(node.fields) ? (node.fields as unknown[]) : [];
    if (rawFields.length === 0) report(at, 'a record needs fields');
    // Pushed before the fields are walked, so definitions come outside-in, as written.
    defs.push({ kind: 'record', fullName, doc, json: node, fields });
    for (const raw of rawFields) {
      const field = isObject(raw) ? raw : {};
      const fieldName = typeof field.name === 'string' ? field.name : '';
      const fieldAt = `${at}.${fieldName || '(unnamed)'}`;
      const fieldDoc = typeof field.doc === 'string' ? field.doc.trim() : '';
      if (!fieldName) report(fieldAt, 'fields need a name');
      if (!fieldDoc) report(fieldAt, 'needs a doc');
      const type = walk(field.type, namespace, fieldAt);
      if (type.kind === 'nullable' && field.default !== null) report(fieldAt, 'an optional field needs default null');
      fields.push({ name: fieldName, doc: fieldDoc, type });
    }
    return { kind: 'named', fullName };
  };

  const walk = (node: unknown, namespace: string | undefined, where: string): TypeRef => {
    if (typeof node === 'string') {
      const primitive = PRIMITIVES[node];
      if (primitive) return { kind: 'scalar', ts: primitive };
      const fullName = node.includes('.') || !namespace ? node : `${namespace}.${node}`;
      if (!known.has(fullName)) report(where, `unknown type ${node}`);
      return { kind: 'named', fullName };
    }
    if (Array.isArray(node)) {
      if (node.length !== 2 || node[0] !== 'null') {
        report(where, 'the only union the catalogue uses is ["null", T]');
        return { kind: 'scalar', ts: 'never' };
      }
      return { kind: 'nullable', type: walk(node[1], namespace, where) };
    }
    if (!isObject(node)) {
      report(where, 'not a type');
      return { kind: 'scalar', ts: 'never' };
    }
    const type = node.type;
    if (typeof node.logicalType === 'string') {
      const ts = LOGICAL[`${String(type)}:${node.logicalType}`];
      if (!ts) report(where, `unsupported logicalType ${node.logicalType} on ${String(type)}`);
      return { kind: 'scalar', ts: ts ?? 'never' };
    }
    switch (type) {
      case 'record':
      case 'enum':
        return define(node, namespace, where);
      case 'array':
        return { kind: 'array', items: walk(node.items, namespace, where) };
      case 'map':
        return { kind: 'map', values: walk(node.values, namespace, where) };
      default:
        if (typeof type === 'string' && PRIMITIVES[type]) return walk(type, namespace, where);
        if (isObject(type) || Array.isArray(type)) return walk(type, namespace, where);
        report(where, `unsupported type ${JSON.stringify(type)}`);
        return { kind: 'scalar', ts: 'never' };
    }
  };

  const root = isObject(file.schema) ? file.schema : {};
  if (root.type !== 'record') report('root', 'must be a record');
  const expectedNamespace = `flywheel.${file.domain}.v${file.version}`;
  if (root.namespace !== expectedNamespace) report('root', `namespace must be ${expectedNamespace}`);
  if (typeof root.name !== 'string' || kebabCase(root.name) !== file.event) {
    report('root', `record name must be the PascalCase of the file name (${file.event})`);
  }
  const rootRef = define(root, undefined, 'record');
  const rootName = rootRef.kind === 'named' ? rootRef.fullName : '';
  return { model: { file, rootName, defs }, problems };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
