// The read model: each run-scoped event becomes RunStore writes. Every write is idempotent — creates ignore a
// document that already exists, status changes go through the store's guarded updates (first terminal state wins),
// progress after the end is dropped — so a redelivered event, or events of one run arriving out of order across
// topics, leave the same state. After a write that may finish a candidate, the candidate and then the run are
// settled (completion.ts); a finished run publishes its outcome with ids derived from the run id, *before* the run
// is marked finished, so a kill between the two republishes the same events on redelivery instead of losing them.
import { type EventPublisher, type OutgoingEvent } from '@flywheel/bus';
import {
  type catalogue,
  type CandidateDeployedV1,
  type CandidateDeployFailedV1,
  type CandidateDeployRequestedV1,
  type CandidateReleasedV1,
  type CustomizationCompletedV1,
  type CustomizationFailedV1,
  type CustomizationProgressV1,
  type CustomizationStartedV1,
  type DatasetsBuiltV1,
  type DatasetsFailedV1,
  type DeploymentRoleV1,
  type ErrorInfoV1,
  type EvalTypeV1,
  type EvaluationCompletedV1,
  type EvaluationFailedV1,
  type EvaluationProgressV1,
  type EvaluationStartedV1,
  type RunCancelRequestedV1,
  type RunDeletedV1,
  type RunFailedV1,
  type RunRequestedV1,
  type RunStartedV1,
  type StageProgressV1,
  Topics,
} from '@flywheel/contracts';
import {
  type Candidate,
  type DatasetKind,
  type ErrorInfo,
  isTerminal,
  NotFoundError,
  type RunStore,
  TerminalCandidateStatuses,
  TerminalJobStatuses,
  TerminalRunStatuses,
} from '@flywheel/stores';
import { type DecisionConfig } from '../config/aggregator-config';
import { candidateIdOf, customizationIdOf, datasetIdOf, evaluationIdOf, eventIdOf, judgeIdOf } from '../ids';
import { candidateVerdict, runVerdict } from './completion';
import { recommend } from './recommendation';
import { candidateScoresOf } from './run-scores';
import { writeRunPlan } from './run-plan';

export type FlywheelCatalogue = typeof catalogue;

export type ProjectionResult = { readonly kind: 'applied' } | { readonly kind: 'ignored'; readonly reason: string };

const APPLIED: ProjectionResult = { kind: 'applied' };
const ignored = (reason: string): ProjectionResult => ({ kind: 'ignored', reason });
/** Lists read whole: a run has a handful of candidates and a few evaluations each. */
const ALL = { limit: 1000 } as const;

/** Metrics hooks (the service's Prometheus metrics implement it). */
export interface ProjectionObserver {
  /** A run's final status was written (once per run: a guarded write that lost does not call it). */
  runFinished(status: 'completed' | 'failed' | 'cancelled'): void;
}

export interface ProjectionDeps {
  readonly store: RunStore;
  readonly publisher: EventPublisher<FlywheelCatalogue>;
  readonly decision: DecisionConfig;
  readonly observer?: ProjectionObserver;
}

export class RunProjection {
  public constructor(private readonly deps: ProjectionDeps) {}

  private get store(): RunStore {
    return this.deps.store;
  }

  // --- run lifecycle ----------------------------------------------------------------------------------------

  /**
   * The jobs API writes the plan before it publishes the request; here the plan is only completed (a repair after
   * a crash mid-way). A run that is not in the store is not recreated: it was deleted (run.deleted can overtake
   * run.requested, they travel on different topics) or requested around the jobs API.
   */
  public runRequested(e: RunRequestedV1): Promise<ProjectionResult> {
    return this.onRun(e.run_id, async () => {
      await this.store.getRun(e.run_id);
      await writeRunPlan(this.store, e);
      return APPLIED;
    });
  }

  public runStarted(e: RunStartedV1): Promise<ProjectionResult> {
    return this.onRun(e.run_id, async () =>
      (await this.store.startRun(e.run_id, e.occurred_at)) ? APPLIED : ignored('run is no longer pending'),
    );
  }

