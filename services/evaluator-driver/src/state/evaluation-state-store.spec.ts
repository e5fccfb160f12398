import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EvaluationStateStore, type EvaluationKey } from './evaluation-state-store';

const M1 = 'meta/llama-3.2-1b-instruct';
const M2 = 'meta/llama-3.1-8b-instruct';
const DATASETS = { evalDataset: 'eval-r1', workloadType: 'tool_calling' as const, iclByModel: { [M1]: 'icl-r1-1b' } };
const base1: EvaluationKey = { runId: 'r1', modelName: M1, evalType: 'base' };

function types(store: EvaluationStateStore, runId = 'r1'): string[] {
  return store.evaluationsOf(runId).map((e) => `${e.modelName}:${e.evalType}:${e.status}`);
}

describe('EvaluationStateStore', () => {
  let store: EvaluationStateStore;
  let now = 1000;
  beforeEach(() => {
    now = 1000;
    store = new EvaluationStateStore(':memory:', () => now);
  });
  afterEach(() => store.close());

  it('plans the same evaluations whichever event comes first', () => {
    const other = new EvaluationStateStore(':memory:');
    try {
      expect(store.recordDatasets('r1', DATASETS)).toBe(0);
      expect(store.recordDeployed('r1', M1)).toBe(2);
      expect(store.recordDeployed('r1', M2)).toBe(1);

      expect(other.recordDeployed('r1', M2)).toBe(0);
      expect(other.recordDeployed('r1', M1)).toBe(0);
      expect(other.recordDatasets('r1', DATASETS)).toBe(3);

      expect(types(other).sort()).toEqual(types(store).sort());
      expect(types(store).sort()).toEqual([`${M2}:base:pending`, `${M1}:base:pending`, `${M1}:icl:pending`]);
    } finally {
      other.close();
    }
  });

  it('is idempotent: a repeated event plans nothing new and leaves progress alone', () => {
    store.recordDatasets('r1', DATASETS);
    store.recordDeployed('r1', M1);
    store.markCreating(base1);
    store.recordJob(base1, 'job-1', 1500);
    expect(store.recordDeployed('r1', M1)).toBe(0);
    expect(store.recordDatasets('r1', DATASETS)).toBe(0);
    expect(store.get(base1)).toMatchObject({ status: 'running', jobId: 'job-1', jobAttempts: 1 });
  });

  it('plans the customized evaluation of the customized model once customization.completed is seen', () => {
    expect(store.recordCustomized('r1', M1, 'dfwbp/customized-1b')).toBe(0);
    store.recordDatasets('r1', DATASETS);
    expect(store.recordDeployed('r1', M1)).toBe(3);
    expect(store.get({ runId: 'r1', modelName: M1, evalType: 'customized' })).toMatchObject({
      targetModel: 'dfwbp/customized-1b',
      datasetName: 'eval-r1',
      status: 'pending',
    });
  });

  it('walks an evaluation through creating → running → completed, and hands out work by the limit', () => {
    store.recordDatasets('r1', DATASETS);
    store.recordDeployed('r1', M1);
    expect(store.startable(now, 1).map((e) => e.evalType)).toEqual(['base']);
    expect(store.startable(now, 5)).toHaveLength(2);

    store.markCreating(base1);
    expect(store.startable(now, 5).map((e) => e.evalType)).toEqual(['icl']);
    expect(store.open().map((e) => e.status)).toEqual(['creating']);
    expect(store.openRefs()).toEqual([{ ...base1, traceparent: null }]);
    store.recordJob(base1, 'job-1', 1200);
    store.markStartedPublished(base1);
    expect(store.get(base1)).toMatchObject({ status: 'running', jobId: 'job-1', startedPublished: true });
    store.finish(base1, 'completed', null);
    expect(store.open()).toEqual([]);
    expect(store.openRefs()).toEqual([]);
    expect(store.get(base1)?.status).toBe('completed');
  });

  it('waits out a retry and forgets the lost job', () => {
    store.recordDatasets('r1', DATASETS);
    store.recordDeployed('r1', M2);
    const key = { runId: 'r1', modelName: M2, evalType: 'base' as const };
    store.markCreating(key);
    store.recordJob(key, 'job-lost', 1100);
    store.retryAt(key, 5000);
    expect(store.get(key)).toMatchObject({ status: 'pending', jobId: null, jobAttempts: 1, nextAttemptAt: 5000 });
    expect(store.startable(4999, 5)).toEqual([]);
    expect(store.startable(5000, 5)).toHaveLength(1);
  });

  it('after a restart, a job creation that was in flight goes back to pending', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evaluator-state-'));
    try {
      const path = join(dir, 'sub', 'state.db');
      const first = new EvaluationStateStore(path);
      first.recordDatasets('r1', DATASETS);
      first.recordDeployed('r1', M2);
      first.markCreating({ runId: 'r1', modelName: M2, evalType: 'base' });
      first.close();

      const second = new EvaluationStateStore(path);
      expect(second.resetCreating()).toBe(1);
      expect(types(second)).toEqual([`${M2}:base:pending`]);
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an older state file with cancels and deletions marked gets its indexes and still hands them out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evaluator-state-'));
    try {
      const path = join(dir, 'state.db');
      const first = new EvaluationStateStore(path);
      first.recordDatasets('r1', DATASETS);
      first.recordDeployed('r1', M1);
      first.markCreating(base1);
      first.recordJob(base1, 'job-1', 1100);
      first.finish(base1, 'completed', null);
      first.stopRun('r1', 'deleted');
      first.close();
      // As a file written before the partial indexes existed.
      const old = new Database(path);
      old.exec('DROP INDEX evaluations_to_cancel; DROP INDEX evaluations_jobs_to_delete;');
      old.close();

      const second = new EvaluationStateStore(path);
      expect(second.toCancel().map((e) => e.evalType)).toEqual(['icl']);
      expect(second.jobsToDelete().map((e) => e.jobId)).toEqual(['job-1']);
      second.finish({ runId: 'r1', modelName: M1, evalType: 'icl' }, 'cancelled', null);
      second.markJobDeleted(base1);
      expect(second.toCancel()).toEqual([]);
      expect(second.jobsToDelete()).toEqual([]);
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a cancel marks open evaluations, plans nothing afterwards, and keeps the first reason', () => {
    store.recordDatasets('r1', DATASETS);
    store.recordDeployed('r1', M1);
    store.finish({ runId: 'r1', modelName: M1, evalType: 'icl' }, 'completed', null);
    expect(store.stopRun('r1', 'cancelled')).toBe(1);
    expect(store.toCancel().map((e) => e.evalType)).toEqual(['base']);
    expect(store.recordDeployed('r1', M2)).toBe(0);
    expect(store.recordCustomized('r1', M1, 'dfwbp/customized-1b')).toBe(0);
    store.stopRun('r1', 'failed');
    expect(store.runFacts('r1')?.stopped).toBe('cancelled');
  });

  it('a cancel before anything else still stops the run', () => {
    store.stopRun('r1', 'cancelled');
    store.recordDeployed('r1', M1);
    expect(store.recordDatasets('r1', DATASETS)).toBe(0);
    expect(store.evaluationsOf('r1')).toEqual([]);
  });

  it('a deletion marks every job of the run for deletion once terminal', () => {
    store.recordDatasets('r1', DATASETS);
    store.recordDeployed('r1', M1);
    store.markCreating(base1);
    store.recordJob(base1, 'job-1', 1100);
    store.finish(base1, 'completed', null);
    store.stopRun('r1', 'deleted');
    expect(store.runFacts('r1')?.stopped).toBe('deleted');
    expect(store.jobsToDelete().map((e) => e.jobId)).toEqual(['job-1']);
    store.markJobDeleted(base1);
    expect(store.jobsToDelete()).toEqual([]);
  });

  it('candidate.finished cancels that model only', () => {
    store.recordDatasets('r1', DATASETS);
    store.recordDeployed('r1', M1);
    store.recordDeployed('r1', M2);
    expect(store.finishCandidate('r1', M1)).toBe(2);
    expect(store.toCancel().every((e) => e.modelName === M1)).toBe(true);
    expect(store.recordCustomized('r1', M1, 'dfwbp/customized-1b')).toBe(0);
    expect(store.startable(now, 10).map((e) => e.modelName)).toEqual([M2]);
  });

  it('stores a failure with its error', () => {
    store.recordDatasets('r1', DATASETS);
    store.recordDeployed('r1', M2);
    const key = { runId: 'r1', modelName: M2, evalType: 'base' as const };
    const error = { code: 'EVALUATION_FAILED', message: 'base evaluation of m failed: boom', retryable: false };
    store.finish(key, 'failed', error);
    expect(store.get(key)).toMatchObject({ status: 'failed', error });
    expect(store.ping()).toBe(true);
    store.close();
    expect(store.ping()).toBe(false);
  });
});
