// One normaliser for every job-like status the platforms report (NeMo Customizer, Evaluator, Deployment
// Management, our local engine). Unknown strings map to `unknown` instead of crashing a callback
// (blueprint bug §10.4); `ready` means deployed (§10.2); `pending` is not an error (§10.5).

export const JOB_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'cancelled', 'unknown'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface NormalisedStatus {
  status: JobStatus;
  /** The platform's own word, kept for logs and drill-down. */
  raw: string;
}

const TABLE: Readonly<Record<string, JobStatus>> = {
  created: 'pending',
  pending: 'pending',
  queued: 'pending',
  waiting: 'pending',
  initializing: 'pending',
  starting: 'pending',
  running: 'running',
  in_progress: 'running',
  active: 'running',
  completed: 'succeeded',
  complete: 'succeeded',
  succeeded: 'succeeded',
  success: 'succeeded',
  ready: 'succeeded',
  deployed: 'succeeded',
  failed: 'failed',
  error: 'failed',
  errored: 'failed',
  // A job being cancelled will end cancelled; nothing more will come out of it (§10.5).
  cancelling: 'cancelled',
  canceling: 'cancelled',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  aborted: 'cancelled',
  deleted: 'cancelled',
};

export function normaliseStatus(raw: string | null | undefined): NormalisedStatus {
  const key = (raw ?? '')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return { status: TABLE[key] ?? 'unknown', raw: raw ?? '' };
}

export function isTerminal(status: JobStatus): boolean {
  switch (status) {
    case 'succeeded':
    case 'failed':
    case 'cancelled':
      return true;
    case 'pending':
    case 'running':
    case 'unknown':
      return false;
  }
}
