// The options every jobs-API command shares (--api-url, --timeout) and the client built from them.
import { type Command, InvalidArgumentError } from 'commander';
import { JobsClient } from '../api/jobs-client';
import { readApiDefaults, resolveApi } from '../config';
import { type CliContext } from '../context';

export interface ApiFlags {
  readonly apiUrl?: string;
  readonly timeout: string;
  readonly json?: boolean;
}

export function withApiOptions(cmd: Command): Command {
  return cmd
    .option('--api-url <url>', 'jobs API (default: $FLYWHEEL_API_URL or http://127.0.0.1:8000)')
    .option('--timeout <seconds>', 'bound on each API call', '30')
    .option('--json', 'print the API answer as JSON');
}

export function apiClient(ctx: CliContext, flags: ApiFlags): JobsClient {
  const defaults = readApiDefaults(ctx.env);
  const api = resolveApi({ apiUrl: flags.apiUrl ?? defaults.apiUrl, timeout: flags.timeout });
  return new JobsClient({ baseUrl: api.apiUrl, timeoutMs: api.timeoutMs });
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

export function nonEmpty(value: string): string {
  if (value.trim().length === 0) throw new InvalidArgumentError('must not be empty');
  return value.trim();
}

export function modelList(value: string): string[] {
  const models = value
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m.length > 0);
  if (models.length === 0) throw new InvalidArgumentError('expected model names separated by commas');
  if (new Set(models).size !== models.length) throw new InvalidArgumentError('names a model twice');
  return models;
}
