// `flywheel logs …`: production logs. `logs load FILE` publishes a JSONL file to the production-log topic, the
// counterpart of the blueprint's load_test_data.py (which wrote to Elasticsearch directly; here the log-ingester
// stores, redacts and dedupes what is published).
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Topics } from '@flywheel/contracts';
import { readConnectionDefaults, resolveConnection, type ConnectionOptions } from '../config';
import { CliError, errorText, ExitCode } from '../errors';
import { type CliContext } from '../context';
import { loadLogs, LoadInterruptedError, type LoadSummary } from '../logs/load-logs';
import { createProgress } from '../progress/progress';

interface LoadFlags {
  readonly workloadId?: string;
  readonly clientId?: string;
  readonly model: string;
  readonly brokers?: string;
  readonly schemaRegistryUrl?: string;
  readonly timeout: string;
  readonly maxLineBytes: number;
  readonly batchSize: number;
  readonly showInvalid: number;
  readonly strict?: boolean;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

// Brokers refuse record batches over about 1 MB (message.max.bytes): one line, and one batch, stay below that.
const DEFAULT_MAX_LINE_BYTES = 1_000_000;
const BATCH_BYTES = 512 * 1024;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of at least 0');
  return n;
}

function nonEmpty(value: string): string {
  if (value.trim().length === 0) throw new InvalidArgumentError('must not be empty');
  return value.trim();
}

async function checkReadable(file: string): Promise<number> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new CliError(`cannot load ${file}: not a regular file`);
    return info.size;
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : errorText(err);
    throw new CliError(`cannot load ${file}: ${why}`, ExitCode.failure, { cause: err });
  }
}

const n = (x: number): string => x.toLocaleString('en-US');

function summaryText(file: string, s: LoadSummary): string {
  const workloads = Object.entries(s.perWorkload)
    .map(([w, c]) => `${w} ${n(c)}`)
    .join(', ');
  return [
    `logs load ${basename(file)} → ${Topics.llmCallLoggedV1}`,
    `  published  ${n(s.published)} records${workloads === '' ? '' : ` (${workloads})`}`,
    `  skipped    ${n(s.skipped)} invalid lines${s.blank > 0 ? `, ${n(s.blank)} blank lines ignored` : ''}`,
    `  time       ${s.seconds.toFixed(1)} s, ${n(Math.round(s.recordsPerSecond))} records/s`,
    '',
  ].join('\n');
}

async function loadAction(ctx: CliContext, file: string, flags: LoadFlags): Promise<void> {
  const { io } = ctx;
  const defaults = readConnectionDefaults(ctx.env);
  const connection: ConnectionOptions = resolveConnection({
    brokers: flags.brokers ?? defaults.kafkaBrokers.join(','),
    schemaRegistryUrl: flags.schemaRegistryUrl ?? defaults.schemaRegistryUrl,
    timeout: flags.timeout,
  });
  const size = await checkReadable(file);
  const sink = await ctx.openLogSink(connection);

  const progress = createProgress('logs load', io.stderr, {
    quiet: flags.quiet === true || flags.json === true,
    clock: io.clock,
  });
  // With a bar on screen, invalid-line reports wait until it is done; otherwise they are written as they come.
  const deferred: string[] = [];
  const barShown = io.stderr.isTTY === true && flags.quiet !== true && flags.json !== true;
  let reported = 0;
  const report = (line: string): void => {
    if (barShown) deferred.push(line);
    else io.stderr.write(line);
  };

  let summary: LoadSummary;
  try {
    summary = await loadLogs(sink, {
      file,
      workloadId: flags.workloadId,
      clientId: flags.clientId,
      model: flags.model,
      now: io.now(),
      clock: io.clock,
      maxLineBytes: flags.maxLineBytes,
      batchRecords: flags.batchSize,
      batchBytes: BATCH_BYTES,
      onInvalid: (lineNumber, reason) => {
        reported++;
        if (reported <= flags.showInvalid) report(`line ${lineNumber}: ${reason}\n`);
      },
      onProgress: ({ bytesRead, published, skipped }) =>
        progress.update({ done: bytesRead, total: size, detail: `${n(published)} published, ${n(skipped)} skipped` }),
    });
  } catch (err) {
    progress.stop();
    for (const line of deferred) io.stderr.write(line);
    if (err instanceof LoadInterruptedError) {
      throw new CliError(
        `stopped after publishing ${n(err.published)} records: ${err.message}. ` +
          'Loading the file again is safe: every record keeps its id.',
        ExitCode.failure,
        { cause: err },
      );
    }
    throw err;
  } finally {
    await sink.close();
  }
  progress.stop();
  for (const line of deferred) io.stderr.write(line);
  if (reported > flags.showInvalid) {
    io.stderr.write(`… and ${n(reported - flags.showInvalid)} more invalid lines (--show-invalid to see more)\n`);
  }

  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify({ file, topic: Topics.llmCallLoggedV1, ...summary })}\n`);
  } else {
    io.stdout.write(summaryText(file, summary));
  }
  if (summary.published === 0) {
    throw new CliError(
      `nothing was published: ${n(summary.lines)} lines, ${n(summary.skipped)} invalid, ${n(summary.blank)} blank`,
    );
  }
  if (flags.strict === true && summary.skipped > 0) {
    throw new CliError(`${n(summary.skipped)} invalid lines (--strict)`);
  }
}

export function logsCommand(ctx: CliContext): Command {
  const logs = new Command('logs').description('production logs: load a file into the flywheel');
  logs
    .command('load')
    .description(
      'publish a JSONL file of production log records to the production-log topic (Avro, through the schema registry). ' +
        'Lines are full records {timestamp, workload_id, client_id, request, response} or bare {messages, tools?} ' +
        'conversations whose last message is the assistant answer. Invalid lines are reported and skipped.',
    )
    .argument('<file>', 'JSONL file, one record per line')
    .option(
      '--workload-id <id>',
      'workload id of every record (overrides the file; required for {messages} lines)',
      nonEmpty,
    )
    .option(
      '--client-id <id>',
      'client id of every record (overrides the file; required for {messages} lines)',
      nonEmpty,
    )
    .option('--model <name>', 'model named in the request of {messages} lines', nonEmpty, 'not-a-model')
    .option('--brokers <host:port,...>', 'Kafka bootstrap brokers (default: $FLYWHEEL_KAFKA_BROKERS or 127.0.0.1:9092)')
    .option(
      '--schema-registry-url <url>',
      'schema registry (default: $FLYWHEEL_SCHEMA_REGISTRY_URL or http://127.0.0.1:8081)',
    )
    .option('--timeout <seconds>', 'bound on connecting and on each publish', '30')
    .addOption(
      new Option('--max-line-bytes <n>', 'longer lines are skipped as invalid')
        .argParser(positiveInt)
        .default(DEFAULT_MAX_LINE_BYTES),
    )
    .addOption(new Option('--batch-size <n>', 'records per publish').argParser(positiveInt).default(500))
    .addOption(
      new Option('--show-invalid <n>', 'invalid lines to print (the rest are counted)')
        .argParser(nonNegativeInt)
        .default(20),
    )
    .option('--strict', 'exit with an error when any line was invalid')
    .option('--json', 'print the summary as JSON on stdout (no progress)')
    .option('--quiet', 'no progress output')
    .action((file: string, flags: LoadFlags) => loadAction(ctx, file, flags));
  return logs;
}
