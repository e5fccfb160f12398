// `flywheel demo`'s failure paths with the supervisor replaced (the whole demo runs in test/demo.integration-spec.ts):
// each failure names its reason and where the service logs were kept, and the stack is always stopped.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { type FlywheelStack, type FlywheelStackOptions } from '@flywheel/dev-stack';
import { runCli } from '../cli';
import { CliError } from '../errors';
import { capturedIo } from '../testing/captured-io';

function stackWith(options: FlywheelStackOptions, overrides: Partial<FlywheelStack>, stops: string[]): FlywheelStack {
  const url = 'http://127.0.0.1:1';
  const services = {
    'log-ingester': url,
    'dataset-builder': url,
    deployer: url,
    'customizer-driver': url,
    'evaluator-driver': url,
    'results-aggregator': url,
  };
  return {
    urls: { kafkaBrokers: ['127.0.0.1:1'], schemaRegistry: url, platform: url, api: url, services },
    paths: { logStore: `${options.dataDir}/stores/logs.db`, runStore: `${options.dataDir}/stores/runs.db` },
    ports: {
      kafka: 1,
      'schema-registry': 1,
      'platform-simulator': 1,
      'log-ingester': 1,
      'dataset-builder': 1,
      deployer: 1,
      'customizer-driver': 1,
      'evaluator-driver': 1,
      'results-aggregator': 1,
    },
    dataDir: options.dataDir,
    services: ['log-ingester', 'dataset-builder', 'results-aggregator'],
    skipped: [],
    stop: () => {
      stops.push('stop');
      return Promise.resolve();
    },
    kill: () => Promise.reject(new Error('unused')),
    restart: () => Promise.resolve(),
    waitReady: () => Promise.resolve(),
    pid: () => undefined,
    lastLines: () => [],
    onExit: () => undefined,
    ...overrides,
  };
}

function keptDir(stdout: string): string {
  const dir = /• kept (\S+) \(service logs in/.exec(stdout)?.[1];
  if (dir === undefined) throw new Error(`no kept directory in:\n${stdout}`);
  return dir;
}

describe('flywheel demo (failures)', () => {
  it('stops at once, naming the services this checkout lacks', async () => {
    const io = capturedIo();
    const stops: string[] = [];
    const code = await runCli(['demo'], {
      io,
      env: {},
      openLogSink: () => Promise.reject(new CliError('unused')),
      startStack: (options) => {
        options.log?.({ source: 'log-ingester', stream: 'stdout', text: 'listening' });
        return Promise.resolve(
          stackWith(
            options,
            { skipped: [{ name: 'deployer', reason: 'services/deployer/src/main.ts is missing' }] },
            stops,
          ),
        );
      },
    });
    expect(code).toBe(1);
    expect(io.stderr.text).toMatch(
      /^flywheel: demo failed after [\d.]+ s: the demo needs every service; not in this checkout yet: deployer\n {2}service logs: \S+services\.log\n$/,
    );
    expect(stops).toEqual(['stop']);
    const dir = keptDir(io.stdout.text);
    expect(readFileSync(`${dir}/services.log`, 'utf8')).toContain('log-ingester       | listening\n');
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a stack that does not start, keeping its directory for the logs', async () => {
    const io = capturedIo();
    const code = await runCli(['demo'], {
      io,
      env: {},
      openLogSink: () => Promise.reject(new CliError('unused')),
      startStack: () => Promise.reject(new Error('evaluator-driver did not become ready: exited with code 1')),
    });
    expect(code).toBe(1);
    expect(io.stderr.text).toContain('evaluator-driver did not become ready: exited with code 1');
    const dir = keptDir(io.stdout.text);
    expect(existsSync(dir)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the broker it could not publish to, and still stops the stack', async () => {
    const io = capturedIo();
    const stops: string[] = [];
    const code = await runCli(['demo'], {
      io,
      env: {},
      openLogSink: () => Promise.reject(new CliError('cannot publish to Kafka at 127.0.0.1:1 (ECONNREFUSED)')),
      startStack: (options) =>
        Promise.resolve(stackWith(options, { services: ['log-ingester', 'results-aggregator'] }, stops)),
    });
    expect(code).toBe(1);
    expect(io.stderr.text).toMatch(/demo failed after [\d.]+ s: cannot publish to Kafka at 127\.0\.0\.1:1/);
    expect(stops).toEqual(['stop']);
    rmSync(keptDir(io.stdout.text), { recursive: true, force: true });
  });
});
