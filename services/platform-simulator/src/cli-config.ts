// The standalone process's config: CLI flags over environment variables over defaults. The only place in
// this project that reads process.env.
import { z } from 'zod';
import { type SimulatorOptionsInput, simulatorOptionsSchema } from './options';

export interface CliFlags {
  host?: string;
  port?: string;
  seed?: string;
  gpus?: string;
  fast?: boolean;
  /** JSON of lifecycle delays in ms (`{deploymentMs, jobStartMs, customizationStepMs, evaluationSampleMs}`). */
  delays?: string;
  serve?: string[];
  latencyScale?: string;
  dataDir?: string;
  /** Contents of `--learn` JSONL files (read by main.ts). */
  teacherAnswers?: string[];
}

const blank = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const envText = z.preprocess(blank, z.string().optional());
const envInt = z.preprocess(blank, z.coerce.number().int().optional());

/** Delays of a plausible platform, scaled down so a rehearsal takes seconds, not hours. */
const REALISTIC_DELAYS = { deploymentMs: 3000, jobStartMs: 1000, customizationStepMs: 50, evaluationSampleMs: 20 };

/** Every bad flag or variable at once, one a line. */
export class SimulatorConfigError extends Error {
  public constructor(public readonly problems: string[]) {
    super(`invalid simulator config:\n  ${problems.join('\n  ')}`);
    this.name = 'SimulatorConfigError';
  }
}

/**
 * Options from flags, then variables, then defaults. Each variable is checked on its own (one bad variable does not
 * hide another), and every problem names the flag or variable the value came from, with the value.
 */
export function loadCliConfig(flags: CliFlags, env: NodeJS.ProcessEnv = process.env): SimulatorOptionsInput {
  const problems: string[] = [];
  const readVar = <T>(key: string, schema: z.ZodType<T | undefined, z.ZodTypeDef, unknown>): T | undefined => {
    const parsed = schema.safeParse(env[key]);
    if (parsed.success) return parsed.data;
    for (const i of parsed.error.issues) problems.push(`${key}: ${i.message} (got ${JSON.stringify(env[key])})`);
    return undefined;
  };
  const fromEnv = {
    host: readVar('SIMULATOR_HOST', envText),
    port: readVar('SIMULATOR_PORT', envInt),
    seed: readVar('SIMULATOR_SEED', envInt),
    gpuCapacity: readVar('SIMULATOR_GPUS', envInt),
    dataDir: readVar('SIMULATOR_DATA_DIR', envText),
  };
  // Option name -> the flag or variable its value came from, and that raw value, for the messages below.
  const sources = new Map<string, { name: string; raw: string | undefined }>();
  const pick = <T>(option: string, flag: [string, string | undefined, T], envKey?: string, envValue?: T) => {
    const [flagName, flagRaw, flagValue] = flag;
    if (flagRaw !== undefined) {
      sources.set(option, { name: flagName, raw: flagRaw });
      return flagValue;
    }
    if (envKey !== undefined && envValue !== undefined) sources.set(option, { name: envKey, raw: env[envKey] });
    return envValue;
  };
  const defaults = simulatorOptionsSchema.parse({});
  let delays: unknown = flags.fast ? {} : REALISTIC_DELAYS;
  if (flags.delays !== undefined) {
    sources.set('delays', { name: '--delays', raw: flags.delays });
    try {
      delays = JSON.parse(flags.delays) as unknown;
    } catch {
      problems.push(`--delays: not JSON (got ${JSON.stringify(flags.delays)})`);
    }
  }
  const latencyScale = pick('latencyScale', ['--latency-scale', flags.latencyScale, Number(flags.latencyScale)]);
  const parsed = simulatorOptionsSchema.safeParse({
    host: pick('host', ['--host', flags.host, flags.host], 'SIMULATOR_HOST', fromEnv.host) ?? '127.0.0.1',
    port: pick('port', ['--port', flags.port, Number(flags.port)], 'SIMULATOR_PORT', fromEnv.port) ?? 8080,
    seed: pick('seed', ['--seed', flags.seed, Number(flags.seed)], 'SIMULATOR_SEED', fromEnv.seed) ?? defaults.seed,
    gpuCapacity:
      pick('gpuCapacity', ['--gpus', flags.gpus, Number(flags.gpus)], 'SIMULATOR_GPUS', fromEnv.gpuCapacity) ??
      defaults.gpuCapacity,
    delays,
    servedModels: [...defaults.servedModels, ...(flags.serve ?? [])],
    teacherAnswers: flags.teacherAnswers ?? [],
    latencyScale: latencyScale ?? (flags.fast ? 0 : 1),
    dataDir: pick('dataDir', ['--data-dir', flags.dataDir, flags.dataDir], 'SIMULATOR_DATA_DIR', fromEnv.dataDir),
  });
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const [option, ...inner] = i.path.map(String);
      const source = sources.get(option ?? '');
      const where = source === undefined ? i.path.join('.') : source.name;
      const within = source !== undefined && inner.length > 0 ? `${inner.join('.')}: ` : '';
      const got = source?.raw === undefined ? '' : ` (got ${JSON.stringify(source.raw)})`;
      problems.push(`${where}: ${within}${i.message}${got}`);
    }
  }
  if (!parsed.success || problems.length > 0) throw new SimulatorConfigError(problems);
  return parsed.data;
}
