// The event catalogue: every topic, the payload type it carries, its schema, its key and its business checks.
// A publisher or handler names a topic and the compiler knows the payload; nothing is derived from class names.
import { type EventContract, type AvroRecordSchema } from './event-contract';
import {
  type CandidateDeployFailedV1,
  CandidateDeployFailedV1Schema,
  type CandidateFinishedV1,
  CandidateFinishedV1Schema,
  type CandidateDeployRequestedV1,
  CandidateDeployRequestedV1Schema,
  type CandidateDeployedV1,
  CandidateDeployedV1Schema,
  type CandidateRecommendedV1,
  CandidateRecommendedV1Schema,
  type CandidateReleasedV1,
  CandidateReleasedV1Schema,
  type CustomizationCompletedV1,
  CustomizationCompletedV1Schema,
  type CustomizationFailedV1,
  CustomizationFailedV1Schema,
  type CustomizationProgressV1,
  CustomizationProgressV1Schema,
  type CustomizationStartedV1,
  CustomizationStartedV1Schema,
  type DatasetsBuiltV1,
  DatasetsBuiltV1Schema,
  type DatasetsFailedV1,
  DatasetsFailedV1Schema,
  type EvaluationCompletedV1,
  EvaluationCompletedV1Schema,
  type EvaluationFailedV1,
  EvaluationFailedV1Schema,
  type EvaluationProgressV1,
  EvaluationProgressV1Schema,
  type EvaluationStartedV1,
  EvaluationStartedV1Schema,
  type LlmCallLoggedV1,
  LlmCallLoggedV1Schema,
  type LogsIngestedV1,
  LogsIngestedV1Schema,
  type ModelPromotedV1,
  ModelPromotedV1Schema,
  type ModelRolledBackV1,
  ModelRolledBackV1Schema,
  type RunCancelRequestedV1,
  RunCancelRequestedV1Schema,
  type RunCancelledV1,
  RunCancelledV1Schema,
  type RunCompletedV1,
  RunCompletedV1Schema,
  type RunDeletedV1,
  RunDeletedV1Schema,
  type RunFailedV1,
  RunFailedV1Schema,
  type RunRequestedV1,
  RunRequestedV1Schema,
  type RunStartedV1,
  RunStartedV1Schema,
  type StageProgressV1,
  StageProgressV1Schema,
} from './generated';
import { type Check, problems } from './validation/checks';
import * as v from './validation/event-validators';

// WARNING: these strings are on the wire (topic names and schema-registry subjects). Never change one in place:
// a breaking change gets a new schema file (*.v2.avsc), a new topic and a new key here; old ones stay.
export const Topics = {
  llmCallLoggedV1: 'flywheel.log.llm-call-logged.v1',
  logsIngestedV1: 'flywheel.log.logs-ingested.v1',
  runRequestedV1: 'flywheel.run.requested.v1',
  runStartedV1: 'flywheel.run.started.v1',
  runCancelRequestedV1: 'flywheel.run.cancel-requested.v1',
  runCompletedV1: 'flywheel.run.completed.v1',
  runFailedV1: 'flywheel.run.failed.v1',
  runCancelledV1: 'flywheel.run.cancelled.v1',
  runDeletedV1: 'flywheel.run.deleted.v1',
  stageProgressV1: 'flywheel.run.stage-progress.v1',
  datasetsBuiltV1: 'flywheel.dataset.built.v1',
  datasetsFailedV1: 'flywheel.dataset.failed.v1',
  candidateDeployRequestedV1: 'flywheel.candidate.deploy-requested.v1',
  candidateDeployedV1: 'flywheel.candidate.deployed.v1',
  candidateDeployFailedV1: 'flywheel.candidate.deploy-failed.v1',
  candidateReleasedV1: 'flywheel.candidate.released.v1',
  candidateFinishedV1: 'flywheel.candidate.finished.v1',
  customizationStartedV1: 'flywheel.customization.started.v1',
  customizationProgressV1: 'flywheel.customization.progress.v1',
  customizationCompletedV1: 'flywheel.customization.completed.v1',
  customizationFailedV1: 'flywheel.customization.failed.v1',
  evaluationStartedV1: 'flywheel.evaluation.started.v1',
  evaluationProgressV1: 'flywheel.evaluation.progress.v1',
  evaluationCompletedV1: 'flywheel.evaluation.completed.v1',
  evaluationFailedV1: 'flywheel.evaluation.failed.v1',
  candidateRecommendedV1: 'flywheel.decision.candidate-recommended.v1',
  modelPromotedV1: 'flywheel.decision.model-promoted.v1',
  modelRolledBackV1: 'flywheel.decision.model-rolled-back.v1',
} as const;

