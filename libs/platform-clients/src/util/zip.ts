// ZIP archives, in memory: the NeMo Evaluator's `download-results` answers one (reader), and the simulator serves one
// (writer). adm-zip does the format work (and checks each entry's CRC); this module adds a size guard against
// archives that inflate far beyond what results can plausibly be, and one error type that names what is wrong.
import AdmZip from 'adm-zip';

export class ZipFormatError extends Error {
  public constructor(detail: string) {
    super(`not a readable ZIP archive: ${detail}`);
    this.name = 'ZipFormatError';
  }
}

export interface ReadZipOptions {
  /** Refuses archives that would inflate beyond this many bytes in total (default 256 MiB). */
  maxTotalBytes?: number;
}

const MIN_ARCHIVE_BYTES = 22; // an empty archive is just its end-of-central-directory record

/** Entries of a ZIP archive by path (directories left out), contents inflated and CRC-checked. */
export function readZip(input: Uint8Array, options: ReadZipOptions = {}): Map<string, Buffer> {
  const maxTotal = options.maxTotalBytes ?? 256 * 1024 * 1024;
  if (input.byteLength < MIN_ARCHIVE_BYTES) throw new ZipFormatError(`only ${input.byteLength} bytes`);
  let files: AdmZip.IZipEntry[];
  try {
    // adm-zip parses the central directory lazily: both steps can throw on a damaged archive.
    const archive = new AdmZip(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
    files = archive.getEntries().filter((entry) => !entry.isDirectory);
  } catch (err) {
    throw new ZipFormatError(messageOf(err));
  }
  // Sizes from the central directory, checked before anything is inflated.
  const total = files.reduce((sum, entry) => sum + entry.header.size, 0);
  if (total > maxTotal) throw new ZipFormatError(`contents exceed ${maxTotal} bytes`);
  const entries = new Map<string, Buffer>();
  for (const entry of files) {
    if (entry.header.encrypted) throw new ZipFormatError(`${entry.entryName} is encrypted`);
    let data: Buffer;
    try {
      data = entry.getData();
    } catch (err) {
      throw new ZipFormatError(`${entry.entryName} cannot be read: ${messageOf(err)}`);
    }
    if (data.length !== entry.header.size) {
      throw new ZipFormatError(`${entry.entryName} is ${data.length} bytes, the directory says ${entry.header.size}`);
    }
    entries.set(entry.entryName, data);
  }
  return entries;
}

export interface WriteZipOptions {
  /** `deflate` (default) compresses each entry; `store` keeps them as they are (cheaper when size does not matter). */
  method?: 'deflate' | 'store';
}

const STORED = 0;

/** A ZIP archive of the given files (UTF-8 names), deflated unless `method: 'store'`. */
export function writeZip(files: Readonly<Record<string, Uint8Array | string>>, options: WriteZipOptions = {}): Buffer {
  const archive = new AdmZip();
  for (const [name, content] of Object.entries(files)) {
    archive.addFile(name, typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content));
    const entry = archive.getEntry(name);
    if (options.method === 'store' && entry !== null) entry.header.method = STORED;
  }
  return archive.toBuffer();
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : String(err);
}
