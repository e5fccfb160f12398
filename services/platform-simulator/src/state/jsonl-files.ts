// What the simulator reads out of stored JSONL files, computed once per stored content: a run's nine evaluations read
// one eval file, its three customizations one training file, and the answer index the same eval records at upload.
// Keyed by the stored Buffer (an upload stores a new Buffer, so a replaced file is read again); the results are only
// read, never changed, so sharing them is safe.
import { type EvalRecord, evalRecordSchema } from '@flywheel/platform-clients';

export interface EvalFile {
  /** The lines that are eval records `{request, response}`, in file order. */
  readonly records: readonly EvalRecord[];
  /** Why the first line that is not an eval record is not one (`eval record 3: …`), or null when all are. */
  readonly invalid: string | null;
}

const evalFiles = new WeakMap<Buffer, EvalFile>();
const lineCounts = new WeakMap<Buffer, number>();

/** The file's eval records; lines that are not eval records are skipped and the first one named in `invalid`. */
export function evalFileOf(file: Buffer): EvalFile {
  let parsed = evalFiles.get(file);
  if (parsed === undefined) {
    parsed = parseEvalFile(file.toString('utf8'));
    evalFiles.set(file, parsed);
  }
  return parsed;
}

/**
 * Whether the file holds eval records, judged by its first line (`{"request": …, "response": …}`). Training and
 * validation files (`{messages, tools}`) do not, and are then never parsed for the answer index.
 */
export function looksLikeEvalRecords(file: Buffer): boolean {
  const end = file.indexOf(0x0a);
  const first = file.subarray(0, end < 0 ? file.length : end);
  return first.includes('"request"') && first.includes('"response"');
}

/** Lines holding anything but white space, counted without decoding the file. */
export function nonBlankLines(file: Buffer): number {
  let count = lineCounts.get(file);
  if (count !== undefined) return count;
  count = 0;
  let blank = true;
  for (let i = 0; i < file.length; i += 1) {
    const byte = file[i];
    if (byte === 0x0a) {
      if (!blank) count += 1;
      blank = true;
    } else if (blank && byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) {
      blank = false;
    }
  }
  if (!blank) count += 1;
  lineCounts.set(file, count);
  return count;
}

function parseEvalFile(text: string): EvalFile {
  const records: EvalRecord[] = [];
  let invalid: string | null = null;
  let n = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    n += 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      invalid ??= `eval record ${n}: not JSON (${err instanceof Error ? err.message : String(err)})`;
      continue;
    }
    const result = evalRecordSchema.safeParse(value);
    if (result.success) records.push(result.data);
    else invalid ??= `eval record ${n}: ${result.error.issues[0]?.message ?? 'invalid'}`;
  }
  return { records, invalid };
}
