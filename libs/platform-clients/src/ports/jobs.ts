import { type JobStatus } from '../status';

/** What every long-running platform job reports. */
export interface JobSnapshot {
  status: JobStatus;
  rawStatus: string;
  /** 0–100 when the platform reports it. */
  progress: number | null;
  /** The latest status message (e.g. `NotEnoughResources`). */
  message: string | null;
  /** Failure detail when the job failed. */
  error: string | null;
}

export interface WaitOptions<S extends JobSnapshot = JobSnapshot> {
  pollIntervalMs?: number;
  /** Overall deadline. */
  timeoutMs?: number;
  /** Fail when progress has not increased for this long (pending counts from the start). */
  stallTimeoutMs?: number;
  signal?: AbortSignal;
  onUpdate?: (snapshot: S) => void;
}
