// The CLI's configuration: the only module that reads environment variables (main.ts hands process.env in). Each
// connection setting resolves as flag > environment variable > default; both sources are validated the same way,
// and every bad value is listed at once.
import { z } from 'zod';
import { CliError, ExitCode } from './errors';

export const DEFAULT_KAFKA_BROKERS = '127.0.0.1:9092';
export const DEFAULT_SCHEMA_REGISTRY_URL = 'http://127.0.0.1:8081';

export type EnvSource = Readonly<Record<string, string | undefined>>;

const HOST_PORT = /^[^\s:,]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/;

const brokerList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b.length > 0),
  )
  .pipe(
    z
      .array(
        z.string().refine((b) => HOST_PORT.test(b) && Number(b.slice(b.lastIndexOf(':') + 1)) <= 65535, {
          message: 'expected host:port',
        }),
      )
      .min(1, 'expected at least one host:port'),
  );

const registryUrl = z
  .string()
  .url('expected an http(s) URL')
  .refine((u) => /^https?:\/\//.test(u), { message: 'expected an http(s) URL' })
  .transform((u) => u.replace(/\/+$/, ''));

const envSchema = z.object({
  FLYWHEEL_KAFKA_BROKERS: brokerList.default(DEFAULT_KAFKA_BROKERS),
  FLYWHEEL_SCHEMA_REGISTRY_URL: registryUrl.default(DEFAULT_SCHEMA_REGISTRY_URL),
});

export interface ConnectionDefaults {
  /** Bootstrap brokers (host:port), from FLYWHEEL_KAFKA_BROKERS or 127.0.0.1:9092. */
  readonly kafkaBrokers: readonly string[];
  /** From FLYWHEEL_SCHEMA_REGISTRY_URL or http://127.0.0.1:8081. */
  readonly schemaRegistryUrl: string;
}

function problems(error: z.ZodError, label: (path: string) => string): string[] {
  return error.issues.map((i) => `${label(i.path.map(String).join('.'))}: ${i.message}`);
}

/** Reads the CLI's environment variables (empty ones count as unset); a CliError lists every bad one. */
export function readConnectionDefaults(env: EnvSource): ConnectionDefaults {
  const pick = (key: string): string | undefined => {
    const value = env[key]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const parsed = envSchema.safeParse({
    FLYWHEEL_KAFKA_BROKERS: pick('FLYWHEEL_KAFKA_BROKERS'),
    FLYWHEEL_SCHEMA_REGISTRY_URL: pick('FLYWHEEL_SCHEMA_REGISTRY_URL'),
  });
  if (!parsed.success) {
    throw new CliError(
      `invalid environment: ${problems(parsed.error, (p) => p.split('.')[0] ?? p).join('; ')}`,
      ExitCode.usage,
    );
  }
  return {
    kafkaBrokers: parsed.data.FLYWHEEL_KAFKA_BROKERS,
    schemaRegistryUrl: parsed.data.FLYWHEEL_SCHEMA_REGISTRY_URL,
  };
}

export interface ConnectionOptions {
  readonly kafkaBrokers: readonly string[];
  readonly schemaRegistryUrl: string;
  /** Bound on connecting and on each publish, in milliseconds. */
  readonly timeoutMs: number;
}

/** Validates the connection flags (already defaulted from the environment); a CliError names each bad flag. */
export function resolveConnection(flags: {
  brokers: string;
  schemaRegistryUrl: string;
  timeout: string;
}): ConnectionOptions {
  const errors: string[] = [];
  const brokers = brokerList.safeParse(flags.brokers);
  if (!brokers.success) errors.push(...problems(brokers.error, () => '--brokers'));
  const url = registryUrl.safeParse(flags.schemaRegistryUrl);
  if (!url.success) errors.push(...problems(url.error, () => '--schema-registry-url'));
  const timeout = Number(flags.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) errors.push('--timeout: expected a positive number of seconds');
  if (errors.length > 0 || !brokers.success || !url.success) throw new CliError(errors.join('; '), ExitCode.usage);
  return { kafkaBrokers: brokers.data, schemaRegistryUrl: url.data, timeoutMs: Math.round(timeout * 1000) };
}

export const DEFAULT_API_URL = 'http://127.0.0.1:8000';

const apiEnvSchema = z.object({
  FLYWHEEL_API_URL: registryUrl.default(DEFAULT_API_URL),
});

/** The jobs API's address from FLYWHEEL_API_URL (empty counts as unset), or http://127.0.0.1:8000. */
export function readApiDefaults(env: EnvSource): { readonly apiUrl: string } {
  const raw = env.FLYWHEEL_API_URL?.trim();
  const parsed = apiEnvSchema.safeParse({ FLYWHEEL_API_URL: raw === '' ? undefined : raw });
  if (!parsed.success) {
    throw new CliError(
      `invalid environment: ${problems(parsed.error, () => 'FLYWHEEL_API_URL').join('; ')}`,
      ExitCode.usage,
    );
  }
  return { apiUrl: parsed.data.FLYWHEEL_API_URL };
}

export interface ApiOptions {
  readonly apiUrl: string;
  /** Bound on each API call, in milliseconds. */
  readonly timeoutMs: number;
}

/** Validates --api-url (already defaulted from the environment) and --timeout; a CliError names each bad flag. */
export function resolveApi(flags: { apiUrl: string; timeout: string }): ApiOptions {
  const errors: string[] = [];
  const url = registryUrl.safeParse(flags.apiUrl);
  if (!url.success) errors.push(...problems(url.error, () => '--api-url'));
  const timeout = Number(flags.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) errors.push('--timeout: expected a positive number of seconds');
  if (errors.length > 0 || !url.success) throw new CliError(errors.join('; '), ExitCode.usage);
  return { apiUrl: url.data, timeoutMs: Math.round(timeout * 1000) };
}
