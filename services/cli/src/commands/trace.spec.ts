import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli';
import { ExitCode } from '../errors';
import { capturedIo } from '../testing/captured-io';

const dir = mkdtempSync(join(tmpdir(), 'flywheel-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const span = (o: Record<string, unknown>) =>
  JSON.stringify({
    traceId: 'a'.repeat(32),
    kind: 'internal',
    start: 1000,
    durationMs: 5,
    status: 'unset',
    attributes: {},
    links: [],
    ...o,
  });

writeFileSync(
  join(dir, 'results-aggregator-1.jsonl'),
  [
    span({ spanId: '1'.repeat(16), name: 'POST', kind: 'server', service: 'results-aggregator' }),
    span({
      spanId: '2'.repeat(16),
      parentSpanId: '1'.repeat(16),
      name: 'send flywheel.run.requested.v1',
      kind: 'producer',
      service: 'results-aggregator',
      start: 1001,
      attributes: { 'flywheel.run_id': 'run-1' },
    }),
  ].join('\n'),
);
writeFileSync(
  join(dir, 'dataset-builder-2.jsonl'),
  span({
    spanId: '3'.repeat(16),
    parentSpanId: '2'.repeat(16),
    name: 'process flywheel.run.requested.v1',
    kind: 'consumer',
    service: 'dataset-builder',
    start: 1002,
    durationMs: 1500,
    attributes: { 'flywheel.run_id': 'run-1', 'flywheel.outcome': 'processed' },
  }),
);

function run(...args: string[]) {
  const io = capturedIo();
  return { io, code: runCli(args, { io, env: {}, openLogSink: () => Promise.reject(new Error('unused')) }) };
}

describe('flywheel trace', () => {
  it('prints the run’s trace as a tree across the span files of every process', async () => {
    const { io, code } = run('trace', 'run-1', '--traces', dir);
    expect(await code).toBe(ExitCode.ok);
    expect(io.stdout.text).toBe(
      [
        `trace ${'a'.repeat(32)}: 3 spans, 2 services (dataset-builder, results-aggregator), 1.50 s`,
        '└─ results-aggregator  POST  [server] 5 ms',
        '   └─ results-aggregator  send flywheel.run.requested.v1  [producer] 5 ms',
        '      └─ dataset-builder  process flywheel.run.requested.v1  [consumer] 1.50 s  outcome=processed',
        '',
      ].join('\n'),
    );
  });

  it('prints the spans as JSON lines with --json', async () => {
    const { io, code } = run('trace', 'run-1', '--traces', dir, '--json');
    expect(await code).toBe(ExitCode.ok);
    const lines = io.stdout.text.trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { spanId: string }).spanId).sort()).toEqual(
      ['1', '2', '3'].map((c) => c.repeat(16)),
    );
  });

  it('fails naming the run, or the directory, when there is nothing to show', async () => {
    const unknown = run('trace', 'run-2', '--traces', dir);
    expect(await unknown.code).toBe(ExitCode.failure);
    expect(unknown.io.stderr.text).toMatch(/no spans of run run-2 in .* \(3 spans in 2 files\)/);
    const missing = run('trace', 'run-1', '--traces', join(dir, 'nope'));
    expect(await missing.code).toBe(ExitCode.failure);
    expect(missing.io.stderr.text).toMatch(/no span files in .*nope: is the flywheel running/);
  });
});
