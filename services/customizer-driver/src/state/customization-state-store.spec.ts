import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Hyperparameters } from '@flywheel/platform-clients';
import { CustomizationStateStore, type RequestRecord } from './customization-state-store';

const A = 'meta/llama-3.2-1b-instruct';
const B = 'meta/llama-3.2-3b-instruct';
const H: Hyperparameters = {
  trainingType: 'sft',
  finetuningType: 'lora',
  epochs: 2,
  batchSize: 16,
  learningRate: 0.0001,
  lora: { adapterDim: 32, adapterDropout: 0.1 },
};
const request = (runId: string, models = [A, B]): RequestRecord => ({
  runId,
  workloadId: 'wl',
  training: null,
  lora: { adapter_dim: 8, adapter_dropout: null },
  models,
});
const train = { name: 'flywheel-train-r', recordCount: 40 };
const job = (id: string) => ({
  jobId: id,
  outputModel: `dfwbp/out-${id}`,
  createdAt: 10,
  trainDataset: train.name,
  hyperparameters: H,
});

describe('CustomizationStateStore', () => {
  let s: CustomizationStateStore;
  beforeEach(() => {
    s = new CustomizationStateStore(':memory:');
  });
  afterEach(() => s.close());

  it('is ready to start only with both the request and the datasets, in either order, and records each once', () => {
    expect(s.recordDatasets('r1', train)).toBe(true);
    expect(s.ready(0)).toEqual([]);
    expect(s.recordRequest(request('r1'))).toBe(true);
    expect(s.ready(0).map((c) => c.modelName)).toEqual([A, B]);
    expect(s.recordRequest(request('r1', [A]))).toBe(false);
    expect(s.recordDatasets('r1', null)).toBe(false);
    expect(s.run('r1')).toMatchObject({ requested: true, datasetsSeen: true, train, lora: { adapter_dim: 8 } });

    expect(s.recordRequest(request('r2'))).toBe(true);
    expect(s.ready(0).map((c) => c.runId)).toEqual(['r1', 'r1']);
    s.recordDatasets('r2', null);
    expect(s.run('r2')?.train).toBeNull();
    expect(s.ready(0)).toHaveLength(4);
  });

  it('records the job id and moves to running; a cancel in between keeps the id for the cancel', () => {
    s.recordRequest(request('r'));
    s.recordDatasets('r', train);
    const a = { runId: 'r', modelName: A };
    const b = { runId: 'r', modelName: B };
    expect(s.move(a, 'creating', 1)).toBe(true);
    expect(s.move(b, 'creating', 1)).toBe(true);
    s.recordJob(a, job('j1'));
    expect(s.get(a)).toMatchObject({ status: 'running', jobId: 'j1', outputModel: 'dfwbp/out-j1', hyperparameters: H });

    expect(s.finishCandidate('r', B, 'deployment failed')).toBe(true);
    s.recordJob(b, job('j2'));
    expect(s.get(b)).toMatchObject({ status: 'cancelling', jobId: 'j2', cancelReason: 'deployment failed' });
    expect(s.move(b, 'completed', 2)).toBe(false);
    expect(s.move(b, 'cancelled', 2)).toBe(true);
  });

  it('stops a run: open customizations to cancelling, finished ones untouched, the first reason kept', () => {
    s.recordRequest(request('r'));
    s.recordDatasets('r', train);
    const a = { runId: 'r', modelName: A };
    s.move(a, 'creating', 1);
    s.recordJob(a, job('j1'));
    s.move(a, 'completed', 5);
    expect(s.stopRun('r', 'cancelled by alice')).toBe(1);
    expect(s.stopRun('r', 'failed later')).toBe(0);
    expect(s.get(a)?.status).toBe('completed');
    expect(s.get({ runId: 'r', modelName: B })).toMatchObject({
      status: 'cancelling',
      cancelReason: 'cancelled by alice',
    });
    expect(s.run('r')?.stoppedReason).toBe('cancelled by alice');
  });

  it('a cancel or finished candidate seen before the request makes the customization born cancelling', () => {
    s.stopRun('r', 'cancelled early');
    s.finishCandidate('q', A, 'candidate failed');
    s.recordRequest(request('r', [A]));
    s.recordRequest(request('q'));
    expect(s.get({ runId: 'r', modelName: A })?.status).toBe('cancelling');
    expect(s.get({ runId: 'q', modelName: A })).toMatchObject({
      status: 'cancelling',
      cancelReason: 'candidate failed',
    });
    expect(s.get({ runId: 'q', modelName: B })?.status).toBe('waiting');
  });

  it('retries a creation later, and puts interrupted creations back to waiting at boot', () => {
    s.recordRequest(request('r', [A]));
    s.recordDatasets('r', train);
    const a = { runId: 'r', modelName: A };
    s.move(a, 'creating', 1);
    s.retryLater(a, 1, 500);
    expect(s.get(a)).toMatchObject({ status: 'waiting', attempts: 1, nextAttemptAt: 500 });
    expect(s.ready(499)).toEqual([]);
    expect(s.ready(500)).toHaveLength(1);
    s.move(a, 'creating', 600);
    expect(s.resetInterruptedCreations()).toBe(1);
    expect(s.get(a)?.status).toBe('waiting');
  });

  it('lists the customized models of deleted runs once their jobs are over', () => {
    s.recordRequest(request('r'));
    s.recordDatasets('r', train);
    const a = { runId: 'r', modelName: A };
    s.move(a, 'creating', 1);
    s.recordJob(a, job('j1'));
    s.stopRun('r', 'deleted', { deleted: true });
    expect(s.modelsToDelete(0)).toEqual([]); // still cancelling
    s.move(a, 'cancelled', 2);
    expect(s.modelsToDelete(0).map((c) => c.outputModel)).toEqual(['dfwbp/out-j1']);
    s.markModelDeleted(a);
    expect(s.modelsToDelete(0)).toEqual([]);
  });

  it('keeps everything across a reopen of the file (a restart)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'customizer-state-'));
    try {
      const path = join(dir, 'nested', 'state.db');
      const first = new CustomizationStateStore(path);
      first.recordRequest(request('r', [A]));
      first.recordDatasets('r', train);
      const a = { runId: 'r', modelName: A };
      first.move(a, 'creating', 1);
      first.recordJob(a, job('j1'));
      first.markStartedPublished(a);
      first.saveProgress(a, 0, 12.5, 99);
      first.close();
      const second = new CustomizationStateStore(path);
      expect(second.inStatus('running')).toEqual([
        expect.objectContaining({ jobId: 'j1', startedPublished: true, progressSeq: 1, lastPercent: 12.5 }),
      ]);
      expect(second.ping()).toBe(true);
      second.close();
      expect(second.ping()).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
