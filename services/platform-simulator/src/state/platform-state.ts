// The simulated platform's state and lifecycles. Lifecycles advance lazily from the clock on every request:
// deployments created → pending (waiting for GPUs: NotEnoughResources) → ready; customization jobs created →
// pending → running (steps, epochs, progress) → completed; evaluation jobs created → pending → running → completed.
// Injected job faults make a job fail part-way or stall. With a data dir the state is saved after every request
// that changed it (before the answer is sent) and restored on start; times are wall-clock, so jobs that were
// running carry on (or have finished) after a restart.
import { type ZodType, type ZodTypeDef } from 'zod';
import { type SimulatorOptions } from '../options';
import { type FaultInjector } from '../http/faults';
import { AnswerIndex } from '../models/answer-index';
import { modelSkill } from '../models/model-profile';
import { type DataDir, SimulatorDataError } from './data-dir';
import { GpuPool } from './gpu-pool';
import { evalFileOf, looksLikeEvalRecords } from './jsonl-files';
import {
  type CustomizationJobRecord,
  type DeploymentRecord,
  type EvaluationJobRecord,
  type ModelEntity,
  customizationJobRecordSchema,
  evaluationDetailSchema,
} from './records';
import { SNAPSHOT_VERSION, type Snapshot, parseSnapshot, savedEvaluationJobSchema } from './snapshot';