  public datasetsBuilt(e: DatasetsBuiltV1): Promise<ProjectionResult> {
    return this.onRun(e.run_id, async () => {
      await this.store.updateRun(e.run_id, {
        num_records: e.curation.records_selected,
        workload_type: e.workload_type,
      });
      const refs: [DatasetKind, DatasetsBuiltV1['eval'] | null][] = [
        ['eval', e.eval],
        ['icl', e.icl],
        ['train', e.train],
        ['val', e.val],
      ];
      for (const [kind, ref] of refs) {
        if (ref === null) continue;
        await this.store.createDatasetIfAbsent({
          id: datasetIdOf(e.run_id, kind),
          run_id: e.run_id,
          name: ref.name,
          kind,
          num_records: ref.record_count,
          uri: ref.uri,
        });
      }
      return APPLIED;
    });
  }

  public datasetsFailed(e: DatasetsFailedV1): Promise<ProjectionResult> {
    return this.onRun(e.run_id, () => this.failRun(e.run_id, e.occurred_at, e.error, 'dataset build'));
  }

  /** A stage reported the run failed (the dataset-builder sends this beside datasets.failed). */
  public runFailed(e: RunFailedV1): Promise<ProjectionResult> {
    return this.onRun(e.run_id, () => this.failRun(e.run_id, e.occurred_at, e.error, e.stage.replace('_', ' ')));
  }

  /** The cancel the jobs API asked for: the run ends `cancelled`, its open work too, then `run.cancelled`. */
  public cancelRequested(e: RunCancelRequestedV1): Promise<ProjectionResult> {
    return this.onRun(e.run_id, async () => {
      const error: ErrorInfo = {
        code: 'CANCELLED',
        message: `Job cancelled by ${e.requested_by}${e.reason ? `: ${e.reason}` : ''}`,
        retryable: false,
      };
      if (await this.store.finishRun(e.run_id, 'cancelled', e.occurred_at, error))
        this.deps.observer?.runFinished('cancelled');
      const run = await this.store.getRun(e.run_id);
      if (run.status !== 'cancelled') return ignored(`run had already ${run.status}`);
      await this.closeOpenWork(e.run_id, undefined, 'cancelled', e.occurred_at, error);
      await this.deps.publisher.publish(Topics.runCancelledV1, {
        event_id: eventIdOf(e.run_id, 'run.cancelled'),
        run_id: e.run_id,
        occurred_at: e.occurred_at,
        requested_by: e.requested_by,
        reason: e.reason,
        stage: null,
      });
      return APPLIED;
    });
  }

  public async runDeleted(e: RunDeletedV1): Promise<ProjectionResult> {
    return this.onRun(e.run_id, async () => {
      await this.store.deleteRun(e.run_id);
      return APPLIED;
    });
  }

  public stageProgress(e: StageProgressV1): Promise<ProjectionResult> {
    if (e.model_name === null) return Promise.resolve(ignored('run-level progress is not stored'));
    const model = e.model_name;
    return this.onRun(e.run_id, async () => {
      if (e.stage === 'deployment') return this.advanceCandidate(e.run_id, model, 'deploying', e.occurred_at);
      if (e.stage === 'evaluation' || e.stage === 'customization') {
        return this.advanceCandidate(e.run_id, model, 'running_evals', e.occurred_at);
      }
      return ignored(`no stored state for stage ${e.stage}`);
    });
  }

  // --- deployments ------------------------------------------------------------------------------------------

  public deployRequested(e: CandidateDeployRequestedV1): Promise<ProjectionResult> {
    return this.onRun(e.run_id, async () => {
      if (e.role === 'judge') {
        await this.store.createJudgeRunIfAbsent({
          id: judgeIdOf(e.run_id, e.model_name),
          run_id: e.run_id,
          model_name: e.model_name,
          deployment_type: 'local',
        });
        return APPLIED;
      }
      if (e.role !== 'candidate') return ignored(`${e.role} deployments are not part of the read model`);
      return this.advanceCandidate(e.run_id, e.model_name, 'deploying', e.occurred_at);
    });
  }

  public deployed(e: CandidateDeployedV1): Promise<ProjectionResult> {
    return this.onRun(e.run_id, async () => {
      if (e.role === 'judge') return this.judgeStatus(e.run_id, e.model_name, 'ready', null);
      if (e.role !== 'candidate') return ignored(roleIgnored(e.role));
      const candidate = await this.candidate(e.run_id, e.model_name);
      if (candidate === null) return ignored(`model ${e.model_name} is not a candidate of this run`);
      await this.store.setCandidateDeploymentStatus(candidate.id, 'ready');
      return this.advance(candidate, 'running_evals', e.occurred_at);
    });
  }

