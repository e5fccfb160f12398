// The deployer's parts, for its tests and for starting it inside another process (the CLI's `up`).
export { deployerEnv, loadDeployerConfig, type DeployerConfig } from './config/deployer-config';
export { DeployerModule, DEPLOYER_SUBSCRIPTIONS, SERVICE_NAME, type DeployerOverrides } from './deployer.module';
export { gpusFor, gpusInUse, planGrants, type CapacitySettings, type Grant } from './leases/capacity';
export { type DeploymentRow, type Lease, type LeaseState, type DeploymentStatus } from './leases/lease-model';
export { DeployerStateStore } from './state/deployer-state-store';
export { DeployerWorker, type WorkerDeps, type WorkerSettings } from './worker/deployer-worker';
export { DEPLOYER_NAMESPACE, eventIdOf } from './worker/deployer-events';
