// The events the deployer publishes. Ids are derived from (run, kind, model), so a repeat after a kill or a
// redelivery carries the same id and consumers drop it.
import {
  deterministicEventId,
  type CandidateDeployFailedV1,
  type CandidateDeployedV1,
  type CandidateReleasedV1,
  type ErrorInfoV1,
} from '@flywheel/contracts';
import { type Lease, type ReleaseReason } from '../leases/lease-model';

/** The deployer's own id namespace (fixed, random): no other service mints these ids. */
export const DEPLOYER_NAMESPACE = '1fb02823-a827-4be2-8ad2-be9eb246326b';

export function eventIdOf(runId: string, kind: string, model: string): string {
  return deterministicEventId(DEPLOYER_NAMESPACE, runId, kind, model);
}

export function deployedEvent(
  lease: Lease,
  d: { deploymentId: string; endpointUrl: string; reused: boolean },
  at: number,
): CandidateDeployedV1 {
  return {
    event_id: eventIdOf(lease.runId, 'candidate.deployed', lease.model),
    run_id: lease.runId,
    occurred_at: at,
    model_name: lease.model,
    role: lease.role,
    deployment_id: d.deploymentId,
    endpoint_url: d.endpointUrl,
    reused: d.reused,
  };
}

export function deployFailedEvent(lease: Lease, error: ErrorInfoV1, at: number): CandidateDeployFailedV1 {
  return {
    event_id: eventIdOf(lease.runId, 'candidate.deploy-failed', lease.model),
    run_id: lease.runId,
    occurred_at: at,
    model_name: lease.model,
    role: lease.role,
    error,
  };
}

export function releasedEvent(lease: Lease, reason: ReleaseReason, at: number): CandidateReleasedV1 {
  return {
    event_id: eventIdOf(lease.runId, 'candidate.released', lease.model),
    run_id: lease.runId,
    occurred_at: at,
    model_name: lease.model,
    role: lease.role,
    deployment_id: lease.deploymentId,
    reason,
  };
}
