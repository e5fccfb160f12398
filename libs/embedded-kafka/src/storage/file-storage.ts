// Durable Storage in a data directory, so the embedded broker survives restarts. Layout, fsync
// policy and recovery rules are in README.md next to this file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsyncDir, readFileIfExists, writeFileAtomic, writeFully } from './atomic-file';
import { FilePartitionLog } from './file-partition-log';
import type { PartitionLog } from './partition-log';
import type { CommittedOffset, Storage, TopicRecord } from './storage';

export interface FileStorageOptions {
  /** 'always': fdatasync every append and metadata write. 'never': leave it to the OS page cache. */
  fsync: 'always' | 'never';
  /** Segment file size before rolling to a new one (default 64 MiB). */
  segmentBytes?: number;
  /** Recovery and warning messages (default console.warn). */
  log?: (msg: string) => void;
}

const TOPICS_FILE = 'topics.json';
const PRODUCER_IDS_FILE = 'producer-ids.json';
const OFFSETS_FILE = 'group-offsets.log';
const LOGS_DIR = 'logs';
// Rewrite group-offsets.log while running once it holds this many lines and mostly stale ones.
const OFFSETS_COMPACT_MIN_LINES = 10_000;

type OffsetsLine =
  | ({ type: 'commit' } & CommittedOffset)
  | { type: 'deleteGroup'; group: string }
  | { type: 'deleteTopic'; topic: string };

/** Directory name of a partition log: the topic is URI-encoded so the `-<partition>` suffix is unambiguous. */
export function partitionDirName(topic: string, partition: number): string {
  return `${encodeURIComponent(topic)}-${partition}`;
}

export class FileStorage implements Storage {
  private readonly fsync: boolean;
  private readonly log: (msg: string) => void;
  private readonly logsDir: string;
  private readonly offsetsFile: string;
  private topics: TopicRecord[];
  private producerIdSeq: number;
  private readonly commits = new Map<string, CommittedOffset>();
  private offsetsLines = 0;
  private offsetsFd: number | null = null;
  private readonly openLogs = new Map<string, FilePartitionLog>();
  private closed = false;

  /** Opens (creating if needed) `dataDir` and loads its metadata; throws on malformed files. */
  public constructor(
    public readonly dataDir: string,
    private readonly opts: FileStorageOptions,
  ) {
    this.fsync = opts.fsync === 'always';
    this.log = opts.log ?? ((msg) => console.warn(msg));
    this.logsDir = path.join(dataDir, LOGS_DIR);
    this.offsetsFile = path.join(dataDir, OFFSETS_FILE);
    this.ensureDir(dataDir);
    this.ensureDir(this.logsDir);
    this.topics = this.readTopics();
    this.producerIdSeq = this.readProducerIds();
    this.loadOffsets();
    this.warnAboutOrphanLogs();
  }

  public loadTopics(): TopicRecord[] {
    return this.topics.map((t) => ({ ...t }));
  }

  public saveTopics(topics: readonly TopicRecord[]): void {
    this.assertOpen();
    // Validate before writing: a list we would refuse to load must never reach the disk.
    const copy = parseTopicList(topics, 'saveTopics');
    const body = JSON.stringify({ version: 1, topics: copy }, null, 2) + '\n';
    writeFileAtomic(path.join(this.dataDir, TOPICS_FILE), body, this.fsync);
    this.topics = copy;
  }

  public openPartitionLog(topic: string, partition: number): PartitionLog {
    this.assertOpen();
    if (topic === '' || !Number.isSafeInteger(partition) || partition < 0) {
      throw new Error(`invalid topic partition ${JSON.stringify(topic)}-${partition}`);
    }
    const key = logKey(topic, partition);
    // Two writers on one segment file would interleave batches and corrupt it.
    if (this.openLogs.has(key)) throw new Error(`partition log ${topic}-${partition} is already open`);
    const log = new FilePartitionLog(path.join(this.logsDir, partitionDirName(topic, partition)), {
      fsync: this.fsync,
      segmentBytes: this.opts.segmentBytes,
      log: this.log,
      onClose: () => this.openLogs.delete(key),
    });
    this.openLogs.set(key, log);
    return log;
  }

