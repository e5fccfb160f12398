// Large dataset files through the HF hub client against the Data Store: the server's preupload answer sends them
// through Git LFS (batch API, PUT, commit by oid), small files stay inline; LFS files are evaluated and kept in the
// data dir like any other. Plus the hub calls' Retry-After handling and the simulator's integrity checks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEACHER_MODEL, logLines } from './fixtures';
import { type Harness, startHarness } from './nemo-harness';

const DATASET = { namespace: 'dfwbp', name: 'big' };
const LFS_THRESHOLD = 16 * 1024;

describe('Data Store uploads of large files (Git LFS)', () => {
  let dir: string;
  let h: Harness | null = null;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flywheel-lfs-'));
  });
  afterEach(async () => {
    await h?.sim.stop();
    h = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('uploads files above the threshold through LFS, small ones inline; both read back, evaluate and persist', async () => {
    const options = { dataDir: dir, lfsThresholdBytes: LFS_THRESHOLD };
    h = await startHarness(options);
    const big = logLines('bfcl-multiple.jsonl', 0, 40); // ~95 KB
    const small = logLines('bfcl-multiple.jsonl', 40, 42);
    expect(Buffer.byteLength(big)).toBeGreaterThan(LFS_THRESHOLD);
    expect(Buffer.byteLength(small)).toBeLessThan(LFS_THRESHOLD);
    await h.platform.datasets.ensureNamespace('dfwbp');
    await h.platform.datasets.uploadFile(DATASET, { path: 'eval_data.jsonl', content: big });
    await h.platform.datasets.uploadFile(DATASET, { path: 'notes/small.jsonl', content: small });
    await h.platform.datasets.registerDataset(DATASET);

    const lfs = h.requests.filter((r) => r.path.includes('/info/lfs/') || r.path.includes('/_lfs/'));
    expect(lfs.map((r) => r.method)).toEqual(['POST', 'PUT']); // one batch call and one upload: the big file only
    expect(lfs[0]?.path).toBe('/v1/hf/datasets/dfwbp/big.git/info/lfs/objects/batch');
    expect(await h.platform.datasets.downloadFile(DATASET, 'eval_data.jsonl')).toBe(big);
    expect(await h.platform.datasets.downloadFile(DATASET, 'notes/small.jsonl')).toBe(small);

    // The simulator learnt the teacher's answers from the LFS file: the teacher scores near the top.
    const job = await h.platform.evaluation.createJob({
      kind: 'tool-calling',
      model: TEACHER_MODEL,
      dataset: DATASET,
      judge: { kind: 'platform', model: TEACHER_MODEL },
    });
    await h.platform.evaluation.waitForCompletion(job.id, { pollIntervalMs: 5, timeoutMs: 10_000 });
    expect((await h.platform.evaluation.getResults(job.id)).scores.function_name_and_args_accuracy).toBeGreaterThan(
      0.8,
    );

    await h.sim.stop();
    h = await startHarness(options);
    expect(await h.platform.datasets.downloadFile(DATASET, 'eval_data.jsonl')).toBe(big);
  });

  it('retries a throttled hub call after its Retry-After', async () => {
    h = await startHarness({}, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 1000 } });
    h.sim.faults.add({
      method: 'POST',
      path: '/preupload/',
      action: { kind: 'http-error', status: 503, retryAfterSeconds: 0.05 },
    });
    const started = Date.now();
    await h.platform.datasets.uploadFile(DATASET, {
      path: 'eval_data.jsonl',
      content: logLines('bfcl-multiple.jsonl', 0, 2),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(h.requests.filter((r) => r.path.includes('/preupload/'))).toHaveLength(2);
  });

  it('refuses an LFS upload whose content does not match its oid, and a commit of an object never uploaded', async () => {
    h = await startHarness();
    await h.platform.datasets.uploadFile(DATASET, { path: 'a.jsonl', content: '{}' });
    const oid = 'a'.repeat(64);
    const put = await fetch(`${h.sim.url}/v1/hf/_lfs/dfwbp/big/${oid}`, { method: 'PUT', body: 'not that' });
    expect(put.status).toBe(422);
    expect(await put.text()).toContain('not aaaa');
    const commit = await fetch(`${h.sim.url}/v1/hf/api/datasets/dfwbp/big/commit/main`, {
      method: 'POST',
      body: [
        JSON.stringify({ key: 'header', value: { summary: 'x' } }),
        JSON.stringify({ key: 'file', value: { path: 'b.jsonl', content: 'e30=', encoding: 'base64' } }),
        JSON.stringify({ key: 'lfsFile', value: { path: 'c.jsonl', algo: 'sha256', oid, size: 3 } }),
      ].join('\n'),
    });
    expect(commit.status).toBe(422);
    expect(await commit.text()).toContain(`LFS object ${oid} for c.jsonl was never uploaded`);
    // Nothing of the refused commit was applied.
    expect(await h.platform.datasets.downloadFile(DATASET, 'b.jsonl')).toBeNull();
  });
});
