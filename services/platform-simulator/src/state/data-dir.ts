// The simulator's data dir: `state.json` (every entity and unfinished job, small) plus content-addressed
// `blobs/<sha256>` (dataset files, evaluation details, finished jobs), so a restarted simulator carries on where it
// stopped.
//
// Crash safety: every file is written to a temp name, fsynced and renamed over the old one, so a process killed
// at any line leaves either the old or the new file, never a torn one. Blobs are written before the state.json
// that refers to them; blobs nothing refers to (a kill between the two) are removed on the next open. A LOCK file
// (pid) keeps two live simulators off one dir; a lock left by a killed process is taken over.
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

const held = new Set<string>();

export class SimulatorDataError extends Error {
  public constructor(dir: string, detail: string) {
    super(`simulator data dir ${dir}: ${detail}`);
    this.name = 'SimulatorDataError';
  }
}

export class DataDir {
  private readonly written = new Set<string>();
  private released = false;

  private constructor(public readonly path: string) {}

  /** Creates the dir if needed and takes its lock. */
  public static open(dir: string): DataDir {
    const path = resolve(dir);
    if (held.has(path)) throw new SimulatorDataError(path, 'already open in this process');
    mkdirSync(join(path, 'blobs'), { recursive: true });
    const lock = join(path, 'LOCK');
    const owner = existsSync(lock) ? Number(readFileSync(lock, 'utf8').trim()) : NaN;
    if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
      throw new SimulatorDataError(path, `in use by the simulator with pid ${owner} (remove LOCK if it is gone)`);
    }
    for (const name of readdirSync(path)) if (name.includes('.tmp-')) rmSync(join(path, name), { force: true });
    writeAtomic(lock, Buffer.from(String(process.pid)));
    held.add(path);
    const store = new DataDir(path);
    for (const name of readdirSync(join(path, 'blobs'))) {
      if (name.includes('.tmp-')) rmSync(join(path, 'blobs', name), { force: true });
      else store.written.add(name);
    }
    return store;
  }

  /** The saved state document, or null for a new dir. */
  public readState(): unknown {
    const file = join(this.path, 'state.json');
    if (!existsSync(file)) return null;
    const text = readFileSync(file, 'utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new SimulatorDataError(this.path, `state.json is not valid JSON (${(err as Error).message})`);
    }
  }

  public writeState(json: string): void {
    writeAtomic(join(this.path, 'state.json'), Buffer.from(json, 'utf8'));
  }

  /** Stores content once under its SHA-256; returns the hash. */
  public putBlob(content: Buffer, hash = sha256(content)): string {
    if (!this.written.has(hash)) {
      writeAtomic(join(this.path, 'blobs', hash), content);
      this.written.add(hash);
    }
    return hash;
  }

  public readBlob(hash: string): Buffer {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new SimulatorDataError(this.path, `bad blob reference ${hash}`);
    const file = join(this.path, 'blobs', hash);
    if (!existsSync(file)) throw new SimulatorDataError(this.path, `blob ${hash} referenced by state.json is missing`);
    const content = readFileSync(file);
    if (sha256(content) !== hash) throw new SimulatorDataError(this.path, `blob ${hash} does not match its hash`);
    return content;
  }

  /** Removes blobs the saved state no longer refers to. */
  public collectGarbage(referenced: ReadonlySet<string>): void {
    for (const hash of [...this.written]) {
      if (referenced.has(hash)) continue;
      rmSync(join(this.path, 'blobs', hash), { force: true });
      this.written.delete(hash);
    }
  }

  public release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this.path);
    rmSync(join(this.path, 'LOCK'), { force: true });
  }
}

export function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function writeAtomic(file: string, content: Buffer): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    for (let at = 0; at < content.length;) at += writeSync(fd, content, at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
