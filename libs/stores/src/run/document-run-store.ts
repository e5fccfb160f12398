// RunStore logic over any Documents backend: defaults of new entities, the guards of every status change (first
// terminal state wins), NotFound on unknown ids, and cursor pagination in each collection's stable order.
import { type StoreHealth, type StoreLifecycle } from '../boot';
import { NotFoundError, StoreError } from '../errors';
import { collections, type CollectionName } from './collections';
import {
  decodeCursor,
  DEFAULT_PAGE_LIMIT,
  encodeCursor,
  MAX_PAGE_LIMIT,
  type Doc,
  type DocFilter,
  type Documents,
  type Guard,
} from './documents';
import {
  type Candidate,
  type Customization,
  type Dataset,
  type ErrorInfo,
  type Evaluation,
  type EvaluationStats,
  type EvaluationSample,
  type FlywheelRun,
  type JudgeRun,
  type NewCandidate,
  type NewCustomization,
  type NewDataset,
  type NewEvaluation,
  type NewJudgeRun,
  type NewRun,
  type Page,
  type PageRequest,
  type RunFilter,
  type RunStore,
} from './run-store';
import {
  isTerminal,
  TerminalCandidateStatuses,
  TerminalDeploymentStatuses,
  TerminalJobStatuses,
  TerminalRunStatuses,
  type CandidateStatus,
  type DeploymentStatus,
  type TerminalJobStatus,
  type TerminalRunStatus,
} from './statuses';

const runOpen: Guard = { field: 'status', notIn: TerminalRunStatuses };
const candidateOpen: Guard = { field: 'status', notIn: TerminalCandidateStatuses };
const jobOpen: Guard = { field: 'status', notIn: TerminalJobStatuses };
const judgeOpen: Guard = { field: 'deployment_status', notIn: TerminalDeploymentStatuses };
/** A candidate's deployment outlives its verdict: it is released after the candidate finished. */
const deploymentOpen: Guard = judgeOpen;

/** Children of a run, deleted with it. */
const RUN_CHILDREN: readonly CollectionName[] = [
  'evaluation_samples',
  'evaluations',
  'customizations',
  'candidates',
  'judge_runs',
  'datasets',
];

export class DocumentRunStore implements RunStore {
  public readonly backend: StoreLifecycle['backend'];

  public constructor(
    private readonly docs: Documents & StoreLifecycle,
    private readonly now: () => number = Date.now,
  ) {
    this.backend = docs.backend;
  }

  public connect(): Promise<void> {
    return this.docs.connect();
  }

  public health(): Promise<StoreHealth> {
    return this.docs.health();
  }

  public close(): Promise<void> {
    return this.docs.close();
  }

  // --- runs ---------------------------------------------------------------------------------------------------

  public async createRun(run: NewRun): Promise<FlywheelRun> {
    const doc = this.newRun(run);
    await this.docs.insert('flywheel_runs', doc);
    return doc;
  }

  public createRunIfAbsent(run: NewRun): Promise<boolean> {
    return this.docs.insertIfAbsent('flywheel_runs', this.newRun(run));
  }

  private newRun(run: NewRun): FlywheelRun {
    return {
      id: run.id,
      workload_id: run.workload_id,
      client_id: run.client_id,
      status: 'pending',
      workload_type: run.workload_type ?? null,
      created_at: this.now(),
      started_at: null,
      finished_at: null,
      num_records: null,
      error: null,
      request_json: run.request_json ?? null,
    };
  }

  public getRun(id: string): Promise<FlywheelRun> {
    return this.getDoc<FlywheelRun>('flywheel_runs', id, 'getRun');
  }

  public listRuns(filter: RunFilter = {}, page?: PageRequest): Promise<Page<FlywheelRun>> {
    const docFilter: Record<string, string | readonly string[]> = {};
    if (filter.workload_id !== undefined) docFilter.workload_id = filter.workload_id;
    if (filter.client_id !== undefined) docFilter.client_id = filter.client_id;
    if (filter.status !== undefined) docFilter.status = filter.status;
    return this.page<FlywheelRun>('flywheel_runs', docFilter, page, 'listRuns');
  }

  public startRun(id: string, at: number): Promise<boolean> {
    // Only a pending run starts: a redelivered "started" after cancellation must not reopen it.
    const pendingOnly: Guard = { field: 'status', notIn: ['running', ...TerminalRunStatuses] };
    return this.guarded('flywheel_runs', id, { status: 'running', started_at: at }, pendingOnly, 'startRun');
  }

