// CPU time of this process's descendants (the stack's services and simulator), read from Linux's /proc, so the bench
// can print CPU seconds per run per process: a figure far less noisy than wall time on a shared 2-core machine.
// Elsewhere (no /proc) it answers null and the bench prints no CPU figures.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

interface ProcessStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime, in seconds. */
  readonly cpuSeconds: number;
}

function statOf(pid: number): ProcessStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: fields are counted after its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return { pid, ppid, cpuSeconds: (utime + stime) / TICKS_PER_SECOND };
  } catch {
    return null; // exited meanwhile
  }
}

/** A process's name for the figures: the bundle or script it runs (`evaluator-driver`), else its executable. */
function nameOf(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const script = [...args].reverse().find((a) => /\.(c?js|mjs|ts)$/.test(a) && !a.includes('parent-watch'));
    return basename(script ?? args[0] ?? String(pid)).replace(/\.(c?js|mjs|ts)$/, '');
  } catch {
    return String(pid);
  }
}

/** CPU seconds by process name of every live descendant of `root`; null where /proc is not there. */
export function descendantCpu(root = process.pid): Map<string, number> | null {
  if (!existsSync('/proc/self/stat')) return null;
  const stats = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => statOf(Number(d)))
    .filter((s): s is ProcessStat => s !== null);
  const children = new Map<number, ProcessStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const out = new Map<string, number>();
  const visit = (pid: number): void => {
    for (const child of children.get(pid) ?? []) {
      const name = nameOf(child.pid);
      out.set(name, (out.get(name) ?? 0) + child.cpuSeconds);
      visit(child.pid);
    }
  };
  visit(root);
  return out;
}

/** `after − before` per process name (processes that were not there before count from zero). */
export function cpuBetween(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, s] of after) out.set(name, s - (before.get(name) ?? 0));
  return out;
}
