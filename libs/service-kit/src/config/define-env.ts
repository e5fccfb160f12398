// A service's configuration: a zod shape over environment variable names, and a build step that turns the parsed
// variables into the typed config the service uses. Only a service's config module calls `load(process.env)`; tests
// pass plain objects. Every bad key is reported at once (ConfigError), secrets never appear in messages or in the
// printed summary.
import { z } from 'zod';
import { ConfigError } from './config-error';
import { isSecret } from './env';

export type EnvSource = Readonly<Record<string, string | undefined>>;

/** Lets the build step report cross-field problems against a key, after the single-variable checks passed. */
export interface BuildContext {
  problem(key: string, message: string): void;
}

export interface EnvConfigOptions {
  /**
   * Variables starting with one of these prefixes must be known keys: a typo such as `INGESTER_BACH_MAX_RECORDS`
   * fails the boot instead of being ignored.
   */
  readonly ownedPrefixes?: readonly string[];
}

export interface EnvConfig<Shape extends z.ZodRawShape, T> {
  /** Every variable the service reads, in declaration order. */
  readonly keys: readonly string[];
  readonly shape: Shape;
  /** Parses and builds; throws ConfigError listing every problem. */
  load(source: EnvSource): T;
  /** `KEY=value` lines for the boot log: the variables that are set (secrets redacted), then how many are not. */
  describe(source: EnvSource): string[];
}

const MAX_SHOWN_CHARS = 80;
export const REDACTED = '<redacted>';

export function defineEnv<Shape extends z.ZodRawShape, T>(
  shape: Shape,
  build: (vars: z.output<z.ZodObject<Shape>>, ctx: BuildContext) => T,
  options: EnvConfigOptions = {},
): EnvConfig<Shape, T> {
  const schema = z.object(shape);
  const keys = Object.keys(shape);

  const shown = (key: string, raw: string | undefined): string => {
    const field = shape[key];
    if (raw === undefined) return 'unset';
    if (field !== undefined && isSecret(field)) return 'value hidden';
    const text = raw.length > MAX_SHOWN_CHARS ? `${raw.slice(0, MAX_SHOWN_CHARS)}…` : raw;
    return `got ${JSON.stringify(text)}`;
  };

  /**
   * The build step's own problems (a store URL required by the chosen kind, a cross-field bound) when some variables
   * are invalid: the build runs with each invalid variable at its default (unset when it has none), so an operator
   * sees those problems in the same boot instead of after fixing the first batch. A problem on an invalid key, or
   * naming one (a bound against it), is left out: it would judge the stand-in value. A build that throws on a
   * stand-in reports nothing more than it had found.
   */
  const buildProblemsDespite = (invalid: ReadonlySet<string>, input: Record<string, unknown>): string[] => {
    const standIns: Record<string, unknown> = {};
    for (const key of keys) {
      const field = shape[key];
      if (field === undefined) continue;
      const parsed = field.safeParse(invalid.has(key) ? undefined : input[key]);
      standIns[key] = parsed.success ? parsed.data : undefined;
    }
    const found: { key: string; message: string }[] = [];
    try {
      build(standIns as z.output<z.ZodObject<Shape>>, { problem: (key, message) => found.push({ key, message }) });
    } catch (err) {
      if (err instanceof ConfigError) found.push(...err.problems.map((p) => ({ key: '', message: p })));
    }
    const namesInvalid = (text: string): boolean =>
      [...invalid].some((k) => new RegExp(`(^|[^A-Z0-9_])${k}([^A-Z0-9_]|$)`).test(text));
    return found
      .filter(({ key, message }) => !invalid.has(key) && !namesInvalid(`${key} ${message}`))
      .map(({ key, message }) => (key === '' ? message : `${key}: ${message}`));
  };

  return {
    keys,
    shape,
    load(source) {
      const input: Record<string, string | undefined> = {};
      for (const key of keys) input[key] = source[key];
      const problems: string[] = [];
      for (const key of Object.keys(source)) {
        if (shape[key] !== undefined) continue;
        if (options.ownedPrefixes?.some((p) => key.startsWith(p))) {
          problems.push(`${key}: unknown setting (${closest(key, keys)})`);
        }
      }
      const parsed = schema.safeParse(input);
      if (!parsed.success) {
        const invalid = new Set<string>();
        for (const issue of parsed.error.issues) {
          const [key, ...inner] = issue.path.map(String);
          const where = [key, ...inner].join('.');
          const raw = key === undefined ? undefined : input[key];
          const message = issue.code === 'invalid_type' && raw === undefined ? 'required, not set' : issue.message;
          problems.push(`${where}: ${message} (${shown(key ?? '', raw)})`);
          if (key !== undefined) invalid.add(key);
        }
        problems.push(...buildProblemsDespite(invalid, input));
        throw new ConfigError(problems);
      }
      const ctx: BuildContext = { problem: (key, message) => problems.push(`${key}: ${message}`) };
      let built: T;
      try {
        built = build(parsed.data, ctx);
      } catch (err) {
        if (err instanceof ConfigError) throw new ConfigError([...problems, ...err.problems]);
        throw err;
      }
      if (problems.length > 0) throw new ConfigError(problems);
      return built;
    },
    describe(source) {
      const lines: string[] = [];
      for (const key of keys) {
        const field = shape[key];
        const raw = source[key];
        if (raw === undefined || raw.trim() === '') continue;
        lines.push(`${key}=${field !== undefined && isSecret(field) ? REDACTED : raw}`);
      }
      const defaults = keys.length - lines.length;
      if (defaults > 0) lines.push(`(${defaults} other setting${defaults === 1 ? '' : 's'} at their defaults)`);
      return lines;
    },
  };
}

/** "did you mean X?" for the nearest known key, when one is close. */
function closest(key: string, keys: readonly string[]): string {
  let best: { key: string; distance: number } | undefined;
  for (const k of keys) {
    const d = editDistance(key, k);
    if (best === undefined || d < best.distance) best = { key: k, distance: d };
  }
  return best !== undefined && best.distance <= 3 ? `did you mean ${best.key}?` : 'not a setting of this service';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = current;
    }
  }
  return row[b.length] ?? 0;
}