  public updateRun(id: string, patch: { num_records?: number; workload_type?: string }): Promise<boolean> {
    return this.guarded('flywheel_runs', id, definedOnly(patch), runOpen, 'updateRun');
  }

  public finishRun(
    id: string,
    status: TerminalRunStatus,
    at: number,
    error: ErrorInfo | null = null,
  ): Promise<boolean> {
    this.checkTerminal(TerminalRunStatuses, status, 'finishRun');
    return this.guarded('flywheel_runs', id, { status, finished_at: at, error }, runOpen, 'finishRun');
  }

  public async deleteRun(id: string): Promise<number> {
    await this.getRun(id);
    let removed = 0;
    for (const collection of RUN_CHILDREN) removed += await this.docs.deleteWhere(collection, { run_id: id });
    return removed + (await this.docs.deleteWhere('flywheel_runs', { id }));
  }

  // --- candidates ---------------------------------------------------------------------------------------------

  public async createCandidate(candidate: NewCandidate): Promise<Candidate> {
    const doc = this.newCandidate(candidate);
    await this.docs.insert('candidates', doc);
    return doc;
  }

  public createCandidateIfAbsent(candidate: NewCandidate): Promise<boolean> {
    return this.docs.insertIfAbsent('candidates', this.newCandidate(candidate));
  }

  private newCandidate(candidate: NewCandidate): Candidate {
    return {
      id: candidate.id,
      run_id: candidate.run_id,
      model_name: candidate.model_name,
      status: 'pending',
      deployment_status: null,
      created_at: this.now(),
      started_at: null,
      finished_at: null,
      error: null,
    };
  }

  public getCandidate(id: string): Promise<Candidate> {
    return this.getDoc<Candidate>('candidates', id, 'getCandidate');
  }

  public listCandidates(runId: string, page?: PageRequest): Promise<Page<Candidate>> {
    return this.page<Candidate>('candidates', { run_id: runId }, page, 'listCandidates');
  }

  public setCandidateStatus(
    id: string,
    status: CandidateStatus,
    at: number,
    error: ErrorInfo | null = null,
  ): Promise<boolean> {
    const set: Record<string, unknown> = isTerminal(TerminalCandidateStatuses, status)
      ? { status, finished_at: at, error }
      : { status, ...(status === 'pending' ? {} : { started_at: at }) };
    return this.guarded('candidates', id, set, candidateOpen, 'setCandidateStatus');
  }

  public setCandidateDeploymentStatus(id: string, status: DeploymentStatus): Promise<boolean> {
    return this.guarded(
      'candidates',
      id,
      { deployment_status: status },
      deploymentOpen,
      'setCandidateDeploymentStatus',
    );
  }

  // --- evaluations --------------------------------------------------------------------------------------------

  public async createEvaluation(evaluation: NewEvaluation): Promise<Evaluation> {
    const doc = this.newEvaluation(evaluation);
    await this.docs.insert('evaluations', doc);
    return doc;
  }

  public createEvaluationIfAbsent(evaluation: NewEvaluation): Promise<boolean> {
    return this.docs.insertIfAbsent('evaluations', this.newEvaluation(evaluation));
  }

  private newEvaluation(evaluation: NewEvaluation): Evaluation {
    return {
      id: evaluation.id,
      run_id: evaluation.run_id,
      candidate_id: evaluation.candidate_id,
      eval_type: evaluation.eval_type,
      status: 'pending',
      scores: {},
      progress: 0,
      job_id: evaluation.job_id ?? null,
      job_uri: evaluation.job_uri ?? null,
      created_at: this.now(),
      finished_at: null,
      stats: null,
      error: null,
    };
  }

  public getEvaluation(id: string): Promise<Evaluation> {
    return this.getDoc<Evaluation>('evaluations', id, 'getEvaluation');
  }

  public listEvaluations(
    filter: { run_id?: string; candidate_id?: string },
    page?: PageRequest,
  ): Promise<Page<Evaluation>> {
    return this.page<Evaluation>('evaluations', definedOnly(filter), page, 'listEvaluations');
  }

  public updateEvaluation(
    id: string,
    patch: { progress?: number; scores?: Readonly<Record<string, number>>; job_id?: string },
  ): Promise<boolean> {
    return this.guarded('evaluations', id, { ...definedOnly(patch), status: 'running' }, jobOpen, 'updateEvaluation');
  }