  public deleteTopicData(topic: string): void {
    this.assertOpen();
    for (const log of [...this.openLogs.entries()]) {
      if (log[0].startsWith(`${topic}\u0000`)) log[1].destroy();
    }
    // Also partitions never opened in this process.
    const prefix = `${encodeURIComponent(topic)}-`;
    let removed = false;
    for (const name of fs.readdirSync(this.logsDir)) {
      if (name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length))) {
        fs.rmSync(path.join(this.logsDir, name), { recursive: true, force: true });
        removed = true;
      }
    }
    if (removed && this.fsync) fsyncDir(this.logsDir);
  }

  public loadCommittedOffsets(): CommittedOffset[] {
    return [...this.commits.values()].map((c) => ({ ...c }));
  }

  public appendCommittedOffsets(commits: readonly CommittedOffset[]): void {
    if (commits.length === 0) return;
    const lines = commits.map((c) => ({
      type: 'commit' as const,
      group: c.group,
      topic: c.topic,
      partition: c.partition,
      offset: c.offset,
      metadata: c.metadata ?? null, // undefined would vanish from the JSON line and fail the next load
    }));
    this.appendOffsetsLines(lines);
    for (const { type: _type, ...c } of lines) this.commits.set(commitKey(c), c);
    this.maybeCompactOffsets();
  }

  public deleteGroupOffsets(group: string): void {
    this.appendOffsetsLines([{ type: 'deleteGroup', group }]);
    for (const [k, c] of this.commits) if (c.group === group) this.commits.delete(k);
  }

  public deleteTopicOffsets(topic: string): void {
    this.appendOffsetsLines([{ type: 'deleteTopic', topic }]);
    for (const [k, c] of this.commits) if (c.topic === topic) this.commits.delete(k);
  }

  public loadProducerIdSequence(): number {
    return this.producerIdSeq;
  }

  public saveProducerIdSequence(last: number): void {
    this.assertOpen();
    if (!Number.isSafeInteger(last) || last < 0) throw new Error(`invalid producer id sequence ${last}`);
    const body = JSON.stringify({ version: 1, lastProducerId: last }) + '\n';
    writeFileAtomic(path.join(this.dataDir, PRODUCER_IDS_FILE), body, this.fsync);
    this.producerIdSeq = last;
  }

  public close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const log of [...this.openLogs.values()]) log.close();
    if (this.offsetsFd !== null) {
      const fd = this.offsetsFd;
      this.offsetsFd = null;
      fs.closeSync(fd);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`FileStorage ${this.dataDir} is closed`);
  }

  private ensureDir(dir: string): void {
    if (fs.existsSync(dir)) return;
    fs.mkdirSync(dir, { recursive: true });
    if (this.fsync) fsyncDir(path.dirname(dir));
  }

  private readTopics(): TopicRecord[] {
    const file = path.join(this.dataDir, TOPICS_FILE);
    const doc = readJsonFile(file);
    if (doc === undefined) return [];
    const shape = `expected {"version":1,"topics":[{"name":string,"partitions":positive integer},...]}`;
    if (!isObject(doc) || doc.version !== 1 || !Array.isArray(doc.topics)) {
      throw new Error(`${file}: ${shape}`);
    }
    return parseTopicList(doc.topics, file);
  }

  private readProducerIds(): number {
    const file = path.join(this.dataDir, PRODUCER_IDS_FILE);
    const doc = readJsonFile(file);
    if (doc === undefined) return 0;
    if (
      !isObject(doc) ||
      doc.version !== 1 ||
      typeof doc.lastProducerId !== 'number' ||
      !Number.isSafeInteger(doc.lastProducerId) ||
      doc.lastProducerId < 0
    ) {
      throw new Error(`${file}: expected {"version":1,"lastProducerId":non-negative integer}`);
    }
    return doc.lastProducerId;
  }

  /** Replays group-offsets.log into `commits`, then rewrites it compacted when anything was stale. */
  private loadOffsets(): void {
    const raw = readFileIfExists(this.offsetsFile);
    if (raw === null) return;
    const text = raw.toString('utf8');
    const lines = text.split('\n');
    // A file ending in '\n' splits into a last empty string; anything else there is an unfinished line.
    const last = lines.pop() as string;
    let needsRewrite = false;
    if (last !== '') {
      const parsed = parseOffsetsLine(last);
      if (parsed === null) {
        this.log(`${this.offsetsFile}: dropping an unfinished last line (${last.length} bytes, torn write)`);
      } else {
        lines.push(last);
      }
      needsRewrite = true; // the next append must start on a fresh line
    }
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const parsed = parseOffsetsLine(line);
      if (parsed === null) {
        throw new Error(`${this.offsetsFile}: line ${i + 1} is not a valid commit or tombstone: ${line.slice(0, 120)}`);
      }
      this.applyOffsetsLine(parsed);
    });
    this.offsetsLines = lines.length;
    if (needsRewrite || this.offsetsLines !== this.commits.size) this.rewriteOffsets();
  }

  private applyOffsetsLine(line: OffsetsLine): void {
    switch (line.type) {
      case 'commit': {
        const { type: _type, ...c } = line;
        this.commits.set(commitKey(c), c);
        break;
      }
      case 'deleteGroup':
        for (const [k, c] of this.commits) if (c.group === line.group) this.commits.delete(k);
        break;
      case 'deleteTopic':
        for (const [k, c] of this.commits) if (c.topic === line.topic) this.commits.delete(k);
        break;
    }
  }

  private appendOffsetsLines(lines: readonly OffsetsLine[]): void {
    this.assertOpen();
    const bytes = Buffer.from(lines.map((l) => JSON.stringify(l) + '\n').join(''), 'utf8');
    if (this.offsetsFd === null) {
      const created = !fs.existsSync(this.offsetsFile);
      this.offsetsFd = fs.openSync(this.offsetsFile, 'a');
      if (created && this.fsync) fsyncDir(this.dataDir);
    }
    // One write for the whole request (O_APPEND): a crash leaves at most its last line unfinished.
    writeFully(this.offsetsFd, bytes, null);
    if (this.fsync) fs.fdatasyncSync(this.offsetsFd);
    this.offsetsLines += lines.length;
  }

  private maybeCompactOffsets(): void {
    if (this.offsetsLines >= OFFSETS_COMPACT_MIN_LINES && this.offsetsLines > 2 * this.commits.size) {
      this.rewriteOffsets();
    }
  }

  /** Replaces group-offsets.log atomically with one line per live commit. */
  private rewriteOffsets(): void {
    if (this.offsetsFd !== null) {
      const fd = this.offsetsFd;
      this.offsetsFd = null;
      fs.closeSync(fd);
    }
    const body = [...this.commits.values()].map((c) => JSON.stringify({ type: 'commit', ...c }) + '\n').join('');
    writeFileAtomic(this.offsetsFile, body, this.fsync);
    this.offsetsLines = this.commits.size;
  }

  private warnAboutOrphanLogs(): void {
    const partitions = new Map(this.topics.map((t) => [encodeURIComponent(t.name), t.partitions]));
    for (const name of fs.readdirSync(this.logsDir)) {
      const m = /^(.+)-(\d+)$/.exec(name);
      const count = m ? partitions.get(m[1] as string) : undefined;
      if (m === null || count === undefined || Number(m[2]) >= count) {
        this.log(`${path.join(this.logsDir, name)}: no such topic partition in ${TOPICS_FILE}; left in place`);
      }
    }
  }
}

function logKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function commitKey(c: CommittedOffset): string {
  return `${c.group}\u0000${c.topic}\u0000${c.partition}`;
}

/** Validated copies of the topic records; errors are prefixed with `where`. */
function parseTopicList(list: readonly unknown[], where: string): TopicRecord[] {
  const seen = new Set<string>();
  return list.map((t, i): TopicRecord => {
    if (!isObject(t) || typeof t.name !== 'string' || t.name === '') {
      throw new Error(`${where}: topics[${i}].name must be a non-empty string`);
    }
    if (typeof t.partitions !== 'number' || !Number.isSafeInteger(t.partitions) || t.partitions < 1) {
      throw new Error(`${where}: topics[${i}] (${t.name}).partitions must be a positive integer`);
    }
    if (seen.has(t.name)) throw new Error(`${where}: topic ${t.name} is listed twice`);
    seen.add(t.name);
    return { name: t.name, partitions: t.partitions };
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The parsed JSON of `file`, or undefined when it does not exist; throws naming the file when it is not JSON. */
function readJsonFile(file: string): unknown {
  const raw = readFileIfExists(file);
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (err) {
    const why = typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : String(err);
    throw new Error(`${file}: not valid JSON (${why}); fix or remove it, refusing to start with an empty state`);
  }
}

function parseOffsetsLine(line: string): OffsetsLine | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isObject(v)) return null;
  switch (v.type) {
    case 'commit':
      if (
        typeof v.group !== 'string' ||
        typeof v.topic !== 'string' ||
        typeof v.partition !== 'number' ||
        !Number.isSafeInteger(v.partition) ||
        typeof v.offset !== 'number' ||
        !Number.isSafeInteger(v.offset) ||
        (v.metadata !== null && typeof v.metadata !== 'string')
      ) {
        return null;
      }
      return {
        type: 'commit',
        group: v.group,
        topic: v.topic,
        partition: v.partition,
        offset: v.offset,
        metadata: v.metadata,
      };
    case 'deleteGroup':
      return typeof v.group === 'string' ? { type: 'deleteGroup', group: v.group } : null;
    case 'deleteTopic':
      return typeof v.topic === 'string' ? { type: 'deleteTopic', topic: v.topic } : null;
    default:
      return null;
  }
}
