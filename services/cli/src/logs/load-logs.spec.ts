import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { badLinesFile, FIXTURE, fixtureLines } from '../testing/bad-lines';
import { MemoryLogSink } from '../testing/memory-log-sink';
import { loadLogs, LoadInterruptedError, type LoadOptions } from './load-logs';

const dir = mkdtempSync(join(tmpdir(), 'flywheel-cli-load-'));
let clockMs = 0;
const base: Omit<LoadOptions, 'file'> = {
  model: 'not-a-model',
  now: Date.UTC(2026, 0, 1),
  clock: () => (clockMs += 250),
  maxLineBytes: 50_000,
  batchRecords: 100,
  batchBytes: 1024 * 1024,
};

describe('loadLogs', () => {
  it('publishes every record of the sample file in order', async () => {
    const sink = new MemoryLogSink();
    const summary = await loadLogs(sink, { ...base, file: FIXTURE });
    const lines = fixtureLines();
    expect(summary).toMatchObject({ lines: lines.length, published: lines.length, skipped: 0, blank: 0 });
    expect(summary.perWorkload).toEqual({ 'agent.tool_router/aiva-demo': lines.length });
    expect(sink.records.map((r) => r.timestamp)).toEqual(
      lines.map((l) => (JSON.parse(l) as { timestamp: number }).timestamp * 1000),
    );
    expect(summary.seconds).toBeGreaterThan(0);
    expect(summary.recordsPerSecond).toBeCloseTo(summary.published / summary.seconds);
  });

  it('publishes the valid lines of a file full of bad ones and reports each bad one with its reason', async () => {
    const file = join(dir, 'bad-lines.jsonl');
    const bad = badLinesFile(base.maxLineBytes);
    writeFileSync(file, bad.bytes);
    const sink = new MemoryLogSink();
    const reported: [number, string][] = [];
    const summary = await loadLogs(sink, { ...base, file, onInvalid: (n, reason) => reported.push([n, reason]) });

    expect(summary).toMatchObject({ lines: 12, published: bad.valid.length, skipped: bad.invalid.size, blank: 1 });
    expect(reported.map(([n]) => n)).toEqual([...bad.invalid.keys()]);
    for (const [n, reason] of reported) expect(reason).toMatch(bad.invalid.get(n) ?? /never/);
    const logIds = sink.records.map((r) => r.log_id);
    expect(new Set(logIds).size).toBe(bad.valid.length);
    expect(sink.records.map((r) => r.workload_id)).toEqual([
      'agent.tool_router',
      'agent.tool_router',
      'agent.chat',
      'agent.tool_router',
      'agent.tool_router',
    ]);
  });

  it('bounds batches by records and by bytes', async () => {
    const byCount = new MemoryLogSink();
    await loadLogs(byCount, { ...base, file: FIXTURE, batchRecords: 100 });
    expect(byCount.batches.map((b) => b.length)).toEqual([100, 100, 58]);
    const bySize = new MemoryLogSink();
    await loadLogs(bySize, { ...base, file: FIXTURE, batchBytes: 20_000 });
    expect(Math.max(...bySize.batches.map((b) => b.length))).toBeLessThan(20);
    expect(bySize.records).toHaveLength(258);
  });

  it('gives the same ids when the same file is loaded twice', async () => {
    const first = new MemoryLogSink();
    const second = new MemoryLogSink();
    await loadLogs(first, { ...base, file: FIXTURE });
    await loadLogs(second, { ...base, file: FIXTURE, now: base.now + 3_600_000 });
    expect(second.records.map((r) => [r.log_id, r.event_id])).toEqual(first.records.map((r) => [r.log_id, r.event_id]));
  });

  it('says how many records were published when the sink fails part way', async () => {
    const sink = new MemoryLogSink(2);
    const load = loadLogs(sink, { ...base, file: FIXTURE, batchRecords: 100 });
    await expect(load).rejects.toThrow(LoadInterruptedError);
    await expect(load).rejects.toMatchObject({ published: 100, message: 'broker went away' });
  });

  it('rejects when the file cannot be read', async () => {
    await expect(loadLogs(new MemoryLogSink(), { ...base, file: join(dir, 'missing.jsonl') })).rejects.toThrow(
      /ENOENT/,
    );
  });
});
