import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlatformArgumentError } from '../errors';
import { FileDatasetStore } from './file-dataset-store';

describe('FileDatasetStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flywheel-datasets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const ref = { namespace: 'dfwbp', name: 'agent/tools run 1' };

  it('shares datasets between store instances (processes) through the directory', async () => {
    const writer = new FileDatasetStore(dir);
    await writer.ensureNamespace('dfwbp');
    await writer.uploadFile(ref, { path: 'eval_data.jsonl', content: '{"a":1}' });
    await writer.uploadFile(ref, { path: 'training/train_data.jsonl', content: new TextEncoder().encode('{"b":2}') });
    await writer.registerDataset(ref, { description: 'run 1' });

    const reader = new FileDatasetStore(dir);
    expect(await reader.getDataset(ref)).toMatchObject({ ...ref, description: 'run 1' });
    expect(await reader.downloadFile(ref, 'eval_data.jsonl')).toBe('{"a":1}');
    expect(await reader.downloadFile(ref, 'training/train_data.jsonl')).toBe('{"b":2}');
    expect(await reader.downloadFile(ref, 'missing.jsonl')).toBeNull();
    expect(await reader.getDataset({ namespace: 'dfwbp', name: 'other' })).toBeNull();

    await writer.uploadFile(ref, { path: 'eval_data.jsonl', content: '{"a":2}' }); // replaced in place
    expect(await reader.downloadFile(ref, 'eval_data.jsonl')).toBe('{"a":2}');
    expect(readdirSync(join(dir, 'dfwbp', encodeURIComponent(ref.name), 'files'))).toEqual([
      'eval_data.jsonl',
      'training',
    ]);

    await reader.deleteDataset(ref);
    expect(await writer.getDataset(ref)).toBeNull();
    expect(await writer.downloadFile(ref, 'eval_data.jsonl')).toBeNull();
    await writer.deleteDataset(ref); // missing is fine
  });

  it('refuses paths that would leave the dataset', async () => {
    const store = new FileDatasetStore(dir);
    for (const path of ['../x.jsonl', '/etc/passwd', 'a//b', 'a/./b']) {
      await expect(store.uploadFile(ref, { path, content: 'x' })).rejects.toBeInstanceOf(PlatformArgumentError);
    }
    await expect(store.downloadFile({ namespace: '..', name: 'x' }, 'a')).rejects.toBeInstanceOf(PlatformArgumentError);
  });
});