  public deployFailed(e: CandidateDeployFailedV1): Promise<ProjectionResult> {
    return this.onRun(e.run_id, async () => {
      if (e.role === 'judge') return this.judgeStatus(e.run_id, e.model_name, 'failed', e.error);
      if (e.role !== 'candidate') return ignored(roleIgnored(e.role));
      const candidate = await this.candidate(e.run_id, e.model_name);
      if (candidate === null) return ignored(`model ${e.model_name} is not a candidate of this run`);
      await this.store.setCandidateDeploymentStatus(candidate.id, 'failed');
      const error = { ...e.error, message: `deployment failed: ${e.error.message}` };
      await this.closeOpenWork(e.run_id, candidate.id, 'failed', e.occurred_at, {
        ...error,
        message: `not run: ${error.message}`,
      });
      await this.store.setCandidateStatus(candidate.id, 'failed', e.occurred_at, error);
      await this.settleRun(e.run_id, e.occurred_at);
      return APPLIED;
    });
  }

  public released(e: CandidateReleasedV1): Promise<ProjectionResult> {
    return this.onRun(e.run_id, async () => {
      const status = e.reason === 'unknown' ? 'unknown' : e.reason;
      if (e.role === 'judge') return this.judgeStatus(e.run_id, e.model_name, status, null);
      if (e.role !== 'candidate') return ignored(roleIgnored(e.role));
      const candidate = await this.candidate(e.run_id, e.model_name);
      if (candidate === null) return ignored(`model ${e.model_name} is not a candidate of this run`);
      return (await this.store.setCandidateDeploymentStatus(candidate.id, status))
        ? APPLIED
        : ignored('candidate already finished');
    });
  }

  // --- customization ----------------------------------------------------------------------------------------

  public customizationStarted(e: CustomizationStartedV1): Promise<ProjectionResult> {
    return this.onCustomization(e.run_id, e.model_name, e.occurred_at, (id) =>
      this.store.updateCustomization(id, { job_id: e.job_id, customized_model: e.output_model_name }),
    );
  }

  public customizationProgress(e: CustomizationProgressV1): Promise<ProjectionResult> {
    return this.onCustomization(e.run_id, e.model_name, e.occurred_at, (id) =>
      this.store.updateCustomization(id, {
        job_id: e.job_id,
        progress: clampPercent(e.percent),
        epochs_completed: e.epoch,
        steps_completed: e.step,
      }),
    );
  }

  public customizationCompleted(e: CustomizationCompletedV1): Promise<ProjectionResult> {
    return this.onCustomization(e.run_id, e.model_name, e.occurred_at, async (id) => {
      await this.store.updateCustomization(id, {
        job_id: e.job_id,
        customized_model: e.customized_model_name,
        epochs_completed: e.epochs_completed,
        steps_completed: e.steps_completed,
      });
      return this.store.finishCustomization(id, 'completed', e.occurred_at);
    });
  }

  public customizationFailed(e: CustomizationFailedV1): Promise<ProjectionResult> {
    return this.onCustomization(e.run_id, e.model_name, e.occurred_at, async (id, candidateId) => {
      const cancelled = e.error.code === 'CANCELLED';
      const applied = await this.store.finishCustomization(
        id,
        cancelled ? 'cancelled' : 'failed',
        e.occurred_at,
        e.error,
      );
      // The customized evaluation cannot happen without the customized model.
      const evalId = evaluationIdOf(e.run_id, e.model_name, 'customized');
      await ignoreMissing(
        this.store.finishEvaluation(evalId, cancelled ? 'cancelled' : 'failed', e.occurred_at, {
          error: { ...e.error, message: `not run: customization failed: ${e.error.message}` },
        }),
      );
      await this.settleCandidate(candidateId, e.run_id, e.occurred_at);
      return applied;
    });
  }

  // --- evaluation -------------------------------------------------------------------------------------------

