// `flywheel up`: the whole embedded flywheel in the foreground — broker, schema registry, platform simulator and the
// six services as separate processes with prefixed logs. Ctrl-C stops everything gracefully (SIGTERM, then SIGKILL
// after the grace period).
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import {
  FLYWHEEL_SERVICES,
  formatLogLine,
  isFlywheelService,
  startFlywheelStack,
  type FlywheelServiceName,
  type FlywheelStack,
} from '@flywheel/dev-stack';
import { type CliContext } from '../context';
import { CliError, errorText } from '../errors';
import { positiveInt, positiveNumber } from './api-options';

interface UpFlags {
  readonly dataDir: string;
  readonly autoPorts?: boolean;
  readonly services?: FlywheelServiceName[];
  readonly seed: number;
  readonly gpus: number;
  readonly fast?: boolean;
  readonly logLevel?: string;
  readonly readyTimeout: number;
  readonly stopTimeout: number;
}

function serviceList(value: string): FlywheelServiceName[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const unknown = names.filter((n) => !isFlywheelService(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new InvalidArgumentError(
      `unknown service ${unknown.join(', ') || '(none given)'}; expected some of ${FLYWHEEL_SERVICES.join(', ')}`,
    );
  }
  return names.filter(isFlywheelService);
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function banner(stack: FlywheelStack): string {
  const lines = [
    '',
    'flywheel is up',
    `  jobs API          ${stack.urls.api}   (docs: ${stack.urls.api}/api/docs)`,
    `  kafka             ${stack.urls.kafkaBrokers.join(',')}`,
    `  schema registry   ${stack.urls.schemaRegistry}`,
    `  platform          ${stack.urls.platform}`,
    `  services          ${stack.services.join(', ')}`,
  ];
  if (stack.skipped.length > 0) lines.push(`  not running       ${stack.skipped.map((s) => s.name).join(', ')}`);
  lines.push(
    `  data              ${stack.dataDir}`,
    '',
    'next, in another terminal:',
    '  npm run flywheel -- logs load ../shared/data/bfcl-live-simple.jsonl',
    '  npm run flywheel -- run start --workload-id agent.tool_router --client-id aiva-demo --watch',
    'Ctrl-C stops everything.',
    '',
  );
  return lines.join('\n');
}

async function upAction(ctx: CliContext, flags: UpFlags): Promise<void> {
  const { io } = ctx;
  const colour = io.stdout.isTTY === true;
  const start = ctx.startStack ?? startFlywheelStack;
  const abort = new AbortController();
  let interrupted = false;
  let onStopRequest: (() => void) | undefined;
  const removeHandler = ctx.onInterrupt?.(() => {
    if (interrupted) return;
    interrupted = true;
    io.stderr.write('\nstopping the flywheel (Ctrl-C again does not hurry it: services get their grace period)\n');
    abort.abort();
    onStopRequest?.();
  });
  let stack: FlywheelStack;
  try {
    stack = await start({
      dataDir: resolve(flags.dataDir),
      ports: flags.autoPorts === true ? 'auto' : 'default',
      services: flags.services,
      simulator: { seed: flags.seed, gpuCapacity: flags.gpus, delays: flags.fast === true ? 'none' : 'realistic' },
      env: flags.logLevel !== undefined ? { LOG_LEVEL: flags.logLevel } : undefined,
      log: (line) => void io.stdout.write(`${formatLogLine(line, { colour })}\n`),
      readyTimeoutMs: flags.readyTimeout * 1000,
      stopTimeoutMs: flags.stopTimeout * 1000,
      signal: abort.signal,
    });
  } catch (err) {
    removeHandler?.();
    if (interrupted) return;
    const busy = /EADDRINUSE/.test(errorText(err))
      ? ' (a port is taken: is another flywheel or `npm run kafka` running? --auto-ports picks free ones)'
      : '';
    throw new CliError(`the flywheel did not start: ${errorText(err)}${busy}`, undefined, { cause: err });
  }
  try {
    if (!interrupted) {
      io.stdout.write(banner(stack));
      await new Promise<void>((resolveStop) => {
        onStopRequest = resolveStop;
      });
    }
  } finally {
    await stack.stop();
    removeHandler?.();
  }
  io.stdout.write('flywheel stopped\n');
}

export function upCommand(ctx: CliContext): Command {
  return new Command('up')
    .description(
      'run the embedded flywheel in the foreground: Kafka broker, schema registry, platform simulator and the six ' +
        'services as separate processes with prefixed logs; Ctrl-C stops everything gracefully',
    )
    .option('--data-dir <dir>', 'where the broker, simulator and services keep their state', '.data/flywheel')
    .option('--auto-ports', 'free ports instead of the well-known ones (jobs API 8000, Kafka 9092, …)')
    .option('--services <names>', `only these services, comma-separated (${FLYWHEEL_SERVICES.join(', ')})`, serviceList)
    .option('--seed <n>', 'seed of the simulated models', integer, 42)
    .option('--gpus <n>', 'GPU capacity of the simulated platform', positiveInt, 8)
    .option('--fast', 'no simulated platform delays')
    .option('--log-level <level>', 'LOG_LEVEL of every service (error, warn, log, debug, verbose)')
    .option('--ready-timeout <seconds>', 'how long each process may take to become ready', positiveNumber, 120)
    .option('--stop-timeout <seconds>', 'grace between SIGTERM and SIGKILL when stopping', positiveNumber, 20)
    .action((flags: UpFlags) => upAction(ctx, flags));
}
