// The real thing: the embedded broker and registry, the platform simulator and every flywheel service present in
// this checkout, each in its own process, as `flywheel up` and the end-to-end tests start them. Boots share two
// cores, so the timeouts are generous; nothing here asserts speed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLYWHEEL_SERVICES, startFlywheelStack, type FlywheelStack, type LogLine } from '../src';

jest.setTimeout(300_000);

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startFlywheelStack (the services in this checkout)', () => {
  let stack: FlywheelStack | undefined;
  const lines: LogLine[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'flywheel-stack-'));

  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts every service present, each ready on its own port', async () => {
    stack = await startFlywheelStack({
      dataDir,
      simulator: { delays: 'none' },
      // A restarted member rejoins its group sooner than with the 30 s default session.
      env: { KAFKA_SESSION_TIMEOUT_MS: '8000', KAFKA_HEARTBEAT_INTERVAL_MS: '1000' },
      log: (l) => lines.push(l),
      readyTimeoutMs: 240_000,
    });
    expect([...stack.services, ...stack.skipped.map((s) => s.name)].sort()).toEqual([...FLYWHEEL_SERVICES].sort());
    expect(stack.services).toEqual(expect.arrayContaining(['log-ingester', 'dataset-builder', 'results-aggregator']));
    for (const name of stack.services) {
      expect((await fetch(`${stack.urls.services[name]}/health/ready`)).status).toBe(200);
      expect(lines.some((l) => l.source === name && l.stream !== 'supervisor')).toBe(true);
    }
    const jobs = await fetch(`${stack.urls.api}/api/jobs`);
    expect(await jobs.json()).toEqual({ jobs: [], next_cursor: null });
  });

  it('SIGKILLs the dataset-builder and brings it back', async () => {
    if (stack === undefined) throw new Error('the stack did not start');
    const url = `${stack.urls.services['dataset-builder']}/health/ready`;
    expect(await stack.kill('dataset-builder')).toEqual({ code: null, signal: 'SIGKILL' });
    await expect(fetch(url)).rejects.toThrow();
    await stack.restart('dataset-builder');
    expect((await fetch(url)).status).toBe(200);
  });

  it('stops every process gracefully', async () => {
    if (stack === undefined) throw new Error('the stack did not start');
    const running = [...stack.services, 'platform-simulator' as const];
    const pids = running.map((n) => stack?.pid(n));
    expect(pids.every(alive)).toBe(true);
    await stack.stop();
    expect(pids.filter(alive)).toEqual([]);
    // SIGTERM sufficed: no process needed the SIGKILL fallback.
    expect(lines.filter((l) => l.text.includes('of SIGTERM: sending SIGKILL'))).toEqual([]);
    expect(lines.filter((l) => l.stream === 'supervisor' && /exited with code [1-9]/.test(l.text))).toEqual([]);
  });
});
