// GPU capacity and the FIFO queue, as pure functions over the state: which queued leases may be granted now.
import { type DeploymentRow, type Lease } from './lease-model';

export interface CapacitySettings {
  /** GPUs the deployer may hold at once. */
  readonly gpus: number;
  readonly defaultGpus: number;
  readonly modelGpus: Readonly<Record<string, number>>;
}

/** GPUs of a model: the request's own number, else the per-model config, else the default. */
export function gpusFor(model: string, requested: number | null, settings: CapacitySettings): number {
  if (requested !== null && requested > 0) return requested;
  return settings.modelGpus[model] ?? settings.defaultGpus;
}

/** GPUs held by deployments: pre-existing ones (owned === false) cost us nothing. */
export function gpusInUse(deployments: readonly DeploymentRow[]): number {
  return deployments.reduce((n, d) => n + (d.owned === false ? 0 : d.gpus), 0);
}

export type Grant =
  /** The model has a live deployment: share it (no new deployment, `reused: true`). */
  | { readonly kind: 'join'; readonly lease: Lease; readonly deployment: DeploymentRow }
  /** Capacity is free: create the deployment. */
  | { readonly kind: 'deploy'; readonly lease: Lease }
  /** Can never fit: more GPUs than the whole capacity. */
  | { readonly kind: 'reject'; readonly lease: Lease; readonly reason: string };

/**
 * Decides which queued leases (in FIFO order) proceed. A lease whose model is already deployed (or being deployed)
 * joins it at any time; a lease that needs new GPUs is granted only when they are free and no earlier lease is
 * still waiting for GPUs, so a large request is not starved by later small ones. Leases of a model whose deployment
 * is being deleted wait until the delete is through.
 */
export function planGrants(
  queued: readonly Lease[],
  deployments: readonly DeploymentRow[],
  capacityGpus: number,
): Grant[] {
  const byModel = new Map(deployments.map((d) => [d.model, d]));
  const deploying = new Set<string>();
  let used = gpusInUse(deployments);
  let blocked = false;
  const grants: Grant[] = [];
  for (const lease of [...queued].sort((a, b) => a.seq - b.seq)) {
    const existing = byModel.get(lease.model);
    if (existing !== undefined) {
      if (existing.status !== 'deleting' && existing.status !== 'failed') {
        grants.push({ kind: 'join', lease, deployment: existing });
      }
      continue;
    }
    if (deploying.has(lease.model)) continue; // joins the deployment granted above on the next pass
    if (lease.gpus > capacityGpus) {
      grants.push({
        kind: 'reject',
        lease,
        reason: `${lease.model} needs ${lease.gpus} GPUs, more than the deployer's whole capacity of ${capacityGpus}`,
      });
      continue;
    }
    if (blocked) continue;
    if (used + lease.gpus <= capacityGpus) {
      grants.push({ kind: 'deploy', lease });
      used += lease.gpus;
      deploying.add(lease.model);
    } else {
      blocked = true;
    }
  }
  return grants;
}
