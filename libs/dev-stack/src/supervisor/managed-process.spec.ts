// A supervised child as the supervisor sees it: its lines, attributed and in order; a stop that escalates.
import { ManagedProcess, type LogLine } from './managed-process';

function child(name: string, script: string, lines: LogLine[]): ManagedProcess {
  return new ManagedProcess(
    { name, command: process.execPath, args: ['-e', script], cwd: process.cwd(), env: {} },
    (line) => lines.push(line),
  );
}

describe('ManagedProcess', () => {
  it('hands every line to the sink with the process name, joining lines split across writes', async () => {
    const lines: LogLine[] = [];
    const proc = child(
      'svc',
      `process.stdout.write('one\\ntw'); setTimeout(() => { process.stdout.write('o\\nthree'); console.error('oops'); }, 50);`,
      lines,
    );
    proc.start();
    expect(await proc.waitExit()).toEqual({ code: 0, signal: null });
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.text)).toEqual(['one', 'two', 'three']);
    expect(lines.find((l) => l.stream === 'stderr')).toEqual({ source: 'svc', stream: 'stderr', text: 'oops' });
    expect(proc.lastLines(2)).toEqual(expect.arrayContaining(['three', 'oops']));
    expect(proc.running).toBe(false);
  });

  it('stops a process that honours SIGTERM without killing it', async () => {
    const lines: LogLine[] = [];
    const proc = child(
      'polite',
      `process.on('SIGTERM', () => { console.log('bye'); process.exit(0); }); console.log('up'); setInterval(() => {}, 1000);`,
      lines,
    );
    proc.start();
    while (!lines.some((l) => l.text === 'up')) await new Promise((r) => setTimeout(r, 10));
    expect(await proc.stop(10_000)).toEqual({ code: 0, signal: null });
    expect(lines.map((l) => l.text)).toContain('bye');
  });

  it('sends SIGKILL when SIGTERM is ignored past the deadline, and says so', async () => {
    const lines: LogLine[] = [];
    const proc = child(
      'stubborn',
      `process.on('SIGTERM', () => console.log('ignoring')); console.log('up'); setInterval(() => {}, 1000);`,
      lines,
    );
    proc.start();
    while (!lines.some((l) => l.text === 'up')) await new Promise((r) => setTimeout(r, 10));
    expect(await proc.stop(300)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(lines).toContainEqual({
      source: 'stubborn',
      stream: 'supervisor',
      text: 'did not stop within 300 ms of SIGTERM: sending SIGKILL',
    });
  });

  it('tells exit listeners, and starts again after an exit', async () => {
    const exits: unknown[] = [];
    const proc = child('again', 'process.exit(3)', []);
    proc.onExit((info) => exits.push(info));
    proc.start();
    await proc.waitExit();
    proc.start();
    await proc.waitExit();
    expect(exits).toEqual([
      { code: 3, signal: null },
      { code: 3, signal: null },
    ]);
    expect(proc.exit).toEqual({ code: 3, signal: null });
  });

  it('refuses to start twice while running', async () => {
    const proc = child('twice', 'setTimeout(() => {}, 5000)', []);
    proc.start();
    expect(() => proc.start()).toThrow(/twice is already running/);
    await proc.stop(5000);
  });
});
