// Status sets of the run state, named as in the blueprint (§1.6) with its weak spots fixed: every set has explicit
// terminal members, and a status string the store does not know reads as 'unknown' instead of crashing (§10.4).

/** A flywheel run (blueprint FlywheelRunStatus). */
export const RunStatuses = ['pending', 'running', 'completed', 'cancelled', 'failed'] as const;
export type RunStatus = (typeof RunStatuses)[number];
export const TerminalRunStatuses = ['completed', 'cancelled', 'failed'] as const satisfies readonly RunStatus[];
export type TerminalRunStatus = (typeof TerminalRunStatuses)[number];

/**
 * One candidate model of a run (blueprint NIMRunStatus, 'deploying-nim'/'running-evals' in snake case). The
 * terminal members are the catalogue's CandidateStatusV1 ('completed', 'failed', 'cancelled', 'skipped').
 */
export const CandidateStatuses = [
  'pending',
  'deploying',
  'running_evals',
  'completed',
  'failed',
  'cancelled',
  'skipped',
] as const;
export type CandidateStatus = (typeof CandidateStatuses)[number];
export const TerminalCandidateStatuses = [
  'completed',
  'failed',
  'cancelled',
  'skipped',
] as const satisfies readonly CandidateStatus[];
export type TerminalCandidateStatus = (typeof TerminalCandidateStatuses)[number];

/** A model deployment (candidate or judge), mirrored from the platform (blueprint DeploymentStatus). */
export const DeploymentStatuses = [
  'created',
  'pending',
  'running',
  'ready',
  'completed',
  'cancelled',
  'failed',
  'unknown',
] as const;
export type DeploymentStatus = (typeof DeploymentStatuses)[number];
export const TerminalDeploymentStatuses = [
  'completed',
  'cancelled',
  'failed',
] as const satisfies readonly DeploymentStatus[];

/** An evaluation or customization job. The blueprint inferred this from progress/finished_at/error; we store it. */
export const JobStatuses = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JobStatuses)[number];
export const TerminalJobStatuses = ['completed', 'failed', 'cancelled'] as const satisfies readonly JobStatus[];
export type TerminalJobStatus = (typeof TerminalJobStatuses)[number];

/** The datasets of a run, as in the catalogue's DatasetsBuilt (eval, icl, train, val). */
export const DatasetKinds = ['eval', 'icl', 'train', 'val'] as const;
export type DatasetKind = (typeof DatasetKinds)[number];

export function isTerminal<T extends string>(terminal: readonly T[], status: string): status is T {
  return (terminal as readonly string[]).includes(status);
}