/** Topic → the payload it carries. */
export interface EventMap {
  [Topics.llmCallLoggedV1]: LlmCallLoggedV1;
  [Topics.logsIngestedV1]: LogsIngestedV1;
  [Topics.runRequestedV1]: RunRequestedV1;
  [Topics.runStartedV1]: RunStartedV1;
  [Topics.runCancelRequestedV1]: RunCancelRequestedV1;
  [Topics.runCompletedV1]: RunCompletedV1;
  [Topics.runFailedV1]: RunFailedV1;
  [Topics.runCancelledV1]: RunCancelledV1;
  [Topics.runDeletedV1]: RunDeletedV1;
  [Topics.stageProgressV1]: StageProgressV1;
  [Topics.datasetsBuiltV1]: DatasetsBuiltV1;
  [Topics.datasetsFailedV1]: DatasetsFailedV1;
  [Topics.candidateDeployRequestedV1]: CandidateDeployRequestedV1;
  [Topics.candidateDeployedV1]: CandidateDeployedV1;
  [Topics.candidateDeployFailedV1]: CandidateDeployFailedV1;
  [Topics.candidateReleasedV1]: CandidateReleasedV1;
  [Topics.candidateFinishedV1]: CandidateFinishedV1;
  [Topics.customizationStartedV1]: CustomizationStartedV1;
  [Topics.customizationProgressV1]: CustomizationProgressV1;
  [Topics.customizationCompletedV1]: CustomizationCompletedV1;
  [Topics.customizationFailedV1]: CustomizationFailedV1;
  [Topics.evaluationStartedV1]: EvaluationStartedV1;
  [Topics.evaluationProgressV1]: EvaluationProgressV1;
  [Topics.evaluationCompletedV1]: EvaluationCompletedV1;
  [Topics.evaluationFailedV1]: EvaluationFailedV1;
  [Topics.candidateRecommendedV1]: CandidateRecommendedV1;
  [Topics.modelPromotedV1]: ModelPromotedV1;
  [Topics.modelRolledBackV1]: ModelRolledBackV1;
}

export type Topic = keyof EventMap;
export type EventOf<T extends Topic> = EventMap[T];

const byRun = (payload: { readonly run_id: string }): string => payload.run_id;

function contract<T extends Topic>(
  topic: T,
  schema: AvroRecordSchema,
  keyOf: (payload: EventOf<T>) => string,
  checks: (payload: EventOf<T>) => Check[],
): EventContract<T, EventOf<T>> {
  return { topic, subject: `${topic}-value`, schema, keyOf, validate: (payload) => problems(checks(payload)) };
}