  public evaluationStarted(e: EvaluationStartedV1): Promise<ProjectionResult> {
    return this.onEvaluation(e.run_id, e.model_name, e.eval_type, async (id) => {
      await this.advanceCandidate(e.run_id, e.model_name, 'running_evals', e.occurred_at);
      return this.store.updateEvaluation(id, { job_id: e.job_id });
    });
  }

  public evaluationProgress(e: EvaluationProgressV1): Promise<ProjectionResult> {
    return this.onEvaluation(e.run_id, e.model_name, e.eval_type, (id) =>
      this.store.updateEvaluation(id, { job_id: e.job_id, progress: clampPercent(e.percent) }),
    );
  }

  public evaluationCompleted(e: EvaluationCompletedV1): Promise<ProjectionResult> {
    return this.onEvaluation(e.run_id, e.model_name, e.eval_type, async (id, candidateId) => {
      const applied = await this.store.finishEvaluation(id, 'completed', e.occurred_at, {
        scores: e.scores,
        stats: {
          sample_count: e.sample_count,
          failed_sample_count: e.failed_sample_count,
          duration_ms: e.duration_ms,
          mean_latency_ms: e.mean_latency_ms,
          mean_prompt_tokens: e.mean_prompt_tokens,
          mean_completion_tokens: e.mean_completion_tokens,
        },
      });
      await this.settleCandidate(candidateId, e.run_id, e.occurred_at);
      return applied;
    });
  }

  public evaluationFailed(e: EvaluationFailedV1): Promise<ProjectionResult> {
    return this.onEvaluation(e.run_id, e.model_name, e.eval_type, async (id, candidateId) => {
      const status = e.error.code === 'CANCELLED' ? 'cancelled' : 'failed';
      const applied = await this.store.finishEvaluation(id, status, e.occurred_at, { error: e.error });
      await this.settleCandidate(candidateId, e.run_id, e.occurred_at);
      return applied;
    });
  }

  // --- completion -------------------------------------------------------------------------------------------

  /** Finishes the candidate once every planned evaluation is terminal, then tries the run. */
  public async settleCandidate(candidateId: string, runId: string, at: number): Promise<void> {
    const candidate = await this.store.getCandidate(candidateId);
    if (!isTerminal(TerminalCandidateStatuses, candidate.status)) {
      const evaluations = (await this.store.listEvaluations({ candidate_id: candidateId }, ALL)).items;
      const verdict = candidateVerdict(evaluations);
      if (verdict === null) return;
      // Published before the status is stored (as for the run's outcome): a kill in between republishes it.
      await this.deps.publisher.publish(Topics.candidateFinishedV1, {
        event_id: eventIdOf(runId, `candidate.finished:${candidate.model_name}`),
        run_id: runId,
        occurred_at: at,
        model_name: candidate.model_name,
        status: verdict.status,
        error: verdict.error,
      });
      await this.store.setCandidateStatus(candidateId, verdict.status, at, verdict.error);
    }
    await this.settleRun(runId, at);
  }

  /** Once every candidate is finished: publish the outcome, then mark the run (see the header for the order). */
  public async settleRun(runId: string, at: number): Promise<void> {
    const run = await this.store.getRun(runId);
    if (isTerminal(TerminalRunStatuses, run.status)) return;
    const candidates = (await this.store.listCandidates(runId, ALL)).items;
    const evaluations = (await this.store.listEvaluations({ run_id: runId }, ALL)).items;
    const verdict = runVerdict(candidates, evaluations);
    if (verdict === null) return;
    const events: OutgoingEvent<FlywheelCatalogue>[] = [];
    if (verdict.status === 'completed') {
      const scores = await candidateScoresOf(this.store, runId, candidates, evaluations);
      const decision = recommend(
        { run_id: runId, workload_id: run.workload_id, workload_type: run.workload_type, candidates: scores },
        this.deps.decision,
      );
      events.push({
        topic: Topics.candidateRecommendedV1,
        payload: { event_id: eventIdOf(runId, 'candidate.recommended'), occurred_at: at, ...decision },
      });
      events.push({
        topic: Topics.runCompletedV1,
        payload: {
          event_id: eventIdOf(runId, 'run.completed'),
          run_id: runId,
          occurred_at: at,
          summary: {
            workload_type: run.workload_type ?? 'unknown',
            num_records: run.num_records ?? 0,
            candidates: candidates.map((c) => ({
              model_name: c.model_name,
              status:
                c.status === 'completed' || c.status === 'failed' || c.status === 'cancelled' || c.status === 'skipped'
                  ? c.status
                  : 'unknown',
              evaluations_completed: evaluations.filter((e) => e.candidate_id === c.id && e.status === 'completed')
                .length,
              error: c.error?.message ?? null,
            })),
            recommended_model: decision.recommended_model,
          },
          duration_ms: Math.max(0, at - (run.started_at ?? run.created_at)),
        },
      });
    } else {
      events.push({
        topic: Topics.runFailedV1,
        payload: {
          event_id: eventIdOf(runId, 'run.failed'),
          run_id: runId,
          occurred_at: at,
          stage: 'aggregation',
          error: verdict.error ?? { code: 'FAILED', message: 'run failed', retryable: false },
        },
      });
    }
    await this.deps.publisher.publishMany(events);
    if (await this.store.finishRun(runId, verdict.status, at, verdict.error))
      this.deps.observer?.runFinished(verdict.status);
  }

