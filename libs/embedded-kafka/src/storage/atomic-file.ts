// Small synchronous file helpers for FileStorage: whole-file replacement that a crash cannot leave
// half written, full writes (writeSync may write less than asked), and directory fsync.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes every byte of `data` at `position` (null: the current position), looping over short writes. */
export function writeFully(fd: number, data: Buffer, position: number | null): void {
  let done = 0;
  while (done < data.length) {
    done += fs.writeSync(fd, data, done, data.length - done, position === null ? null : position + done);
  }
}

/**
 * Makes a directory entry change (create, rename, unlink) durable. Windows cannot open a directory
 * for fsync; there the rename itself is the best we get.
 */
export function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Replaces `file` with `data`: write `<file>.tmp`, fsync it, rename over `file`, fsync the directory.
 * Readers see the old or the new content, never a mix. Without `fsync` the rename still protects
 * against a killed process, but not against a power loss.
 */
export function writeFileAtomic(file: string, data: string | Buffer, fsync: boolean): void {
  const tmp = `${file}.tmp`;
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fd = fs.openSync(tmp, 'w');
  try {
    writeFully(fd, bytes, 0);
    if (fsync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  if (fsync) fsyncDir(path.dirname(file));
}

/** The file's content, or null when it does not exist. */
export function readFileIfExists(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) return null;
    throw err;
  }
}

export function isErrnoCode(err: unknown, code: string): boolean {
  // Duck-typed: errors from node:fs are not `instanceof Error` inside a Jest VM context.
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}