export const catalogue: { readonly [T in Topic]: EventContract<T, EventOf<T>> } = {
  // Logs are keyed by workload so one workload's calls stay in order on one partition.
  [Topics.llmCallLoggedV1]: contract(
    Topics.llmCallLoggedV1,
    LlmCallLoggedV1Schema,
    (e) => e.workload_id,
    v.validateLlmCallLogged,
  ),
  // Per workload too: a run trigger sees one workload's counts in order.
  [Topics.logsIngestedV1]: contract(
    Topics.logsIngestedV1,
    LogsIngestedV1Schema,
    (e) => e.workload_id,
    v.validateLogsIngested,
  ),
  [Topics.runRequestedV1]: contract(Topics.runRequestedV1, RunRequestedV1Schema, byRun, v.validateRunRequested),
  [Topics.runStartedV1]: contract(Topics.runStartedV1, RunStartedV1Schema, byRun, v.validateRunStarted),
  [Topics.runCancelRequestedV1]: contract(
    Topics.runCancelRequestedV1,
    RunCancelRequestedV1Schema,
    byRun,
    v.validateRunCancelRequested,
  ),
  [Topics.runCompletedV1]: contract(Topics.runCompletedV1, RunCompletedV1Schema, byRun, v.validateRunCompleted),
  [Topics.runFailedV1]: contract(Topics.runFailedV1, RunFailedV1Schema, byRun, v.validateRunFailed),
  [Topics.runCancelledV1]: contract(Topics.runCancelledV1, RunCancelledV1Schema, byRun, v.validateRunCancelled),
  [Topics.runDeletedV1]: contract(Topics.runDeletedV1, RunDeletedV1Schema, byRun, v.validateRunDeleted),
  [Topics.stageProgressV1]: contract(Topics.stageProgressV1, StageProgressV1Schema, byRun, v.validateStageProgress),
  [Topics.datasetsBuiltV1]: contract(Topics.datasetsBuiltV1, DatasetsBuiltV1Schema, byRun, v.validateDatasetsBuilt),
  [Topics.datasetsFailedV1]: contract(Topics.datasetsFailedV1, DatasetsFailedV1Schema, byRun, v.validateDatasetsFailed),
  [Topics.candidateDeployRequestedV1]: contract(
    Topics.candidateDeployRequestedV1,
    CandidateDeployRequestedV1Schema,
    byRun,
    v.validateCandidateDeployRequested,
  ),
  [Topics.candidateDeployedV1]: contract(
    Topics.candidateDeployedV1,
    CandidateDeployedV1Schema,
    byRun,
    v.validateCandidateDeployed,
  ),
  [Topics.candidateDeployFailedV1]: contract(
    Topics.candidateDeployFailedV1,
    CandidateDeployFailedV1Schema,
    byRun,
    v.validateCandidateDeployFailed,
  ),
  [Topics.candidateReleasedV1]: contract(
    Topics.candidateReleasedV1,
    CandidateReleasedV1Schema,
    byRun,
    v.validateCandidateReleased,
  ),
  [Topics.candidateFinishedV1]: contract(
    Topics.candidateFinishedV1,
    CandidateFinishedV1Schema,
    byRun,
    v.validateCandidateFinished,
  ),
  [Topics.customizationStartedV1]: contract(
    Topics.customizationStartedV1,
    CustomizationStartedV1Schema,
    byRun,
    v.validateCustomizationStarted,
  ),
  [Topics.customizationProgressV1]: contract(
    Topics.customizationProgressV1,
    CustomizationProgressV1Schema,
    byRun,
    v.validateCustomizationProgress,
  ),
  [Topics.customizationCompletedV1]: contract(
    Topics.customizationCompletedV1,
    CustomizationCompletedV1Schema,
    byRun,
    v.validateCustomizationCompleted,
  ),
  [Topics.customizationFailedV1]: contract(
    Topics.customizationFailedV1,
    CustomizationFailedV1Schema,
    byRun,
    v.validateCustomizationFailed,
  ),
  [Topics.evaluationStartedV1]: contract(
    Topics.evaluationStartedV1,
    EvaluationStartedV1Schema,
    byRun,
    v.validateEvaluationStarted,
  ),
  [Topics.evaluationProgressV1]: contract(
    Topics.evaluationProgressV1,
    EvaluationProgressV1Schema,
    byRun,
    v.validateEvaluationProgress,
  ),
  [Topics.evaluationCompletedV1]: contract(
    Topics.evaluationCompletedV1,
    EvaluationCompletedV1Schema,
    byRun,
    v.validateEvaluationCompleted,
  ),
  [Topics.evaluationFailedV1]: contract(
    Topics.evaluationFailedV1,
    EvaluationFailedV1Schema,
    byRun,
    v.validateEvaluationFailed,
  ),
  [Topics.candidateRecommendedV1]: contract(
    Topics.candidateRecommendedV1,
    CandidateRecommendedV1Schema,
    byRun,
    v.validateCandidateRecommended,
  ),
  [Topics.modelPromotedV1]: contract(Topics.modelPromotedV1, ModelPromotedV1Schema, byRun, v.validateModelPromoted),
  [Topics.modelRolledBackV1]: contract(
    Topics.modelRolledBackV1,
    ModelRolledBackV1Schema,
    byRun,
    v.validateModelRolledBack,
  ),
};

/** Every topic of the catalogue, in declaration order. */
export const allTopics: readonly Topic[] = Object.values(Topics);