export { type ModelEntity } from './records';

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
  /** Git LFS objects uploaded but not yet committed, by sha256 (memory only: a client re-uploads after a restart). */
  public readonly lfsObjects = new Map<string, Buffer>();
  public readonly gpus: GpuPool;
  private ids = 0;
  private dataDir: DataDir | null = null;
  private savedJson = '';
  private readonly blobOf = new WeakMap<object, string>();

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

  /**
   * What a model's seeded draws are keyed by. A customized model answers as "its base model after LoRA on N records",
   * not by its output name (which carries the run id), so two runs that train the same base on the same data get the
   * same answers — the same seed gives the same report.
   */
  public answerIdentityOf(model: string): string {
    const custom = this.models.get(model);
    return custom === undefined ? model : `${custom.baseModel}+lora:${custom.trainingRecords}`;
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

  /** Restores the state saved in the data dir (if any) and saves every change there from now on. */
  public attach(dir: DataDir): void {
    const saved = dir.readState();
    if (saved !== null) {
      const snapshot = parseSnapshot(saved);
      if (typeof snapshot === 'string') throw new SimulatorDataError(dir.path, `state.json is invalid: ${snapshot}`);
      this.restore(snapshot, dir);
    }
    this.dataDir = dir;
    this.persist();
    dir.collectGarbage(this.referencedBlobs());
  }

  public get persistent(): boolean {
    return this.dataDir !== null;
  }

  /** Writes the state to the data dir when it changed since the last write (no-op without a data dir). */
  public persist(): void {
    const dir = this.dataDir;
    if (!dir) return;
    const json = this.snapshotJson(dir);
    if (json === this.savedJson) return;
    dir.writeState(json);
    this.savedJson = json;
  }

  public detach(): void {
    this.dataDir?.release();
    this.dataDir = null;
  }

  /**
   * Moves every deployment and job along the clock. True when one of them changed status (a transition a client may
   * be told of, so it is saved before the answer); progress within a status is not saved (see snapshot.ts).
   */
  public advance(): boolean {
    const now = this.now();
    let moved = false;
    for (const d of this.deployments.values()) {
      const was = d.status;
      this.advanceDeployment(d, now);
      moved ||= d.status !== was;
    }
    for (const j of this.customizationJobs.values()) {
      const was = j.status;
      this.advanceCustomization(j, now);
      moved ||= j.status !== was;
    }
    for (const e of this.evaluationJobs.values()) {
      const was = e.status;
      this.advanceEvaluation(e, now);
      moved ||= e.status !== was;
    }
    return moved;
  }

  public releaseDeployment(d: DeploymentRecord): void {
    if (d.allocated) this.gpus.release(d.gpus);
    d.allocated = false;
  }

  public cancelCustomization(j: CustomizationJobRecord): void {
    if (isFinished(j.status)) return;
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
    if (isFinished(j.status)) return;
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
    if (isFinished(e.status)) return;
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

  /**
   * The saved document as JSON text, built on every change. Under many runs most jobs are finished, and a finished
   * job never changes: each is saved once as a blob of its own (`finishedBlob`) and the document only names it, so
   * its size (and the cost of each save) follows the work in flight, not the history.
   */
  private snapshotJson(dir: DataDir): string {
    const blob = (content: Buffer): string => {
      let hash = this.blobOf.get(content);
      if (hash === undefined) {
        hash = dir.putBlob(content);
        this.blobOf.set(content, hash);
      }
      return hash;
    };
    const repos = Object.fromEntries(
      [...this.repos].map(([key, files]) => [key, Object.fromEntries([...files].map(([p, c]) => [p, blob(c)]))]),
    );
    const jobs = { customization: [] as string[], evaluation: [] as string[] };
    const finished = { customization: [] as string[], evaluation: [] as string[] };
    for (const j of this.customizationJobs.values()) {
      const saved = (): unknown => (isFinished(j.status) ? j : { ...j, stepsDone: 0 });
      if (isFinished(j.status)) finished.customization.push(this.finishedBlob(dir, j, saved));
      else jobs.customization.push(JSON.stringify(saved()));
    }
    for (const e of this.evaluationJobs.values()) {
      const saved = (): unknown => {
        const { results, sampleRecords, ...job } = e;
        let detail = this.blobOf.get(sampleRecords) ?? null;
        if (detail === null && results !== null) {
          detail = dir.putBlob(Buffer.from(JSON.stringify({ results, sampleRecords })));
          this.blobOf.set(sampleRecords, detail);
        }
        return { ...job, done: isFinished(job.status) ? job.done : 0, detail };
      };
      if (isFinished(e.status)) finished.evaluation.push(this.finishedBlob(dir, e, saved));
      else jobs.evaluation.push(JSON.stringify(saved()));
    }
    const field = (name: keyof Snapshot, value: unknown): string => `${JSON.stringify(name)}:${JSON.stringify(value)}`;
    return [
      `{${field('version', SNAPSHOT_VERSION)}`,
      field('ids', this.ids),
      field('namespaces', [...this.namespaces]),
      field('datastoreNamespaces', [...this.datastoreNamespaces]),
      field('repos', repos),
      field('datasets', Object.fromEntries(this.datasets)),
      field('deployments', [...this.deployments.values()]),
      field('customizationConfigs', Object.fromEntries(this.customizationConfigs)),
      `"customizationJobs":[${jobs.customization.join(',')}]`,
      field('models', [...this.models.values()]),
      `"evaluationJobs":[${jobs.evaluation.join(',')}]`,
      `${field('finishedJobs', finished)}}`,
    ].join(',');
  }

  /** The blob of a finished job, written the first time the job is seen finished. */
  private finishedBlob(dir: DataDir, record: object, saved: () => unknown): string {
    let hash = this.blobOf.get(record);
    if (hash === undefined) {
      hash = dir.putBlob(Buffer.from(JSON.stringify(saved())));
      this.blobOf.set(record, hash);
    }
    return hash;
  }

  private restore(s: Snapshot, dir: DataDir): void {
    this.ids = s.ids;
    for (const n of s.namespaces) this.namespaces.add(n);
    for (const n of s.datastoreNamespaces) this.datastoreNamespaces.add(n);
    for (const [key, files] of Object.entries(s.repos)) {
      const repo = new Map<string, Buffer>();
      for (const [path, hash] of Object.entries(files)) {
        const content = dir.readBlob(hash);
        this.blobOf.set(content, hash);
        repo.set(path, content);
        if (looksLikeEvalRecords(content)) this.answers.addRecords(evalFileOf(content).records);
      }
      this.repos.set(key, repo);
    }
    for (const [key, d] of Object.entries(s.datasets)) this.datasets.set(key, d);
    for (const d of s.deployments) this.deployments.set(`${d.namespace}/${d.name}`, d);
    for (const [key, c] of Object.entries(s.customizationConfigs)) this.customizationConfigs.set(key, c);
    const finished = <T>(hash: string, schema: ZodType<T, ZodTypeDef, unknown>, what: string): T => {
      const checked = schema.safeParse(parseJsonOrNull(dir.readBlob(hash).toString('utf8')));
      if (!checked.success) throw new SimulatorDataError(dir.path, `blob ${hash} is not a finished ${what}`);
      this.blobOf.set(checked.data as object, hash);
      return checked.data;
    };
    const customizationJobs = [
      ...s.customizationJobs,
      ...s.finishedJobs.customization.map((h) => finished(h, customizationJobRecordSchema, 'customization job')),
    ];
    const evaluationJobs = [
      ...s.evaluationJobs,
      ...s.finishedJobs.evaluation.map((h) => finished(h, savedEvaluationJobSchema, 'evaluation job')),
    ];
    // In creation order (ids count up), as before the restart: lists answer in that order.
    const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    for (const j of customizationJobs.sort(byId)) this.customizationJobs.set(j.id, j);
    for (const m of s.models) this.models.set(`${m.namespace}/${m.name}`, m);
    for (const { detail, ...job } of evaluationJobs.sort(byId)) {
      let parsed: { results: Record<string, unknown> | null; sampleRecords: EvaluationJobRecord['sampleRecords'] } = {
        results: null,
        sampleRecords: {},
      };
      if (detail !== null) {
        const checked = evaluationDetailSchema.safeParse(parseJsonOrNull(dir.readBlob(detail).toString('utf8')));
        if (!checked.success) throw new SimulatorDataError(dir.path, `blob ${detail} is not an evaluation detail`);
        parsed = checked.data;
        this.blobOf.set(parsed.sampleRecords, detail);
      }
      this.evaluationJobs.set(job.id, { ...job, ...parsed });
    }
    const held =
      [...this.deployments.values()].reduce((n, d) => n + (d.allocated ? d.gpus : 0), 0) +
      [...this.customizationJobs.values()].reduce((n, j) => n + (j.status === 'running' ? j.gpus : 0), 0);
    this.gpus.restore(held);
    this.advance();
  }

  private referencedBlobs(): Set<string> {
    const refs = new Set<string>();
    const saved = this.savedJson ? parseSnapshot(JSON.parse(this.savedJson)) : null;
    if (saved === null || typeof saved === 'string') return refs;
    for (const files of Object.values(saved.repos)) for (const hash of Object.values(files)) refs.add(hash);
    for (const e of saved.evaluationJobs) if (e.detail !== null) refs.add(e.detail);
    for (const hash of [...saved.finishedJobs.customization, ...saved.finishedJobs.evaluation]) refs.add(hash);
    // A finished evaluation's detail is named inside its blob.
    for (const e of this.evaluationJobs.values()) {
      const detail = this.blobOf.get(e.sampleRecords);
      if (detail !== undefined) refs.add(detail);
    }
    return refs;
  }

  private setPending(j: CustomizationJobRecord, message: string, detail: string): void {
    j.status = 'pending';
    if (j.logs[j.logs.length - 1]?.message !== message) this.log(j, message, detail);
  }

  private log(j: CustomizationJobRecord, message: string, detail: string): void {
    j.logs.push({ updated_at: new Date(this.now()).toISOString(), message, detail });
  }
}

function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function isFinished(status: string): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}
