// The life of one customization (run × model) in the driver's state file. Handlers only move rows to `waiting`
// (request seen) or `cancelling` (cancel, deletion, candidate finished); the worker does the rest. Terminal states
// never change again, so a late or repeated event cannot resurrect or re-report a customization.
export const CUSTOMIZATION_STATUSES = [
  'waiting', // customization enabled; waiting for the datasets, a free slot or the next attempt
  'creating', // the worker is creating the platform job (config, then job)
  'running', // the job exists (its id is recorded); the worker polls it
  'cancelling', // to be cancelled: the platform job (if any) is cancelled, then customization.failed CANCELLED
  'completed',
  'failed',
  'cancelled',
] as const;
export type CustomizationStatus = (typeof CUSTOMIZATION_STATUSES)[number];

const NEXT: Readonly<Record<CustomizationStatus, readonly CustomizationStatus[]>> = {
  waiting: ['creating', 'failed', 'cancelling'],
  // back to waiting when the platform could not be reached (retried later)
  creating: ['running', 'waiting', 'failed', 'cancelling'],
  running: ['completed', 'failed', 'cancelling'],
  cancelling: ['cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

export function canMove(from: CustomizationStatus, to: CustomizationStatus): boolean {
  return NEXT[from].includes(to);
}

/** The statuses a row may be in to move to `to`. */
export function predecessorsOf(to: CustomizationStatus): CustomizationStatus[] {
  return CUSTOMIZATION_STATUSES.filter((s) => NEXT[s].includes(to));
}

export function isTerminalStatus(s: CustomizationStatus): boolean {
  return NEXT[s].length === 0;
}
