// The simulated platform's state and lifecycles. Lifecycles advance lazily from the clock on every request:
// deployments created → pending (waiting for GPUs: NotEnoughResources) → ready; customization jobs created →
// pending → running (steps, epochs, progress) → completed; evaluation jobs created → pending → running → completed.
// Injected job faults make a job fail part-way or stall.
import { type SimulatorOptions } from '../options';
import { type FaultInjector } from '../http/faults';
import { AnswerIndex } from '../models/answer-index';
import { type CustomizedModel, modelSkill } from '../models/model-profile';
import { GpuPool } from './gpu-pool';
import { type CustomizationJobRecord, type DeploymentRecord, type EvaluationJobRecord } from './records';

export interface ModelEntity extends CustomizedModel {
  name: string;
  namespace: string;
  createdAt: number;
}

export class PlatformState {
  public readonly namespaces = new Set<string>();
  public readonly datastoreNamespaces = new Set<string>();
  /** Data Store repos `ns/name` → path → bytes. */
  public readonly repos = new Map<string, Map<string, Buffer>>();
  /** Entity Store datasets `ns/name`. */
  public readonly datasets = new Map<string, Record<string, unknown>>();
  /** Deployments `ns/name`. */
  public readonly deployments = new Map<string, DeploymentRecord>();
  public readonly customizationConfigs = new Map<string, Record<string, unknown>>();
  public readonly customizationJobs = new Map<string, CustomizationJobRecord>();
  /** Entity Store models (customized outputs) by full name `ns/name`. */
  public readonly models = new Map<string, ModelEntity>();
  public readonly evaluationJobs = new Map<string, EvaluationJobRecord>();
  public readonly answers = new AnswerIndex();
  public readonly gpus: GpuPool;
  private ids = 0;

  public constructor(
    public readonly options: SimulatorOptions,
    public readonly faults: FaultInjector,
    public readonly now: () => number = Date.now,
  ) {
    this.gpus = new GpuPool(options.gpuCapacity);
    for (const jsonl of options.teacherAnswers) this.answers.addJsonl(jsonl);
  }

  public nextId(prefix: string): string {
    return `${prefix}-${(++this.ids).toString().padStart(6, '0')}`;
  }

  public skillOf(model: string): number {
    return modelSkill(model, {
      teacherModel: this.options.teacherModel,
      saturation: this.options.loraSaturationRecords,
      customized: (m) => this.models.get(m),
    });
  }

  public isServed(model: string): boolean {
    if (this.options.servedModels.includes(model)) return true;
    for (const d of this.deployments.values()) if (d.model === model && d.status === 'ready') return true;
    const custom = this.models.get(model);
    return custom !== undefined && this.isServed(custom.baseModel);
  }

  public servedModels(): string[] {
    const all = new Set(this.options.servedModels);
    for (const d of this.deployments.values()) if (d.status === 'ready') all.add(d.model);
    for (const m of this.models.keys()) if (this.isServed(m)) all.add(m);
    return [...all].sort();
  }

  public advance(): void {
    const now = this.now();
    for (const d of this.deployments.values()) this.advanceDeployment(d, now);
    for (const j of this.customizationJobs.values()) this.advanceCustomization(j, now);
    for (const e of this.evaluationJobs.values()) this.advanceEvaluation(e, now);
  }

  public releaseDeployment(d: DeploymentRecord): void {
    if (d.allocated) this.gpus.release(d.gpus);
    d.allocated = false;
  }

  public cancelCustomization(j: CustomizationJobRecord): void {
    if (j.status === 'completed' || j.status === 'failed' || j.status === 'cancelled') return;
    if (j.status === 'running') this.gpus.release(j.gpus);
    j.status = 'cancelled';
    this.log(j, 'Cancelled', 'cancelled by request');
  }

