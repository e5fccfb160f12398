// Persistence of the registry's state as one JSON file, rewritten atomically after every mutation: the registry
// is small (dev/test profile), so a whole-file rewrite is simpler and safer than an append log.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { COMPATIBILITY_LEVELS } from './compatibility';
import { describeZodError, errorMessage } from './errors';

export const STATE_FILE_NAME = 'schema-registry.json';

const positiveInt = z.number().int().positive();
const level = z.enum(COMPATIBILITY_LEVELS);

const snapshotSchema = z.object({
  format: z.literal(1),
  compatibility: level,
  schemas: z.array(
    z.object({
      id: positiveInt,
      schema: z.string(),
      references: z.array(z.object({ name: z.string(), subject: z.string(), version: positiveInt })),
    }),
  ),
  // A subject appears when it has versions, its own compatibility level, or both.
  subjects: z.array(
    z.object({
      subject: z.string().min(1),
      compatibility: level.optional(),
      versions: z.array(z.object({ version: positiveInt, id: positiveInt })),
    }),
  ),
});

export type RegistrySnapshot = z.infer<typeof snapshotSchema>;

export interface RegistryStore {
  /** Where the state lives, for error messages. */
  readonly location: string;
  /** The saved state, or undefined when nothing was saved yet. */
  load(): RegistrySnapshot | undefined;
  save(snapshot: RegistrySnapshot): void;
}

/**
 * `<dataDir>/schema-registry.json`. Writes are synchronous on purpose: each mutation is durable before its HTTP
 * response goes out, and two requests can never interleave their writes.
 */
export class FileRegistryStore implements RegistryStore {
  public readonly location: string;
  private tmpCounter = 0;

  public constructor(private readonly dataDir: string) {
    this.location = path.join(dataDir, STATE_FILE_NAME);
  }

  public load(): RegistrySnapshot | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.location, 'utf8');
    } catch (err) {
      if (isErrnoException(err) && err.code === 'ENOENT') return undefined;
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch (err) {
      throw new Error(`corrupt schema registry state file ${this.location}: ${errorMessage(err)}`);
    }
    const parsed = snapshotSchema.safeParse(json);
    if (!parsed.success) {
      throw new Error(`corrupt schema registry state file ${this.location}: ${describeZodError(parsed.error)}`);
    }
    return parsed.data;
  }

  public save(snapshot: RegistrySnapshot): void {
    fs.mkdirSync(this.dataDir, { recursive: true });
    const tmp = `${this.location}.${process.pid}.${++this.tmpCounter}.tmp`;
    try {
      const fd = fs.openSync(tmp, 'w', 0o644);
      try {
        fs.writeFileSync(fd, JSON.stringify(snapshot, null, 2) + '\n');
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.location);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    syncDirectory(this.dataDir);
  }
}

// Makes the rename itself durable. Best effort: some platforms (Windows) cannot open or fsync a directory.
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Durability of the rename is a bonus here, not a correctness requirement.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

// Structural, not instanceof: errors from node's core can come from another realm (e.g. under Jest).
function isErrnoException(err: unknown): err is NodeJS.ErrnoException {
  return typeof err === 'object' && err !== null && 'code' in err;
}
