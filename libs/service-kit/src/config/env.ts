// zod schemas for single environment variables: each takes the raw string (unset and blank both mean "not set")
// and yields a typed value. Defaults are given in the typed form and documented by `describeEnv`.
import { z } from 'zod';

/** Secret schemas, by identity: their values never appear in printed config or error messages. */
const secrets = new WeakSet<z.ZodTypeAny>();

/** Marks a variable as secret. Apply last: zod methods such as `.describe()` return a new, unmarked schema. */
export function secret<T extends z.ZodTypeAny>(schema: T): T {
  secrets.add(schema);
  return schema;
}

export function isSecret(schema: z.ZodTypeAny): boolean {
  return secrets.has(schema);
}

const blankToUndefined = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);

interface Options<T> {
  /** Used when the variable is unset or blank. */
  readonly default?: T;
  readonly description?: string;
}

type EnvSchema<T> = z.ZodType<T, z.ZodTypeDef, unknown>;

/**
 * Wraps a schema over a non-blank string: blank becomes unset, and `default` (typed) is encoded so it goes through
 * the same parsing as a value from the environment.
 */
function variable<S extends z.ZodType<unknown, z.ZodTypeDef, string>>(
  inner: S,
  encoded: string | undefined,
  description?: string,
): EnvSchema<z.output<S>> {
  const withDefault =
    encoded === undefined
      ? inner
      : inner.optional().transform((v, ctx) => (v === undefined ? reparse(inner, encoded, ctx) : v));
  const schema = z.preprocess(blankToUndefined, withDefault) as EnvSchema<z.output<S>>;
  return description === undefined ? schema : schema.describe(description);
}

function reparse<S extends z.ZodTypeAny>(inner: S, encoded: string, ctx: z.RefinementCtx): z.output<S> {
  const parsed = inner.safeParse(encoded);
  if (parsed.success) return parsed.data as z.output<S>;
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: `the default ${JSON.stringify(encoded)} is invalid` });
  return z.NEVER;
}

function optionalVariable<S extends z.ZodType<unknown, z.ZodTypeDef, string>>(
  inner: S,
  description?: string,
): EnvSchema<z.output<S> | undefined> {
  const schema = z.preprocess(blankToUndefined, inner.optional()) as EnvSchema<z.output<S> | undefined>;
  return description === undefined ? schema : schema.describe(description);
}

const intString = (opts: { min?: number; max?: number }) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(opts.min ?? Number.MIN_SAFE_INTEGER, `must be at least ${opts.min ?? Number.MIN_SAFE_INTEGER}`)
        .max(opts.max ?? Number.MAX_SAFE_INTEGER, `must be at most ${opts.max ?? Number.MAX_SAFE_INTEGER}`),
    );

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];
const boolString = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => TRUE.includes(v) || FALSE.includes(v), { message: `must be one of ${[...TRUE, ...FALSE].join(', ')}` })
  .transform((v) => TRUE.includes(v));

const listString = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()))
  .refine((items) => items.every((s) => s.length > 0), {
    message: 'must be a comma-separated list without empty items',
  });

const urlString = z.string().trim().url('must be a URL');

function stringVar(opts: Options<string> & { min?: number } = {}) {
  return variable(z.string().min(opts.min ?? 1), opts.default, opts.description);
}

function optionalString(opts: { description?: string } = {}) {
  return optionalVariable(z.string(), opts.description);
}

function int(opts: Options<number> & { min?: number; max?: number } = {}) {
  return variable(intString(opts), opts.default === undefined ? undefined : String(opts.default), opts.description);
}

function port(opts: Options<number> = {}) {
  return int({ ...opts, min: 0, max: 65535 });
}

function bool(opts: Options<boolean> = {}) {
  return variable(boolString, opts.default === undefined ? undefined : String(opts.default), opts.description);
}

function list(opts: Options<readonly string[]> = {}) {
  return variable(listString, opts.default === undefined ? undefined : opts.default.join(','), opts.description);
}

function url(opts: Options<string> = {}) {
  return variable(urlString, opts.default, opts.description);
}

function optionalUrl(opts: { description?: string } = {}) {
  return optionalVariable(urlString, opts.description);
}

function oneOf<const V extends readonly [string, ...string[]]>(values: V, opts: Options<V[number]> = {}) {
  const inner = z
    .string()
    .trim()
    .refine((v) => (values as readonly string[]).includes(v), { message: `must be one of ${values.join(', ')}` })
    .transform((v) => v as V[number]);
  return variable(inner, opts.default, opts.description);
}

/**
 * Where a JSON document breaks, without V8's quote of the text around it: the variable may be secret (an API key in a
 * JSON config), and its value is shown, or hidden, by the caller anyway.
 */
function jsonSyntaxProblem(err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  const at = /at position (\d+)/.exec(message);
  if (at !== null) return `syntax error at character ${at[1]}`;
  return message.startsWith('Unexpected end') ? 'ends too early' : 'syntax error';
}

/** A JSON document checked by `schema`; problems are reported with their path inside the document. */
function json<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, opts: Options<unknown> = {}) {
  const inner = z.string().transform((text, ctx) => {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not JSON: ${jsonSyntaxProblem(err)}` });
      return z.NEVER;
    }
    const parsed = schema.safeParse(doc);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: issue.path });
    return z.NEVER;
  });
  return variable(inner, opts.default === undefined ? undefined : JSON.stringify(opts.default), opts.description);
}

/** One schema per kind of variable; blank means unset, `default` is given in the typed form. */
export const env = { string: stringVar, optionalString, int, port, bool, list, url, optionalUrl, oneOf, json };
