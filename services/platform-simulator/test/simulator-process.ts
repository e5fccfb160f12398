// The simulator as a user runs it (`npm run simulator`): a separate node process on a free port.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const MAIN = resolve(__dirname, '../src/main.ts');

export interface SimulatorProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output: () => string;
}

/** Starts `main.ts` with `--port 0` plus `args` and resolves once it prints its URL. */
export async function startSimulatorProcess(args: string[]): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', ...args], { stdio: 'pipe' });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m?.[1]) return { child, url: m[1], output: () => out };
    if (child.exitCode !== null || Date.now() > deadline) {
      if (child.exitCode === null) child.kill('SIGKILL');
      throw new Error(`simulator did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((r) =>
    child.exitCode !== null || child.signalCode !== null ? r() : void child.once('exit', () => r()),
  );
}
