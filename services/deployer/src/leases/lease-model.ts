// The deployer's vocabulary: a lease is one run's claim on one model; a deployment is the one platform deployment of a
// model that every lease on it shares (reference counting). Kept free of I/O so the rules can be tested alone.
import { type DeploymentRoleV1, type ErrorInfoV1, type ReleaseReasonV1 } from '@flywheel/contracts';

/**
 * queued: recorded, waiting for capacity · deploying: holds (a share of) a deployment that is not ready yet ·
 * active: candidate.deployed published · failed: candidate.deploy-failed published · released: candidate.released
 * published (terminal).
 */
export type LeaseState = 'queued' | 'deploying' | 'active' | 'failed' | 'released';

/**
 * probing: capacity reserved, not yet known whether the platform already serves the model · deploying: ours, created
 * (or about to be) and not ready · ready: serving · failed: gave up; its leases get deploy-failed, then it is deleted
 * · deleting: no lease left, the platform delete has not succeeded yet.
 */
export type DeploymentStatus = 'probing' | 'deploying' | 'ready' | 'failed' | 'deleting';

export type ReleaseReason = ReleaseReasonV1;

export interface Lease {
  readonly runId: string;
  readonly model: string;
  readonly role: DeploymentRoleV1;
  readonly gpus: number;
  readonly contextLength: number | null;
  readonly imageTag: string | null;
  /** FIFO position: the order the requests were recorded in. */
  readonly seq: number;
  readonly state: LeaseState;
  readonly deploymentId: string | null;
  readonly reused: boolean;
  /** Set when a teardown was asked for; the worker releases the lease. */
  readonly releaseReason: ReleaseReason | null;
  readonly error: ErrorInfoV1 | null;
  /** W3C traceparent of the deploy request's delivery: the worker's work for the lease joins the run's trace. */
  readonly traceparent: string | null;
}

export interface DeploymentRow {
  readonly model: string;
  readonly deploymentId: string;
  /** GPUs it was created with (counted against capacity only while `owned` is not false). */
  readonly gpus: number;
  /** true: we created it (and delete it); false: the platform served it before us (never torn down); null: probing. */
  readonly owned: boolean | null;
  readonly status: DeploymentStatus;
  /** Transient failures so far (deploy attempts and re-deploys after it vanished). */
  readonly attempts: number;
  readonly error: ErrorInfoV1 | null;
  /** The run whose lease made the deployment, and its traceparent: the deploy task (polls included) runs in that trace. */
  readonly runId: string | null;
  readonly traceparent: string | null;
}

/** Leases that hold (a share of) a deployment. */
export const HOLDING: readonly LeaseState[] = ['deploying', 'active'];