  public finishEvaluation(
    id: string,
    status: TerminalJobStatus,
    at: number,
    result: { scores?: Readonly<Record<string, number>>; error?: ErrorInfo | null; stats?: EvaluationStats } = {},
  ): Promise<boolean> {
    this.checkTerminal(TerminalJobStatuses, status, 'finishEvaluation');
    const set = {
      status,
      finished_at: at,
      error: result.error ?? null,
      ...(result.scores ? { scores: result.scores } : {}),
      ...(result.stats ? { stats: result.stats } : {}),
      ...(status === 'completed' ? { progress: 100 } : {}),
    };
    return this.guarded('evaluations', id, set, jobOpen, 'finishEvaluation');
  }

  public async putEvaluationSamples(evaluationId: string, samples: readonly EvaluationSample[]): Promise<void> {
    const evaluation = await this.getEvaluation(evaluationId);
    for (const s of samples) {
      if (!Number.isInteger(s.sample_index) || s.sample_index < 0) {
        throw new StoreError('putEvaluationSamples', this.backend, 'invalid', `bad sample_index ${s.sample_index}`);
      }
    }
    await this.docs.upsertMany(
      'evaluation_samples',
      samples.map((s) => ({
        id: `${evaluationId}#${s.sample_index}`,
        evaluation_id: evaluationId,
        run_id: evaluation.run_id,
        sample_index: s.sample_index,
        request: s.request,
        reference: s.reference,
        output: s.output,
        scores: s.scores,
      })),
    );
  }

  public async listEvaluationSamples(evaluationId: string, page?: PageRequest): Promise<Page<EvaluationSample>> {
    const result = await this.page<Doc>(
      'evaluation_samples',
      { evaluation_id: evaluationId },
      page,
      'listEvaluationSamples',
    );
    return {
      nextCursor: result.nextCursor,
      items: result.items.map((d) => ({
        sample_index: d.sample_index as number,
        request: d.request,
        reference: d.reference,
        output: d.output,
        scores: d.scores as Readonly<Record<string, number>>,
      })),
    };
  }

  // --- customizations -----------------------------------------------------------------------------------------

  public async createCustomization(customization: NewCustomization): Promise<Customization> {
    const doc = this.newCustomization(customization);
    await this.docs.insert('customizations', doc);
    return doc;
  }

  public createCustomizationIfAbsent(customization: NewCustomization): Promise<boolean> {
    return this.docs.insertIfAbsent('customizations', this.newCustomization(customization));
  }

  private newCustomization(customization: NewCustomization): Customization {
    return {
      id: customization.id,
      run_id: customization.run_id,
      candidate_id: customization.candidate_id,
      workload_id: customization.workload_id,
      base_model: customization.base_model,
      customized_model: null,
      job_id: customization.job_id ?? null,
      status: 'pending',
      progress: 0,
      epochs_completed: 0,
      steps_completed: 0,
      created_at: this.now(),
      finished_at: null,
      error: null,
    };
  }

  public getCustomization(id: string): Promise<Customization> {
    return this.getDoc<Customization>('customizations', id, 'getCustomization');
  }

  public listCustomizations(
    filter: { run_id?: string; candidate_id?: string; workload_id?: string },
    page?: PageRequest,
  ): Promise<Page<Customization>> {
    return this.page<Customization>('customizations', definedOnly(filter), page, 'listCustomizations');
  }

  public updateCustomization(
    id: string,
    patch: {
      progress?: number;
      epochs_completed?: number;
      steps_completed?: number;
      customized_model?: string;
      job_id?: string;
    },
  ): Promise<boolean> {
    return this.guarded(
      'customizations',
      id,
      { ...definedOnly(patch), status: 'running' },
      jobOpen,
      'updateCustomization',
    );
  }

  public finishCustomization(
    id: string,
    status: TerminalJobStatus,
    at: number,
    error: ErrorInfo | null = null,
  ): Promise<boolean> {
    this.checkTerminal(TerminalJobStatuses, status, 'finishCustomization');
    const set = { status, finished_at: at, error, ...(status === 'completed' ? { progress: 100 } : {}) };
    return this.guarded('customizations', id, set, jobOpen, 'finishCustomization');
  }

  // --- judge runs ---------------------------------------------------------------------------------------------

  public async createJudgeRun(judge: NewJudgeRun): Promise<JudgeRun> {
    const doc = this.newJudgeRun(judge);
    await this.docs.insert('judge_runs', doc);
    return doc;
  }

  public createJudgeRunIfAbsent(judge: NewJudgeRun): Promise<boolean> {
    return this.docs.insertIfAbsent('judge_runs', this.newJudgeRun(judge));
  }