  // --- shared -----------------------------------------------------------------------------------------------

  /** Runs `apply` for a known run; events of an unknown (never requested, or deleted) run are skipped. */
  private async onRun(runId: string, apply: () => Promise<ProjectionResult>): Promise<ProjectionResult> {
    try {
      return await apply();
    } catch (err) {
      if (err instanceof NotFoundError && err.entity === 'flywheel run') {
        return ignored(`run ${runId} is unknown (never requested here, or deleted)`);
      }
      throw err;
    }
  }

  /**
   * Customization events: the candidate moves on, then `apply` writes the customization. A planned customization
   * exists from the request on; one that is not (customization off in the request, yet it ran) is created when the
   * write finds no document, rather than lost.
   */
  private onCustomization(
    runId: string,
    model: string,
    at: number,
    apply: (id: string, candidateId: string) => Promise<boolean>,
  ): Promise<ProjectionResult> {
    return this.onRun(runId, async () => {
      const candidate = await this.candidate(runId, model);
      if (candidate === null) return ignored(`model ${model} is not a candidate of this run`);
      const id = customizationIdOf(runId, model);
      await this.advance(candidate, 'running_evals', at);
      const applied = await unlessMissing(
        'customization',
        id,
        () => apply(id, candidate.id),
        async () => {
          await this.store.createCustomizationIfAbsent({
            id,
            run_id: runId,
            candidate_id: candidate.id,
            workload_id: (await this.store.getRun(runId)).workload_id,
            base_model: model,
          });
          return apply(id, candidate.id);
        },
      );
      return applied ? APPLIED : ignored('customization already finished');
    });
  }

  /**
   * Evaluation events write the evaluation first: a planned one exists from the request on, so the common event
   * (progress) is one write. Only when it is missing are the run and the candidate checked and the evaluation created
   * (one the plan did not expect), then written. An existing evaluation implies its candidate and run (a deletion
   * removes children first).
   */
  private onEvaluation(
    runId: string,
    model: string,
    evalType: EvalTypeV1,
    apply: (id: string, candidateId: string) => Promise<boolean>,
  ): Promise<ProjectionResult> {
    if (evalType === 'unknown') return Promise.resolve(ignored('evaluation of an unknown type'));
    return this.onRun(runId, async () => {
      const id = evaluationIdOf(runId, model, evalType);
      const applied = await unlessMissing(
        'evaluation',
        id,
        () => apply(id, candidateIdOf(runId, model)),
        async () => {
          const candidate = await this.candidate(runId, model);
          if (candidate === null) return null;
          await this.store.createEvaluationIfAbsent({
            id,
            run_id: runId,
            candidate_id: candidate.id,
            eval_type: evalType,
          });
          return apply(id, candidate.id);
        },
      );
      if (applied === null) return ignored(`model ${model} is not a candidate of this run`);
      return applied ? APPLIED : ignored('evaluation already finished');
    });
  }

