// NeMo Evaluator details through the NeMo adapter: per-sample results from `download-results`, what happens when
// that download fails (the aggregate scores are kept), and the cancel route with its DELETE fallback.
import { PlatformNotFoundError, readZip } from '@flywheel/platform-clients';
import { TEACHER_MODEL } from './fixtures';
import { DATASET, FAST_WAIT, type Harness, seed, startHarness } from './nemo-harness';

const JUDGE = { kind: 'platform', model: TEACHER_MODEL } as const;

describe('NeMo Evaluator results and cancel', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({}, { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    await seed(h);
  });
  afterEach(() => h.sim.stop());

  async function completedJob(): Promise<string> {
    const job = await h.platform.evaluation.createJob({
      kind: 'tool-calling',
      model: TEACHER_MODEL,
      dataset: DATASET,
      judge: JUDGE,
    });
    await h.platform.evaluation.waitForCompletion(job.id, FAST_WAIT);
    return job.id;
  }

  it('serves download-results as a ZIP whose results.json holds one record per evaluated sample', async () => {
    const id = await completedJob();
    const res = await fetch(`${h.sim.url}/v1/evaluation/jobs/${id}/download-results`, {
      headers: { accept: 'application/zip' },
    });
    expect(res.headers.get('content-type')).toBe('application/zip');
    const entries = readZip(new Uint8Array(await res.arrayBuffer()));
    expect([...entries.keys()].sort()).toEqual(['config.json', 'logs/evaluation.log', 'results/results.json']);
    const doc = JSON.parse(entries.get('results/results.json')!.toString()) as Record<string, unknown[]>;
    const records = doc['custom-tool-calling'] as {
      item: { request: unknown };
      sample: { response: { usage: { total_tokens: number } } };
      metrics: Record<string, { scores: Record<string, { value: number }> }>;
    }[];
    expect(records).toHaveLength(10);
    expect(records[0]?.item.request).toEqual(expect.any(Object));
    expect(records[0]?.sample.response.usage.total_tokens).toBeGreaterThan(0);
    expect(Object.keys(records[0]!.metrics).sort()).toEqual(['correctness', 'tool-calling-accuracy']);

    const results = await h.platform.evaluation.getResults(id);
    expect(results.samples).toHaveLength(10);
    expect(results.samples.map((s) => s.scores.function_name_accuracy)).toEqual(
      records.map((r) => r.metrics['tool-calling-accuracy']?.scores.function_name_accuracy?.value),
    );
  });

  it('keeps the aggregate scores when the download fails or is unreadable, and says why', async () => {
    const id = await completedJob();
    const path = `/v1/evaluation/jobs/${id}/download-results`;
    const full = await h.platform.evaluation.getResults(id);

    h.sim.faults.add({ method: 'GET', path, action: { kind: 'http-error', status: 404 } });
    expect(await h.platform.evaluation.getResults(id)).toEqual({
      ...full,
      samples: [],
      samplesUnavailable: 'download-results answered HTTP 404',
    });

    h.sim.faults.add({ method: 'GET', path, times: 2, action: { kind: 'http-error', status: 500, body: 'disk full' } });
    const failed = await h.platform.evaluation.getResults(id);
    expect(failed.scores).toEqual(full.scores);
    expect(failed.samplesUnavailable).toBe(
      'evaluator.downloadResults failed: HTTP 500 Internal Server Error: disk full',
    );

    h.sim.faults.add({ method: 'GET', path, action: { kind: 'malformed-json' } });
    expect((await h.platform.evaluation.getResults(id)).samplesUnavailable).toMatch(/^not a readable ZIP archive/);
  });

  it('cancels at POST /v1/evaluation/jobs/{id}/cancel, and deletes where an Evaluator has no cancel route', async () => {
    const slow = await startHarness({ delays: { evaluationSampleMs: 1000 } });
    try {
      await seed(slow);
      const spec = { kind: 'tool-calling', model: TEACHER_MODEL, dataset: DATASET, judge: JUDGE } as const;
      const a = await slow.platform.evaluation.createJob(spec);
      await slow.platform.evaluation.cancelJob(a.id);
      expect(await slow.platform.evaluation.getJob(a.id)).toMatchObject({
        status: 'cancelled',
        rawStatus: 'cancelled',
      });
      expect(
        slow.requests.filter((r) => r.path.startsWith(`/v1/evaluation/jobs/${a.id}`) && r.method !== 'GET'),
      ).toEqual([{ method: 'POST', path: `/v1/evaluation/jobs/${a.id}/cancel` }]);

      const b = await slow.platform.evaluation.createJob(spec);
      slow.sim.faults.add({
        method: 'POST',
        path: `/v1/evaluation/jobs/${b.id}/cancel`,
        action: { kind: 'http-error', status: 405 },
      });
      await slow.platform.evaluation.cancelJob(b.id);
      expect(slow.requests).toContainEqual({ method: 'DELETE', path: `/v1/evaluation/jobs/${b.id}` });
      await expect(slow.platform.evaluation.getJob(b.id)).rejects.toBeInstanceOf(PlatformNotFoundError);
    } finally {
      await slow.sim.stop();
    }
  });
});
