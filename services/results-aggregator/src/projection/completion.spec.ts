import { type Candidate, type Evaluation } from '@flywheel/stores';
import { candidateVerdict, runVerdict } from './completion';

function evaluation(eval_type: Evaluation['eval_type'], status: Evaluation['status'], message?: string): Evaluation {
  return {
    id: eval_type,
    run_id: 'r',
    candidate_id: 'c',
    eval_type,
    status,
    scores: {},
    stats: null,
    progress: 0,
    job_id: null,
    job_uri: null,
    created_at: 0,
    finished_at: null,
    error: message === undefined ? null : { code: 'X', message, retryable: false },
  };
}

function candidate(model_name: string, status: Candidate['status'], message?: string): Candidate {
  return {
    id: model_name,
    run_id: 'r',
    model_name,
    status,
    deployment_status: null,
    created_at: 0,
    started_at: null,
    finished_at: null,
    error: message === undefined ? null : { code: 'X', message, retryable: false },
  };
}

describe('candidateVerdict', () => {
  it('waits while any planned evaluation is open', () => {
    expect(candidateVerdict([evaluation('base', 'completed'), evaluation('icl', 'running')])).toBeNull();
    expect(candidateVerdict([evaluation('base', 'completed'), evaluation('icl', 'pending')])).toBeNull();
    expect(candidateVerdict([])).toBeNull();
  });

  it('completes a candidate whose evaluations all completed', () => {
    expect(candidateVerdict([evaluation('base', 'completed'), evaluation('icl', 'completed')])).toEqual({
      status: 'completed',
      error: null,
    });
  });

  it('fails a candidate with a failed evaluation, naming each failure', () => {
    const v = candidateVerdict([
      evaluation('base', 'completed'),
      evaluation('icl', 'failed', 'judge timed out'),
      evaluation('customized', 'failed', 'no adapter'),
    ]);
    expect(v?.status).toBe('failed');
    expect(v?.error?.message).toBe('icl evaluation failed: judge timed out; customized evaluation failed: no adapter');
  });

  it('cancels a candidate whose evaluations were cancelled', () => {
    expect(candidateVerdict([evaluation('base', 'completed'), evaluation('icl', 'cancelled')])?.status).toBe(
      'cancelled',
    );
  });
});

describe('runVerdict', () => {
  it('waits while any candidate is open', () => {
    expect(runVerdict([candidate('a', 'completed'), candidate('b', 'running_evals')], [])).toBeNull();
  });

  it('completes when some evaluation produced scores, even if a candidate failed', () => {
    expect(
      runVerdict([candidate('a', 'completed'), candidate('b', 'failed')], [evaluation('base', 'completed')])?.status,
    ).toBe('completed');
  });

  it('fails with every candidate named when nothing was scored', () => {
    const v = runVerdict([candidate('a', 'failed', 'no GPU'), candidate('b', 'failed', 'OOM')], []);
    expect(v?.status).toBe('failed');
    expect(v?.error?.message).toBe('no candidate produced a score: a: failed (no GPU); b: failed (OOM)');
  });
});
