// Redaction settings: built-in detectors on/off (all on by default), custom regexes, and per-workload overrides over
// the global default. Validated once; a RedactionConfigError lists every problem with its path, so a bad custom
// pattern is reported as `custom.0.pattern: …` instead of failing on the first record.
import { z } from 'zod';
import { BUILTIN_DETECTORS, DEFAULT_TOKENS, type BuiltinDetectorName } from './detectors/builtin-names';

/** True when `s` holds a character JSON.stringify would escape (quote, backslash, control) or U+2028/9. */
function needsJsonEscape(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x7f || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

const replacementSchema = z
  .string()
  .min(1)
  .max(64)
  .refine((s) => !needsJsonEscape(s), {
    message: 'replacement must not contain quotes, backslashes or control characters (it lands inside JSON strings)',
  });

const detectorSetting = (name: BuiltinDetectorName) =>
  z
    .union([z.boolean(), z.object({ enabled: z.boolean().default(true), replacement: replacementSchema.optional() })])
    .default(true)
    .transform((v) =>
      typeof v === 'boolean'
        ? { enabled: v, replacement: DEFAULT_TOKENS[name] }
        : { enabled: v.enabled, replacement: v.replacement ?? DEFAULT_TOKENS[name] },
    );

const detectorsSchema = z
  .object({
    email: detectorSetting('email'),
    phone: detectorSetting('phone'),
    credit_card: detectorSetting('credit_card'),
    ip_address: detectorSetting('ip_address'),
    secret: detectorSetting('secret'),
  })
  .strict();

const DETECTOR_NAME = /^[a-z][a-z0-9_]{0,47}$/;

const customDetectorSchema = z
  .object({
    /** Counted and reported under this name; also the default token `<NAME>`. */
    name: z
      .string()
      .regex(DETECTOR_NAME, 'name must be lower_snake_case (a-z, 0-9, _), at most 48 characters')
      .refine((n) => !(BUILTIN_DETECTORS as readonly string[]).includes(n), {
        message: 'name is taken by a built-in detector',
      }),
    pattern: z.string().min(1),
    /** JavaScript RegExp flags among i, m, s, u; `g` is always added. */
    flags: z
      .string()
      .regex(/^[imsu]*$/, 'flags may only contain i, m, s, u (g is implied)')
      .refine((f) => new Set(f).size === f.length, { message: 'flags must not repeat' })
      .default(''),
    replacement: replacementSchema.optional(),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Bad flags are reported on their own field; compiling with them would blame the pattern.
    if (!/^[imsu]*$/.test(c.flags) || new Set(c.flags).size !== c.flags.length) return;
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${c.pattern})$`, c.flags);
    } catch (err) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['pattern'],
        message: `invalid regular expression: ${err instanceof Error ? err.message : String(err)}`,
      });
      return;
    }
    if (re.test('')) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['pattern'], message: 'pattern matches the empty string' });
    }
  })
  .transform((c) => ({ ...c, replacement: c.replacement ?? `<${c.name.toUpperCase()}>` }));

const workloadOverrideSchema = z
  .object({
    /** Redaction on or off for this workload (the global `enabled` otherwise). */
    enabled: z.boolean().optional(),
    /** Detector name (built-in or custom) → on/off for this workload. */
    detectors: z.record(z.string(), z.boolean()).default({}),
    toolDescriptions: z.boolean().optional(),
  })
  .strict();

export const redactionConfigSchema = z
  .object({
    /** Global default: redact every workload unless its override says otherwise. */
    enabled: z.boolean().default(true),
    detectors: detectorsSchema.default({}),
    custom: z.array(customDetectorSchema).default([]),
    /** Also redact tool descriptions and the string values of tool parameter schemas (off: they are app-authored). */
    toolDescriptions: z.boolean().default(false),
    /** Per-workload overrides, keyed by workload_id. */
    workloads: z.record(z.string().min(1), workloadOverrideSchema).default({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const issue of crossFieldIssues(config)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: issue.path, message: issue.message });
    }
  });

/**
 * Rules across fields: custom names unique, per-workload overrides naming known detectors. Reads the input
 * defensively, so parseRedactionConfig can report these together with field errors (zod skips object refinements
 * once a field failed).
 */
function crossFieldIssues(input: unknown): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const config = (typeof input === 'object' && input !== null ? input : {}) as {
    custom?: unknown;
    workloads?: unknown;
  };
  const names = new Set<string>(BUILTIN_DETECTORS);
  const custom = Array.isArray(config.custom) ? (config.custom as unknown[]) : [];
  custom.forEach((c, i) => {
    const name = typeof c === 'object' && c !== null ? (c as { name?: unknown }).name : undefined;
    if (typeof name !== 'string') return;
    if (names.has(name) && !(BUILTIN_DETECTORS as readonly string[]).includes(name)) {
      issues.push({ path: ['custom', i, 'name'], message: `duplicate detector name '${name}'` });
    }
    names.add(name);
  });
  const workloads = typeof config.workloads === 'object' && config.workloads !== null ? config.workloads : {};
  for (const [workload, override] of Object.entries(workloads)) {
    const detectors =
      typeof override === 'object' && override !== null ? (override as { detectors?: unknown }).detectors : undefined;
    if (typeof detectors !== 'object' || detectors === null) continue;
    for (const name of Object.keys(detectors)) {
      if (!names.has(name)) {
        issues.push({
          path: ['workloads', workload, 'detectors', name],
          message: `no detector named '${name}' (known: ${[...names].join(', ')})`,
        });
      }
    }
  }
  return issues;
}

export type RedactionConfigInput = z.input<typeof redactionConfigSchema>;
export type RedactionConfig = z.output<typeof redactionConfigSchema>;
export type CustomDetectorConfig = RedactionConfig['custom'][number];

export interface RedactionConfigIssue {
  readonly path: string;
  readonly message: string;
}

export class RedactionConfigError extends Error {
  public constructor(public readonly issues: readonly RedactionConfigIssue[]) {
    super(`invalid redaction config: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'RedactionConfigError';
  }
}

/** Validates the settings as a whole; throws a RedactionConfigError naming every bad field. */
export function parseRedactionConfig(input: unknown): RedactionConfig {
  const raw = input ?? {};
  const parsed = redactionConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({
    path: i.path.length > 0 ? i.path.join('.') : '(root)',
    message: i.message,
  }));
  for (const issue of crossFieldIssues(raw)) {
    const path = issue.path.join('.');
    if (!issues.some((i) => i.path === path && i.message === issue.message))
      issues.push({ path, message: issue.message });
  }
  throw new RedactionConfigError(issues);
}
