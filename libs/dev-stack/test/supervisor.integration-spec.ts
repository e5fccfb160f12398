// The supervisor against a stand-in checkout: tiny processes in place of the services and the simulator (they start
// in a second, so this covers the supervisor's own behaviour: environment, prefixed lines, readiness, skipping,
// failures named, kill and restart, stop). flywheel-stack.integration-spec.ts runs the real services.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFlywheelStack, StackStartError, type FlywheelStack, type LogLine } from '../src';

// A stand-in service: answers /health/ready on HTTP_PORT, prints the settings it got, stops on SIGTERM.
const SERVICE = `
const http = require('node:http');
const keys = ['HTTP_HOST', 'KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'NEMO_BASE_URL', 'LOG_STORE_SQLITE_PATH', 'EXTRA'];
console.log('settings ' + keys.map((k) => k + '=' + (process.env[k] ?? '')).join(' ') + ' cwd=' + process.cwd());
const server = http.createServer((req, res) => { res.writeHead(req.url === '/health/ready' ? 200 : 404); res.end('{}'); });
server.listen(Number(process.env.HTTP_PORT), process.env.HTTP_HOST);
process.on('SIGTERM', () => { console.log('stopping'); server.close(() => process.exit(0)); });
`;

const SIMULATOR = `
const http = require('node:http');
const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
console.log('simulator args ' + process.argv.slice(2).join(' '));
const server = http.createServer((req, res) => { res.writeHead(req.url === '/_sim/state' ? 200 : 404); res.end('{}'); });
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const BROKEN = `console.log('booting'); console.error('deployer: failed to start: DEPLOYER_GPUS: must be at least 1'); process.exit(1);`;

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function fakeCheckout(files: Record<string, string>): string {
  const root = tempDir('flywheel-fake-repo-');
  writeFileSync(join(root, 'tsconfig.json'), '{}');
  for (const [name, source] of Object.entries(files)) {
    mkdirSync(join(root, 'services', name, 'src'), { recursive: true });
    writeFileSync(join(root, 'services', name, 'src', 'main.ts'), source);
  }
  return root;
}

const stacks: FlywheelStack[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.stop()));
});

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startFlywheelStack (stand-in services)', () => {
  it('starts what is there, skips what is not, points each at the stack, and stops them all', async () => {
    const repoRoot = fakeCheckout({
      'platform-simulator': SIMULATOR,
      'log-ingester': SERVICE,
      'dataset-builder': SERVICE,
      'results-aggregator': SERVICE,
    });
    const dataDir = tempDir('flywheel-stack-');
    const lines: LogLine[] = [];
    const stack = await startFlywheelStack({
      repoRoot,
      dataDir,
      simulator: { seed: 7, gpuCapacity: 3 },
      serviceEnv: { 'dataset-builder': { EXTRA: 'only-builder' } },
      log: (l) => lines.push(l),
      readyTimeoutMs: 60_000,
    });
    stacks.push(stack);

    expect(stack.services).toEqual(['log-ingester', 'dataset-builder', 'results-aggregator']);
    expect(stack.skipped.map((s) => s.name)).toEqual(['deployer', 'customizer-driver', 'evaluator-driver']);
    expect(lines).toContainEqual({
      source: 'supervisor',
      stream: 'supervisor',
      text: `warning: skipping deployer: ${join(repoRoot, 'services/deployer/src/main.ts')} does not exist yet`,
    });
    const settings = (name: string) => lines.find((l) => l.source === name && l.text.startsWith('settings'))?.text;
    expect(settings('dataset-builder')).toBe(
      `settings HTTP_HOST=127.0.0.1 KAFKA_BROKERS=${stack.urls.kafkaBrokers.join(',')} ` +
        `SCHEMA_REGISTRY_URL=${stack.urls.schemaRegistry} NEMO_BASE_URL=${stack.urls.platform} ` +
        `LOG_STORE_SQLITE_PATH=${stack.paths.logStore} EXTRA=only-builder cwd=${dataDir}`,
    );
    expect(settings('log-ingester')).toContain('EXTRA= ');
    expect(lines.find((l) => l.source === 'platform-simulator')?.text).toMatch(
      /^simulator args --host 127\.0\.0\.1 --port \d+ --seed 7 --gpus 3 --latency-scale 0 --data-dir .*simulator$/,
    );
    for (const name of stack.services) {
      expect((await fetch(`${stack.urls.services[name]}/health/ready`)).status).toBe(200);
    }
    expect(stack.urls.api).toBe(stack.urls.services['results-aggregator']);

    const pids = [...stack.services, 'platform-simulator' as const].map((n) => stack.pid(n));
    expect(pids.every(alive)).toBe(true);
    await stack.stop();
    expect(pids.some(alive)).toBe(false);
    expect(
      lines
        .filter((l) => l.text === 'stopping')
        .map((l) => l.source)
        .sort(),
    ).toEqual(['dataset-builder', 'log-ingester', 'results-aggregator']);
    await expect(fetch(`${stack.urls.schemaRegistry}/subjects`)).rejects.toThrow();
  });

  it('kills one service and restarts it on the same port', async () => {
    const repoRoot = fakeCheckout({ 'platform-simulator': SIMULATOR, 'log-ingester': SERVICE });
    const exits: string[] = [];
    const lines: LogLine[] = [];
    const stack = await startFlywheelStack({
      repoRoot,
      dataDir: tempDir('flywheel-stack-'),
      services: ['log-ingester'],
      simulator: { delays: { deploymentMs: 10, evaluationSampleMs: 1 } },
      log: (l) => lines.push(l),
    });
    expect(lines.find((l) => l.source === 'platform-simulator')?.text).toMatch(
      / --delays \{"deploymentMs":10,"evaluationSampleMs":1\}$/,
    );
    stacks.push(stack);
    stack.onExit((name, info) => exits.push(`${name} ${String(info.signal)}`));
    const before = stack.pid('log-ingester');
    expect(await stack.kill('log-ingester')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(exits).toEqual(['log-ingester SIGKILL']);
    expect(stack.pid('log-ingester')).toBeUndefined();
    await expect(fetch(`${stack.urls.services['log-ingester']}/health/ready`)).rejects.toThrow();
    await expect(stack.kill('log-ingester')).rejects.toThrow('log-ingester is not running');

    await stack.restart('log-ingester');
    expect(stack.pid('log-ingester')).not.toBe(before);
    expect((await fetch(`${stack.urls.services['log-ingester']}/health/ready`)).status).toBe(200);
  });

  it('names the service that did not come up, with its last lines, and stops the rest', async () => {
    const repoRoot = fakeCheckout({
      'platform-simulator': SIMULATOR,
      'log-ingester': SERVICE,
      deployer: BROKEN,
    });
    const lines: LogLine[] = [];
    const start = startFlywheelStack({
      repoRoot,
      dataDir: tempDir('flywheel-stack-'),
      services: ['log-ingester', 'deployer'],
      log: (l) => lines.push(l),
    });
    await expect(start).rejects.toThrow(StackStartError);
    await expect(start).rejects.toThrow(
      'deployer did not become ready: exited with code 1\nlast lines of deployer:\n  booting\n' +
        '  deployer: failed to start: DEPLOYER_GPUS: must be at least 1',
    );
    // Everything that had started was stopped again (the supervisor says so; the stand-in may be killed by the
    // SIGTERM before its own handler is installed on a busy machine, so its 'stopping' line is not required).
    expect(lines.some((l) => l.source === 'supervisor' && /^stopping .*log-ingester/.test(l.text))).toBe(true);
  });

  it('leaves no orphans when the supervisor itself is SIGKILLed', async () => {
    const repoRoot = fakeCheckout({ 'platform-simulator': SIMULATOR, 'log-ingester': SERVICE });
    const driver = join(repoRoot, 'driver.ts');
    writeFileSync(
      driver,
      `import { startFlywheelStack } from ${JSON.stringify(resolve(__dirname, '../src'))};
       startFlywheelStack({ repoRoot: ${JSON.stringify(repoRoot)}, dataDir: ${JSON.stringify(join(repoRoot, 'data'))},
         services: ['log-ingester'] })
         .then((s) => console.log('pids ' + [s.pid('log-ingester'), s.pid('platform-simulator')].join(' ')));`,
    );
    const supervisor = spawn(process.execPath, ['--import', 'tsx', driver], {
      cwd: resolve(__dirname, '../../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    supervisor.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!/pids \d+ \d+/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const pids = (/pids (\d+) (\d+)/.exec(out) ?? []).slice(1).map(Number);
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);
    supervisor.kill('SIGKILL');
    const gone = Date.now() + 15_000;
    while (pids.some(alive) && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
    expect(pids.filter(alive)).toEqual([]);
  });

  it('gives up on a service that never answers, after the readiness timeout', async () => {
    const repoRoot = fakeCheckout({
      'platform-simulator': SIMULATOR,
      'log-ingester': `console.log('thinking'); setInterval(() => {}, 1000);`,
    });
    const start = startFlywheelStack({
      repoRoot,
      dataDir: tempDir('flywheel-stack-'),
      services: ['log-ingester'],
      readyTimeoutMs: 3000,
      stopTimeoutMs: 1000,
    });
    await expect(start).rejects.toThrow(
      /^log-ingester did not become ready: no answer from http:\/\/127\.0\.0\.1:\d+\/health\/ready within 3 s \(last: ECONNREFUSED\)\nlast lines of log-ingester:\n {2}thinking$/,
    );
  });
});