  private advanceDeployment(d: DeploymentRecord, now: number): void {
    if (d.status === 'ready' || d.status === 'failed') return;
    if (!d.allocated) {
      if (d.fault?.mode === 'stall' || !this.gpus.tryAllocate(d.gpus)) {
        d.status = 'pending';
        d.description =
          d.fault?.mode === 'stall'
            ? 'Waiting for the image to be pulled'
            : `NotEnoughResources: ${d.gpus} GPU(s) requested, ${this.gpus.free} free`;
        return;
      }
      d.allocated = true;
      d.startedAt = now;
      d.status = 'pending';
      d.description = 'Starting NIM';
    }
    const elapsed = now - (d.startedAt ?? now);
    if (d.fault?.mode === 'fail' && elapsed >= this.options.delays.deploymentMs / 2) {
      d.status = 'failed';
      d.description = d.fault.message ?? 'simulated failure: NIM container exited (CrashLoopBackOff)';
      this.releaseDeployment(d);
      return;
    }
    if (elapsed >= this.options.delays.deploymentMs) {
      d.status = 'ready';
      d.description = 'Model deployment is ready';
    }
  }

  private advanceCustomization(j: CustomizationJobRecord, now: number): void {
    if (j.status === 'completed' || j.status === 'failed' || j.status === 'cancelled') return;
    if (j.startedAt === null) {
      if (now - j.createdAt < this.options.delays.jobStartMs || j.fault?.mode === 'stall') {
        this.setPending(j, 'Pending', 'waiting to be scheduled');
        return;
      }
      if (!this.gpus.tryAllocate(j.gpus)) {
        this.setPending(j, 'NotEnoughResources', `${j.gpus} GPU(s) requested, ${this.gpus.free} free`);
        return;
      }
      j.startedAt = now;
      j.status = 'running';
      this.log(j, 'Running', 'training started');
    }
    const total = j.epochs * j.stepsPerEpoch;
    const stepMs = this.options.delays.customizationStepMs;
    const steps = stepMs === 0 ? total : Math.floor((now - j.startedAt) / stepMs);
    j.stepsDone = Math.min(total, steps);
    if (j.fault && j.stepsDone >= Math.floor(total / 2)) {
      j.stepsDone = Math.floor(total / 2);
      if (j.fault.mode === 'fail') {
        j.status = 'failed';
        this.gpus.release(j.gpus);
        this.log(j, 'Failed', j.fault.message ?? 'simulated failure: CUDA out of memory at step ' + j.stepsDone);
      }
      return;
    }
    if (j.stepsDone >= total) {
      j.status = 'completed';
      this.gpus.release(j.gpus);
      this.log(j, 'Completed', `${total} steps, ${j.epochs} epochs`);
      const slash = j.outputModel.indexOf('/');
      this.models.set(j.outputModel, {
        name: j.outputModel.slice(slash + 1),
        namespace: j.outputModel.slice(0, slash),
        baseModel: j.baseModel,
        trainingRecords: j.trainingRecords,
        createdAt: now,
      });
    }
  }

  private advanceEvaluation(e: EvaluationJobRecord, now: number): void {
    if (e.status === 'completed' || e.status === 'failed' || e.status === 'cancelled') return;
    if (e.startedAt === null) {
      if (now - e.createdAt < this.options.delays.jobStartMs || e.fault?.mode === 'stall') {
        e.status = 'pending';
        return;
      }
      if (e.setupError !== null) {
        e.status = 'failed';
        e.message = e.setupError;
        return;
      }
      e.startedAt = now;
      e.status = 'running';
    }
    const sampleMs = this.options.delays.evaluationSampleMs;
    e.done = Math.min(e.total, sampleMs === 0 ? e.total : Math.floor((now - e.startedAt) / sampleMs));
    if (e.fault && e.done >= Math.floor(e.total / 2)) {
      e.done = Math.floor(e.total / 2);
      if (e.fault.mode === 'fail') {
        e.status = 'failed';
        e.message = e.fault.message ?? 'simulated failure: inference server error during evaluation';
      }
      return;
    }
    if (e.done >= e.total) {
      e.status = 'completed';
      e.message = null;
    }
  }

  private setPending(j: CustomizationJobRecord, message: string, detail: string): void {
    j.status = 'pending';
    if (j.logs[j.logs.length - 1]?.message !== message) this.log(j, message, detail);
  }

  private log(j: CustomizationJobRecord, message: string, detail: string): void {
    j.logs.push({ updated_at: new Date(this.now()).toISOString(), message, detail });
  }
}
