// The deployer's Prometheus metrics, in the app's registry (service label added by the service kit).
import { type Counter, type Gauge } from 'prom-client';
import { type ServiceMetrics } from '@flywheel/service-kit';
import { type LeaseState } from '../leases/lease-model';
import { type DeployerObserver } from '../worker/deployer-worker';

export class DeployerMetrics implements DeployerObserver {
  public readonly gpusInUse: Gauge;
  public readonly gpuCapacity: Gauge;
  public readonly queueLength: Gauge;
  public readonly leases: Gauge<'state'>;
  public readonly grants: Counter<'kind'>;
  public readonly failures: Counter<'code'>;
  public readonly deletions: Counter;

  public constructor(metrics: ServiceMetrics) {
    this.gpusInUse = metrics.gauge({ name: 'flywheel_deployer_gpus_in_use', help: 'GPUs held by our deployments' });
    this.gpuCapacity = metrics.gauge({ name: 'flywheel_deployer_gpu_capacity', help: 'GPUs the deployer may hold' });
    this.queueLength = metrics.gauge({
      name: 'flywheel_deployer_queue_length',
      help: 'Deploy requests waiting for GPU capacity',
    });
    this.leases = metrics.gauge({
      name: 'flywheel_deployer_leases',
      help: 'Leases (one run, one model) by state',
      labelNames: ['state'],
    });
    this.grants = metrics.counter({
      name: 'flywheel_deployer_grants_total',
      help: 'Leases granted: a new deployment (deploy) or a share of an existing one (join)',
      labelNames: ['kind'],
    });
    this.failures = metrics.counter({
      name: 'flywheel_deployer_deploy_failures_total',
      help: 'Deployments given up on, by error code',
      labelNames: ['code'],
    });
    this.deletions = metrics.counter({
      name: 'flywheel_deployer_deletions_total',
      help: 'Platform deployments deleted after their last lease ended',
    });
  }

  public state(s: {
    gpusInUse: number;
    gpuCapacity: number;
    queueLength: number;
    leases: Record<LeaseState, number>;
  }): void {
    this.gpusInUse.set(s.gpusInUse);
    this.gpuCapacity.set(s.gpuCapacity);
    this.queueLength.set(s.queueLength);
    for (const [state, n] of Object.entries(s.leases)) this.leases.set({ state }, n);
  }

  public granted(kind: 'deploy' | 'join'): void {
    this.grants.inc({ kind });
  }

  public deployFailed(code: string): void {
    this.failures.inc({ code });
  }

  public deleted(): void {
    this.deletions.inc();
  }
}