  private newJudgeRun(judge: NewJudgeRun): JudgeRun {
    return {
      id: judge.id,
      run_id: judge.run_id,
      model_name: judge.model_name,
      deployment_type: judge.deployment_type,
      // A remote judge is an endpoint that already answers (blueprint §1.7).
      deployment_status: judge.deployment_type === 'remote' ? 'ready' : 'created',
      created_at: this.now(),
      error: null,
    };
  }

  public getJudgeRun(id: string): Promise<JudgeRun> {
    return this.getDoc<JudgeRun>('judge_runs', id, 'getJudgeRun');
  }

  public listJudgeRuns(runId: string, page?: PageRequest): Promise<Page<JudgeRun>> {
    return this.page<JudgeRun>('judge_runs', { run_id: runId }, page, 'listJudgeRuns');
  }

  public setJudgeDeploymentStatus(
    id: string,
    status: DeploymentStatus,
    error: ErrorInfo | null = null,
  ): Promise<boolean> {
    return this.guarded('judge_runs', id, { deployment_status: status, error }, judgeOpen, 'setJudgeDeploymentStatus');
  }

  // --- datasets -----------------------------------------------------------------------------------------------

  public async createDataset(dataset: NewDataset): Promise<Dataset> {
    const doc: Dataset = { ...dataset, created_at: this.now() };
    await this.docs.insert('datasets', doc);
    return doc;
  }

  public createDatasetIfAbsent(dataset: NewDataset): Promise<boolean> {
    const doc: Dataset = { ...dataset, created_at: this.now() };
    return this.docs.insertIfAbsent('datasets', doc);
  }

  public getDataset(id: string): Promise<Dataset> {
    return this.getDoc<Dataset>('datasets', id, 'getDataset');
  }

  public listDatasets(runId: string, page?: PageRequest): Promise<Page<Dataset>> {
    return this.page<Dataset>('datasets', { run_id: runId }, page, 'listDatasets');
  }

  public async listDatasetsOfRuns(runIds: readonly string[]): Promise<ReadonlyMap<string, readonly Dataset[]>> {
    const byRun = new Map<string, Dataset[]>(runIds.map((id) => [id, []]));
    let cursor: string | undefined;
    while (runIds.length > 0) {
      const request = { limit: MAX_PAGE_LIMIT, ...(cursor === undefined ? {} : { cursor }) };
      const page = await this.page<Dataset>('datasets', { run_id: runIds }, request, 'listDatasetsOfRuns');
      for (const dataset of page.items) byRun.get(dataset.run_id)?.push(dataset);
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    return byRun;
  }

  // --- shared -------------------------------------------------------------------------------------------------

  private async getDoc<T>(collection: CollectionName, id: string, operation: string): Promise<T> {
    const doc = await this.docs.get(collection, id);
    if (!doc) throw new NotFoundError(operation, this.backend, collections[collection].entity, id);
    return doc as unknown as T;
  }

  /** True when applied; false when the guard held it back; NotFound when there is no such document. */
  private async guarded(
    collection: CollectionName,
    id: string,
    set: Readonly<Record<string, unknown>>,
    guard: Guard,
    operation: string,
  ): Promise<boolean> {
    const outcome = await this.docs.update(collection, id, set, guard);
    switch (outcome) {
      case 'applied':
        return true;
      case 'guarded':
        return false;
      case 'missing':
        throw new NotFoundError(operation, this.backend, collections[collection].entity, id);
    }
  }

  private async page<T>(
    collection: CollectionName,
    filter: DocFilter,
    request: PageRequest = {},
    operation: string,
  ): Promise<Page<T>> {
    const limit = request.limit ?? DEFAULT_PAGE_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
      throw new StoreError(operation, this.backend, 'invalid', `page limit must be 1..${MAX_PAGE_LIMIT}, got ${limit}`);
    }
    const after = request.cursor ? decodeCursor(request.cursor, operation, this.backend) : undefined;
    // One extra document tells whether another page exists without a count.
    const docs = await this.docs.list(collection, filter, after, limit + 1);
    const items = docs.slice(0, limit);
    const last = items.at(-1);
    const sortField = collections[collection].sortField;
    const nextCursor =
      docs.length > limit && last ? encodeCursor({ value: last[sortField] as string | number, id: last.id }) : null;
    return { items: items as unknown as T[], nextCursor };
  }

  private checkTerminal(terminal: readonly string[], status: string, operation: string): void {
    if (!terminal.includes(status)) {
      throw new StoreError(operation, this.backend, 'invalid', `'${status}' is not a terminal status`);
    }
  }
}

function definedOnly<T extends object>(patch: T): Record<string, Exclude<T[keyof T], undefined>> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
}
