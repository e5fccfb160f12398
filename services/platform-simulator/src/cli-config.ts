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

const envSchema = z.object({
  SIMULATOR_HOST: z.string().optional(),
  SIMULATOR_PORT: z.coerce.number().int().optional(),
  SIMULATOR_SEED: z.coerce.number().int().optional(),
  SIMULATOR_GPUS: z.coerce.number().int().optional(),
  SIMULATOR_DATA_DIR: z.string().min(1).optional(),
});

/** Delays of a plausible platform, scaled down so a rehearsal takes seconds, not hours. */
const REALISTIC_DELAYS = { deploymentMs: 3000, jobStartMs: 1000, customizationStepMs: 50, evaluationSampleMs: 20 };

/** Every bad flag or variable at once, one a line. */
export class SimulatorConfigError extends Error {
  public constructor(public readonly problems: string[]) {
    super(`invalid simulator config:\n  ${problems.join('\n  ')}`);
    this.name = 'SimulatorConfigError';
  }
}

export function loadCliConfig(flags: CliFlags, env: NodeJS.ProcessEnv = process.env): SimulatorOptionsInput {
  const envParsed = envSchema.safeParse(env);
  const problems = envParsed.success ? [] : envParsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const e = envParsed.success ? envParsed.data : {};
  const defaults = simulatorOptionsSchema.parse({});
  let delays: unknown = flags.fast ? {} : REALISTIC_DELAYS;
  if (flags.delays !== undefined) {
    try {
      delays = JSON.parse(flags.delays) as unknown;
    } catch {
      problems.push(`--delays: not JSON (got ${flags.delays})`);
    }
  }
  const parsed = simulatorOptionsSchema.safeParse({
    host: flags.host ?? e.SIMULATOR_HOST ?? '127.0.0.1',
    port: flags.port !== undefined ? Number(flags.port) : (e.SIMULATOR_PORT ?? 8080),
    seed: flags.seed !== undefined ? Number(flags.seed) : (e.SIMULATOR_SEED ?? defaults.seed),
    gpuCapacity: flags.gpus !== undefined ? Number(flags.gpus) : (e.SIMULATOR_GPUS ?? defaults.gpuCapacity),
    delays,
    servedModels: [...defaults.servedModels, ...(flags.serve ?? [])],
    teacherAnswers: flags.teacherAnswers ?? [],
    latencyScale: flags.latencyScale !== undefined ? Number(flags.latencyScale) : flags.fast ? 0 : 1,
    dataDir: flags.dataDir ?? e.SIMULATOR_DATA_DIR,
  });
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  if (!parsed.success || problems.length > 0) throw new SimulatorConfigError(problems);
  return parsed.data;
}
