// `flywheel up` with the supervisor replaced: what it starts, what it prints, and that Ctrl-C stops everything.
import { resolve } from 'node:path';
import { type FlywheelStack, type FlywheelStackOptions } from '@flywheel/dev-stack';
import { runCli } from '../cli';
import { CliError } from '../errors';
import { capturedIo } from '../testing/captured-io';

function fakeStack(options: FlywheelStackOptions, events: string[]): FlywheelStack {
  const url = (port: number) => `http://127.0.0.1:${port}`;
  return {
    urls: {
      kafkaBrokers: ['127.0.0.1:9092'],
      schemaRegistry: url(8081),
      platform: url(8080),
      api: url(8000),
      services: {
        'log-ingester': url(8090),
        'dataset-builder': url(8092),
        deployer: url(8093),
        'customizer-driver': url(8094),
        'evaluator-driver': url(8095),
        'results-aggregator': url(8000),
      },
    },
    paths: { logStore: `${options.dataDir}/stores/logs.db`, runStore: `${options.dataDir}/stores/runs.db` },
    ports: {
      kafka: 9092,
      'schema-registry': 8081,
      'platform-simulator': 8080,
      'log-ingester': 8090,
      'dataset-builder': 8092,
      deployer: 8093,
      'customizer-driver': 8094,
      'evaluator-driver': 8095,
      'results-aggregator': 8000,
    },
    dataDir: options.dataDir,
    services: ['log-ingester', 'dataset-builder', 'results-aggregator'],
    skipped: [{ name: 'deployer', reason: 'services/deployer/src/main.ts does not exist yet' }],
    stop: () => {
      events.push('stop');
      return Promise.resolve();
    },
    kill: () => Promise.reject(new Error('not in this test')),
    restart: () => Promise.resolve(),
    waitReady: () => Promise.resolve(),
    pid: () => undefined,
    lastLines: () => [],
    onExit: () => undefined,
  };
}

function setup(start: (options: FlywheelStackOptions) => Promise<FlywheelStack>) {
  const io = capturedIo();
  const handlers: (() => void)[] = [];
  const run = (...args: string[]) =>
    runCli(args, {
      io,
      env: {},
      openLogSink: () => Promise.reject(new CliError('unused')),
      startStack: start,
      onInterrupt: (handler) => {
        handlers.push(handler);
        return () => handlers.splice(handlers.indexOf(handler), 1);
      },
    });
  return { io, run, interrupt: () => [...handlers].forEach((h) => h()), handlers };
}

describe('flywheel up', () => {
  it('starts the stack on the well-known ports, prints where it is, and stops it on Ctrl-C', async () => {
    const events: string[] = [];
    const seen: FlywheelStackOptions[] = [];
    const { io, run, interrupt, handlers } = setup((options) => {
      seen.push(options);
      options.log?.({ source: 'log-ingester', stream: 'stdout', text: 'listening on http://127.0.0.1:8090' });
      events.push('started');
      return Promise.resolve(fakeStack(options, events));
    });
    const done = run('up', '--seed', '7', '--gpus', '2', '--data-dir', 'tmp-stack');
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['started']);
    expect(io.stdout.text).toContain('log-ingester       | listening on http://127.0.0.1:8090\n');
    expect(io.stdout.text).toContain('flywheel is up\n  jobs API          http://127.0.0.1:8000');
    expect(io.stdout.text).toContain('  not running       deployer\n');
    interrupt();
    expect(await done).toBe(0);
    expect(events).toEqual(['started', 'stop']);
    expect(io.stdout.text).toMatch(/flywheel stopped\n$/);
    expect(handlers).toHaveLength(0);
    expect(seen[0]).toMatchObject({
      dataDir: resolve('tmp-stack'),
      ports: 'default',
      simulator: { seed: 7, gpuCapacity: 2, delays: 'realistic' },
      readyTimeoutMs: 120_000,
      stopTimeoutMs: 20_000,
    });
  });

  it('passes --auto-ports, --services, --fast and --log-level through', async () => {
    const events: string[] = [];
    const seen: FlywheelStackOptions[] = [];
    const { run, interrupt } = setup((options) => {
      seen.push(options);
      return Promise.resolve(fakeStack(options, events));
    });
    const done = run(
      'up',
      '--auto-ports',
      '--services',
      'log-ingester,results-aggregator',
      '--fast',
      '--log-level',
      'warn',
    );
    await new Promise((r) => setTimeout(r, 20));
    interrupt();
    expect(await done).toBe(0);
    expect(seen[0]).toMatchObject({
      ports: 'auto',
      services: ['log-ingester', 'results-aggregator'],
      simulator: { delays: 'none' },
      env: { LOG_LEVEL: 'warn' },
    });
  });

  it('exits 1 with the supervisor’s reason when a service does not come up', async () => {
    const { io, run } = setup(() =>
      Promise.reject(new Error('dataset-builder did not become ready: exited with code 1\nlast lines: boom')),
    );
    expect(await run('up')).toBe(1);
    expect(io.stderr.text).toBe(
      'flywheel: the flywheel did not start: dataset-builder did not become ready: exited with code 1\nlast lines: boom\n',
    );
  });

  it('stops quietly when interrupted while starting', async () => {
    let aborted: AbortSignal | undefined;
    const { io, run, interrupt } = setup(
      (options) =>
        new Promise((_, reject) => {
          aborted = options.signal;
          options.signal?.addEventListener('abort', () => reject(new Error('start aborted')));
        }),
    );
    const done = run('up');
    await new Promise((r) => setTimeout(r, 20));
    interrupt();
    expect(await done).toBe(0);
    expect(aborted?.aborted).toBe(true);
    expect(io.stdout.text).not.toContain('flywheel is up');
  });

  it('exits 2 naming an unknown service', async () => {
    const { io, run } = setup(() => Promise.reject(new Error('must not start')));
    expect(await run('up', '--services', 'log-ingester,frobnicator')).toBe(2);
    expect(io.stderr.text).toMatch(/unknown service frobnicator; expected some of log-ingester, dataset-builder/);
  });
});
