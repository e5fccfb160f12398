// When a candidate and a run are finished, as pure functions of the stored state.
// A candidate is finished when every evaluation planned for it is terminal (or it failed outright, e.g. its
// deployment failed — the projection then fails its open evaluations). An evaluation failure makes the candidate
// `failed`, with the failed evaluations named (the blueprint reported such a candidate as `completed`, §10.19).
// A run is finished when every candidate is; it `completed` when at least one evaluation produced scores (there is
// evidence to decide on), else it `failed` with a reason naming each candidate's failure.
import {
  type Candidate,
  type ErrorInfo,
  type Evaluation,
  isTerminal,
  TerminalCandidateStatuses,
} from '@flywheel/stores';

export interface CandidateVerdict {
  readonly status: 'completed' | 'failed' | 'cancelled';
  readonly error: ErrorInfo | null;
}

/** Null while some planned evaluation is still open (or none was planned). */
export function candidateVerdict(evaluations: readonly Evaluation[]): CandidateVerdict | null {
  if (evaluations.length === 0) return null;
  if (evaluations.some((e) => !isTerminal(['completed', 'failed', 'cancelled'], e.status))) return null;
  const failed = evaluations.filter((e) => e.status === 'failed');
  if (failed.length > 0) {
    const detail = failed.map((e) => `${e.eval_type} evaluation failed: ${e.error?.message ?? 'no reason given'}`);
    return { status: 'failed', error: { code: 'EVALUATION_FAILED', message: detail.join('; '), retryable: false } };
  }
  if (evaluations.some((e) => e.status === 'cancelled')) {
    return { status: 'cancelled', error: { code: 'CANCELLED', message: 'evaluation cancelled', retryable: false } };
  }
  return { status: 'completed', error: null };
}

export interface RunVerdict {
  readonly status: 'completed' | 'failed';
  readonly error: ErrorInfo | null;
}

/** Null while some candidate is still open. */
export function runVerdict(candidates: readonly Candidate[], evaluations: readonly Evaluation[]): RunVerdict | null {
  if (candidates.length === 0) return null;
  if (candidates.some((c) => !isTerminal(TerminalCandidateStatuses, c.status))) return null;
  if (evaluations.some((e) => e.status === 'completed')) return { status: 'completed', error: null };
  const reasons = candidates.map((c) => `${c.model_name}: ${c.status}${c.error ? ` (${c.error.message})` : ''}`);
  return {
    status: 'failed',
    error: {
      code: 'NO_CANDIDATE_SCORED',
      message: `no candidate produced a score: ${reasons.join('; ')}`,
      retryable: false,
    },
  };
}
