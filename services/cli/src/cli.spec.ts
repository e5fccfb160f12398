// The command as a user meets it: arguments in, output and exit code out (publishing goes to a memory sink; the
// integration spec publishes to a real broker).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli';
import { type ConnectionOptions, type EnvSource } from './config';
import { CliError } from './errors';
import { badLinesFile, FIXTURE, fixtureLines } from './testing/bad-lines';
import { capturedIo } from './testing/captured-io';
import { MemoryLogSink } from './testing/memory-log-sink';

const dir = mkdtempSync(join(tmpdir(), 'flywheel-cli-'));
const readFixtureLine = (): string => fixtureLines()[0] ?? '';

function setup(options: { env?: EnvSource; tty?: boolean; sink?: MemoryLogSink } = {}) {
  const io = capturedIo({ tty: options.tty });
  const sink = options.sink ?? new MemoryLogSink();
  const connections: ConnectionOptions[] = [];
  const run = (...args: string[]) =>
    runCli(args, {
      io,
      env: options.env ?? {},
      openLogSink: (connection) => {
        connections.push(connection);
        return Promise.resolve(sink);
      },
    });
  return { io, sink, connections, run };
}

describe('flywheel logs load', () => {
  it('publishes the file and prints a summary', async () => {
    const { io, sink, run } = setup();
    expect(await run('logs', 'load', FIXTURE)).toBe(0);
    expect(sink.records).toHaveLength(258);
    expect(sink.closed).toBe(true);
    expect(io.stdout.text).toMatch(
      /logs load bfcl-live-simple\.jsonl → flywheel\.log\.llm-call-logged\.v1\n {2}published {2}258 records \(agent\.tool_router\/aiva-demo 258\)\n {2}skipped {4}0 invalid lines\n {2}time {7}[\d.]+ s, [\d,]+ records\/s\n/,
    );
  });

  it('connects to the defaults, the environment, or the flags, in rising precedence', async () => {
    const defaults = setup();
    await defaults.run('logs', 'load', FIXTURE);
    expect(defaults.connections[0]).toEqual({
      kafkaBrokers: ['127.0.0.1:9092'],
      schemaRegistryUrl: 'http://127.0.0.1:8081',
      timeoutMs: 30_000,
    });
    const env = { FLYWHEEL_KAFKA_BROKERS: 'k:1', FLYWHEEL_SCHEMA_REGISTRY_URL: 'http://r:2' };
    const fromEnv = setup({ env });
    await fromEnv.run('logs', 'load', FIXTURE);
    expect(fromEnv.connections[0]).toMatchObject({ kafkaBrokers: ['k:1'], schemaRegistryUrl: 'http://r:2' });
    const fromFlags = setup({ env });
    await fromFlags.run(
      'logs',
      'load',
      FIXTURE,
      '--brokers',
      'f:3',
      '--schema-registry-url',
      'http://f:4',
      '--timeout',
      '5',
    );
    expect(fromFlags.connections[0]).toEqual({
      kafkaBrokers: ['f:3'],
      schemaRegistryUrl: 'http://f:4',
      timeoutMs: 5000,
    });
  });

  it('overrides the ids of every record', async () => {
    const { sink, run } = setup();
    expect(await run('logs', 'load', FIXTURE, '--workload-id', 'w', '--client-id', 'c')).toBe(0);
    expect(new Set(sink.records.map((r) => `${r.workload_id}/${r.client_id}`))).toEqual(new Set(['w/c']));
  });

  it('reports bad lines by number and reason, publishes the rest and exits 0', async () => {
    const file = join(dir, 'bad.jsonl');
    const bad = badLinesFile(5000);
    writeFileSync(file, bad.bytes);
    const { io, sink, run } = setup();
    expect(await run('logs', 'load', file, '--max-line-bytes', '5000')).toBe(0);
    expect(sink.records).toHaveLength(bad.valid.length);
    const reported = io.stderr.text.split('\n').filter((l) => l.startsWith('line '));
    expect(reported.map((l) => Number(/^line (\d+):/.exec(l)?.[1]))).toEqual([...bad.invalid.keys()]);
    expect(io.stdout.text).toContain('skipped    6 invalid lines, 1 blank lines ignored');
  });

  it('exits 1 with --strict when any line was invalid', async () => {
    const file = join(dir, 'strict.jsonl');
    writeFileSync(file, badLinesFile(5000).bytes);
    const { io, run } = setup();
    expect(await run('logs', 'load', file, '--strict', '--max-line-bytes', '5000')).toBe(1);
    expect(io.stderr.text).toContain('flywheel: 6 invalid lines (--strict)');
  });

  it('prints only as many bad lines as asked and counts the rest', async () => {
    const file = join(dir, 'many-bad.jsonl');
    writeFileSync(file, `${readFixtureLine()}\n${'nope\n'.repeat(30)}`);
    const { io, run } = setup();
    expect(await run('logs', 'load', file, '--show-invalid', '3')).toBe(0);
    expect(io.stderr.text.match(/^line \d+: not JSON/gm)).toHaveLength(3);
    expect(io.stderr.text).toContain('… and 27 more invalid lines (--show-invalid to see more)');
  });

  it('exits 1 when nothing was published', async () => {
    const file = join(dir, 'all-bad.jsonl');
    writeFileSync(file, 'nope\n\n[]\n');
    const { io, sink, run } = setup();
    expect(await run('logs', 'load', file)).toBe(1);
    expect(sink.records).toHaveLength(0);
    expect(io.stderr.text).toContain('flywheel: nothing was published: 3 lines, 2 invalid, 1 blank');
  });

  it('exits 1 without connecting when the file is missing or a directory', async () => {
    const { io, connections, run } = setup();
    expect(await run('logs', 'load', join(dir, 'missing.jsonl'))).toBe(1);
    expect(io.stderr.text).toContain(`flywheel: cannot load ${join(dir, 'missing.jsonl')}: no such file`);
    expect(await run('logs', 'load', dir)).toBe(1);
    expect(io.stderr.text).toContain('not a regular file');
    expect(connections).toHaveLength(0);
  });

  it('exits 1 with the sink’s message when the broker cannot be reached', async () => {
    const io = capturedIo();
    const code = await runCli(['logs', 'load', FIXTURE], {
      io,
      env: {},
      openLogSink: () => Promise.reject(new CliError('cannot publish to Kafka at 127.0.0.1:9092 (ECONNREFUSED)')),
    });
    expect(code).toBe(1);
    expect(io.stderr.text).toBe('flywheel: cannot publish to Kafka at 127.0.0.1:9092 (ECONNREFUSED)\n');
  });

  it('exits 1, saying how far it got, when publishing fails part way', async () => {
    const { io, run } = setup({ sink: new MemoryLogSink(2) });
    expect(await run('logs', 'load', FIXTURE, '--batch-size', '100')).toBe(1);
    expect(io.stderr.text).toContain('flywheel: stopped after publishing 100 records: broker went away.');
  });

  it('prints a JSON summary with --json', async () => {
    const { io, run } = setup();
    expect(await run('logs', 'load', FIXTURE, '--json')).toBe(0);
    expect(JSON.parse(io.stdout.text)).toMatchObject({
      file: FIXTURE,
      topic: 'flywheel.log.llm-call-logged.v1',
      published: 258,
      skipped: 0,
      perWorkload: { 'agent.tool_router/aiva-demo': 258 },
    });
    expect(io.stderr.text).toBe('');
  });

  it('draws a progress bar on a terminal and holds bad-line reports until it is done', async () => {
    const file = join(dir, 'tty.jsonl');
    writeFileSync(file, `nope\n${readFixtureLine()}\n`);
    const { io, run } = setup({ tty: true });
    expect(await run('logs', 'load', file)).toBe(0);
    const err = io.stderr.text;
    expect(err).toContain('logs load |');
    expect(err).toContain('100%');
    expect(err.indexOf('line 1: not JSON')).toBeGreaterThan(err.lastIndexOf('100%'));
  });

  it.each([
    [['logs', 'load'], /missing required argument 'file'/],
    [['logs', 'load', FIXTURE, '--batch-size', '0'], /--batch-size <n>' argument '0' is invalid/],
    [['logs', 'load', FIXTURE, '--brokers', 'nohost'], /--brokers: expected host:port/],
    [['logs', 'load', FIXTURE, '--workload-id', ' '], /must not be empty/],
    [['logs', 'frobnicate'], /unknown command 'frobnicate'/],
  ])('exits 2 on bad usage: %j', async (args, message) => {
    const { io, run } = setup();
    expect(await run(...args)).toBe(2);
    expect(io.stderr.text).toMatch(message);
  });

  it('exits 2 naming a bad environment variable', async () => {
    const { io, run } = setup({ env: { FLYWHEEL_SCHEMA_REGISTRY_URL: 'not a url' } });
    expect(await run('logs', 'load', FIXTURE)).toBe(2);
    expect(io.stderr.text).toMatch(/^flywheel: invalid environment: FLYWHEEL_SCHEMA_REGISTRY_URL: expected an http/);
  });

  it('prints help and exits 0', async () => {
    const { io, run } = setup();
    expect(await run('logs', 'load', '--help')).toBe(0);
    expect(io.stdout.text).toContain('Usage: flywheel logs load [options] <file>');
    expect(io.stdout.text).toContain('--workload-id <id>');
  });
});
