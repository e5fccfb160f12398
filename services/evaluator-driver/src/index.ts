// The evaluator-driver's parts, for its tests and for starting it inside another process (the CLI's `up`).
export {
  DEFAULT_JUDGE_MODEL,
  evaluatorEnv,
  loadEvaluatorConfig,
  type EvaluatorConfig,
  type WorkerSettings,
} from './config/evaluator-config';
export {
  EVAL_TYPES,
  evaluationKindOf,
  readyEvaluations,
  type CandidateFacts,
  type EvalType,
  type PlannedEvaluation,
  type RunFacts,
  type StopReason,
} from './evaluation/evaluation-plan';
export { EvaluationWorker, type WorkerDeps, type WorkerObserver } from './evaluation/evaluation-worker';
export { EvaluatorDriverModule, SERVICE_NAME, SUBSCRIPTIONS, type EvaluatorOverrides } from './evaluator-driver.module';
export { EvaluationStateStore, type EvaluationRow, type EvaluationStatus } from './state/evaluation-state-store';
