// DatasetStore for the OpenAI-compatible backend kept in a directory, so the services of one flywheel (separate
// processes) and a restarted process see the same datasets. Layout: `<dir>/<ns>/<name>/dataset.json` (the
// registration) and `<dir>/<ns>/<name>/files/<path>`; names are URI-encoded to one path segment each. Every write
// goes to a temp file and is renamed into place, so a reader (or a process killed mid-write) never sees half a file.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { PlatformArgumentError, PlatformError, PlatformResponseError, describe } from '../errors';
import { type DatasetFile, type DatasetRef, type DatasetStore, type RegisteredDataset } from '../ports/dataset-store';

const registrationSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  filesUrl: z.string(),
  description: z.string(),
});

export class FileDatasetStore implements DatasetStore {
  private readonly root: string;

  public constructor(dir: string) {
    this.root = resolve(dir);
  }

  public async ensureNamespace(namespace: string): Promise<void> {
    await this.fs('datasets.ensureNamespace', () => mkdir(join(this.root, segment(namespace)), { recursive: true }));
  }

  public async uploadFile(dataset: DatasetRef, file: DatasetFile): Promise<void> {
    const target = join(this.dir(dataset), 'files', ...filePath('datasets.uploadFile', file.path));
    await this.fs('datasets.uploadFile', () => writeAtomic(target, file.content));
  }

  public async registerDataset(
    dataset: DatasetRef,
    options: { description?: string } = {},
  ): Promise<RegisteredDataset> {
    const registration: RegisteredDataset = {
      namespace: dataset.namespace,
      name: dataset.name,
      filesUrl: `file://${join(this.dir(dataset), 'files')}`,
      description: options.description ?? '',
    };
    await this.fs('datasets.registerDataset', () =>
      writeAtomic(join(this.dir(dataset), 'dataset.json'), JSON.stringify(registration)),
    );
    return registration;
  }

  public async getDataset(dataset: DatasetRef): Promise<RegisteredDataset | null> {
    const call = 'datasets.getDataset';
    const text = await this.fs(call, () => readOrNull(join(this.dir(dataset), 'dataset.json')));
    if (text === null) return null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new PlatformResponseError(call, `dataset.json of ${dataset.namespace}/${dataset.name} is not JSON`, err);
    }
    const parsed = registrationSchema.safeParse(value);
    if (!parsed.success) {
      throw new PlatformResponseError(call, `dataset.json of ${dataset.namespace}/${dataset.name} is malformed`);
    }
    return parsed.data;
  }

  public async downloadFile(dataset: DatasetRef, path: string): Promise<string | null> {
    const target = join(this.dir(dataset), 'files', ...filePath('datasets.downloadFile', path));
    return this.fs('datasets.downloadFile', () => readOrNull(target));
  }

  public async deleteDataset(dataset: DatasetRef): Promise<void> {
    await this.fs('datasets.deleteDataset', () => rm(this.dir(dataset), { recursive: true, force: true }));
  }

  private dir(dataset: DatasetRef): string {
    return join(this.root, segment(dataset.namespace), segment(dataset.name));
  }

  private async fs<T>(call: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (err instanceof PlatformError) throw err;
      throw new PlatformError(call, `file system: ${describe(err)}`, { cause: err });
    }
  }
}

function segment(name: string): string {
  if (name === '' || name === '.' || name === '..') {
    throw new PlatformArgumentError('datasets', `"${name}" is not a usable namespace or dataset name`);
  }
  return encodeURIComponent(name);
}

/** A relative path inside the dataset; `..`, absolute paths and empty segments are refused. */
function filePath(call: string, path: string): string[] {
  const parts = path.split('/');
  if (path.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new PlatformArgumentError(call, `file path "${path}" must be relative, without "." or ".." segments`);
  }
  return parts;
}

async function writeAtomic(target: string, content: string | Uint8Array): Promise<void> {
  await mkdir(join(target, '..'), { recursive: true });
  const tmp = `${target}.tmp-${randomUUID()}`;
  try {
    await writeFile(tmp, content);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

async function readOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
