// `npm run kafka` as a user runs it: a separate process that kafkajs clients and the schema-registry client
// share, which stops cleanly on SIGTERM and refuses bad flags with a clear message.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

const MAIN = resolve(__dirname, '../src/main.ts');

const running: ChildProcessWithoutNullStreams[] = [];
const output = new WeakMap<ChildProcessWithoutNullStreams, { text: string }>();

function startCli(args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: 'pipe' });
  const buf = { text: '' };
  output.set(child, buf);
  child.stdout.on('data', (d: Buffer) => (buf.text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (buf.text += d.toString()));
  running.push(child);
  return child;
}

/** Everything the process printed so far is searched, so a line printed before the call still counts. */
async function waitForOutput(
  child: ChildProcessWithoutNullStreams,
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = output.get(child)?.text ?? '';
    const m = pattern.exec(text);
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`no ${String(pattern)} in output:\n${text}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function exitCode(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));
}

describe('npm run kafka (the standalone dev stack)', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'flywheel-cli-'));
  });

  afterEach(() => {
    for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves kafkajs and the schema registry from another process, keeps data across restarts, stops on SIGTERM', async () => {
    const args = ['--port', '0', '--registry-port', '0', '--data-dir', dataDir];
    let child = startCli(args);
    const [, bootstrap] = await waitForOutput(child, /Kafka bootstrap servers: (\S+)/);
    const [, registryUrl] = await waitForOutput(child, /Schema registry: +(\S+)/);
    const kafka = new Kafka({ clientId: 'cli-test', brokers: bootstrap!.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'cli-topic', acks: -1, messages: [{ value: 'kept' }] });
    await producer.disconnect();
    const subjects = await (await fetch(`${registryUrl!}/subjects`)).json();
    expect(subjects).toEqual([]);
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);

    child = startCli(args);
    const [, bootstrap2] = await waitForOutput(child, /Kafka bootstrap servers: (\S+)/);
    const admin = new Kafka({ brokers: bootstrap2!.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets('cli-topic');
    await admin.disconnect();
    expect(offsets).toEqual([expect.objectContaining({ partition: 0, low: '0', high: '1' })]);
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  it.each([
    [['--port', 'ninety'], /"ninety" is not a TCP port/],
    [['--brokers', '0'], /"0" is not a positive integer/],
    [['--fsync', 'sometimes'], /--fsync must be 'never' or 'always'/],
  ])('refuses %j with a clear message', async (args, message) => {
    const child = startCli([...args, '--data-dir', dataDir]);
    await waitForOutput(child, message);
    expect(await exitCode(child)).not.toBe(0);
  });
});
