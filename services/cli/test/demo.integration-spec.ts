// `npm run demo` in-process: the real stack (every service its own process), the sample logs through `logs load`,
// a run over three simulated candidates, the report. Slow on two cores; nothing here asserts speed.
import { performance } from 'node:perf_hooks';
import { openBusLogSink } from '../src/logs/bus-log-sink';
import { runCli } from '../src/cli';
import { capturedIo } from '../src/testing/captured-io';

jest.setTimeout(420_000);

describe('flywheel demo', () => {
  it('answers which candidate can replace the teacher, then stops everything and exits 0', async () => {
    const io = { ...capturedIo(), clock: () => performance.now() };
    const code = await runCli(['demo', '--fast', '--timeout', '300'], { io, env: {}, openLogSink: openBusLogSink });
    const out = io.stdout.text;
    if (code !== 0) throw new Error(`demo exited ${code}:\n${io.stderr.text}\n${out}`);
    expect(out).toMatch(/• published 258 production log records from /);
    expect(out).toMatch(/• the log-ingester stored 258 records for agent\.tool_router \/ aiva-demo/);
    const report = out.slice(out.indexOf('report for run'));
    expect(report).toMatch(/^report for run [0-9a-f-]{36} \(completed\)/);
    // Three ranked candidates, each with a base, ICL and customized score.
    const rows = report.split('\n').filter((l) => /^\d( \*)? +meta\/llama-/.test(l));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/ +\d\.\d{3} +\d\.\d{3} +\d\.\d{3} +/);
    expect(report).toMatch(/\nrecommendation: \S+/);
    expect(out).toMatch(/• stopped; [\d.]+ s in all\n/);
  });
});