  /**
   * The run's candidate for `model`, or null when the run has no such candidate; NotFound (reported by onRun) when
   * the run is unknown. The candidate is read first: it exists only while its run does (deletion removes children
   * first), so the run is read only when the candidate is missing.
   */
  private async candidate(runId: string, model: string): Promise<Candidate | null> {
    try {
      return await this.store.getCandidate(candidateIdOf(runId, model));
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    await this.store.getRun(runId);
    return null;
  }

  private async advanceCandidate(
    runId: string,
    model: string,
    to: 'deploying' | 'running_evals',
    at: number,
  ): Promise<ProjectionResult> {
    const candidate = await this.candidate(runId, model);
    if (candidate === null) return ignored(`model ${model} is not a candidate of this run`);
    return this.advance(candidate, to, at);
  }

  /** Moves a candidate forward only (pending → deploying → running_evals): a late event never moves it back. */
  private async advance(
    candidate: Candidate,
    to: 'deploying' | 'running_evals',
    at: number,
  ): Promise<ProjectionResult> {
    const rank = { pending: 0, deploying: 1, running_evals: 2 } as const;
    const current = candidate.status in rank ? rank[candidate.status as keyof typeof rank] : 3;
    if (current >= rank[to]) return ignored(`candidate is already ${candidate.status}`);
    return (await this.store.setCandidateStatus(candidate.id, to, at))
      ? APPLIED
      : ignored('candidate already finished');
  }

  private async judgeStatus(
    runId: string,
    model: string,
    status: 'ready' | 'failed' | 'completed' | 'cancelled' | 'unknown',
    error: ErrorInfoV1 | null,
  ): Promise<ProjectionResult> {
    const id = judgeIdOf(runId, model);
    await this.store.createJudgeRunIfAbsent({ id, run_id: runId, model_name: model, deployment_type: 'local' });
    return (await this.store.setJudgeDeploymentStatus(id, status, error)) ? APPLIED : ignored('judge already finished');
  }

  /** The run failed in a stage: it ends `failed` and so does every candidate and job still open. */
  private async failRun(runId: string, at: number, error: ErrorInfoV1, stage: string): Promise<ProjectionResult> {
    const applied = await this.store.finishRun(runId, 'failed', at, error);
    if (applied) this.deps.observer?.runFinished('failed');
    const run = await this.store.getRun(runId);
    if (run.status !== 'failed') return ignored(`run had already ${run.status}`);
    await this.closeOpenWork(runId, undefined, 'failed', at, {
      ...error,
      message: `not run: ${stage} failed: ${error.message}`,
    });
    return applied ? APPLIED : ignored('run had already failed');
  }

  /** Ends every open evaluation, customization and (for a whole run) candidate with `status`. */
  private async closeOpenWork(
    runId: string,
    candidateId: string | undefined,
    status: 'failed' | 'cancelled',
    at: number,
    error: ErrorInfo,
  ): Promise<void> {
    const filter = candidateId === undefined ? { run_id: runId } : { candidate_id: candidateId };
    for (const e of (await this.store.listEvaluations(filter, ALL)).items) {
      if (!isTerminal(TerminalJobStatuses, e.status)) await this.store.finishEvaluation(e.id, status, at, { error });
    }
    for (const c of (await this.store.listCustomizations(filter, ALL)).items) {
      if (!isTerminal(TerminalJobStatuses, c.status)) await this.store.finishCustomization(c.id, status, at, error);
    }
    if (candidateId !== undefined) return;
    for (const c of (await this.store.listCandidates(runId, ALL)).items) {
      if (!isTerminal(TerminalCandidateStatuses, c.status))
        await this.store.setCandidateStatus(c.id, status, at, error);
    }
  }
}

function roleIgnored(role: DeploymentRoleV1): string {
  return `${role} deployments are not part of the read model`;
}

function clampPercent(p: number): number {
  return Math.min(100, Math.max(0, p));
}

/**
 * Runs `write`; when it finds no `entity` document `id` (NotFound for exactly that one), runs `create` instead, which
 * creates it and writes again.
 */
async function unlessMissing<T, C>(
  entity: 'evaluation' | 'customization',
  id: string,
  write: () => Promise<T>,
  create: () => Promise<C>,
): Promise<T | C> {
  try {
    return await write();
  } catch (err) {
    if (!(err instanceof NotFoundError && err.entity === entity && err.id === id)) throw err;
  }
  return create();
}

/** A write to a document that is not there (e.g. a customized evaluation that was never planned) changes nothing. */
async function ignoreMissing(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}
