// The events the driver publishes, with deterministic ids: the same customization always gets the same started /
// completed / failed id (one terminal event per run × model, whatever the cause), and progress events are numbered,
// so a repeat after a kill carries the id of the original and consumers drop it.
import {
  deterministicEventId,
  type catalogue,
  type CustomizationCompletedV1,
  type CustomizationFailedV1,
  type CustomizationProgressV1,
  type CustomizationStartedV1,
  type ErrorInfoV1,
} from '@flywheel/contracts';
import { type Hyperparameters } from '@flywheel/platform-clients';
import { effectiveTrainingOf } from './hyperparameters';

export type FlywheelCatalogue = typeof catalogue;

/** Fixed, random: the customizer-driver's own UUID namespace for event ids. */
export const EVENT_ID_NAMESPACE = '8a8a8b91-d94b-4b6a-b0c5-4dd0f645007d';

export type EventKind = 'customization.started' | 'customization.completed' | 'customization.failed';

export function eventIdOf(runId: string, kind: EventKind, model: string): string {
  return deterministicEventId(EVENT_ID_NAMESPACE, runId, kind, model);
}

export function progressEventIdOf(runId: string, model: string, seq: number): string {
  return deterministicEventId(EVENT_ID_NAMESPACE, runId, 'customization.progress', model, String(seq));
}

export interface JobFacts {
  readonly runId: string;
  readonly model: string;
  readonly jobId: string;
}

export function startedEvent(
  f: JobFacts & { outputModel: string; trainDataset: string; hyperparameters: Hyperparameters },
  at: number,
): CustomizationStartedV1 {
  return {
    event_id: eventIdOf(f.runId, 'customization.started', f.model),
    run_id: f.runId,
    occurred_at: at,
    model_name: f.model,
    job_id: f.jobId,
    output_model_name: f.outputModel,
    train_dataset: f.trainDataset,
    training: effectiveTrainingOf(f.hyperparameters),
  };
}

/** The latest losses the Customizer reported; null when it reported none (yet). */
export interface Losses {
  readonly trainLoss: number | null;
  readonly valLoss: number | null;
}

export function progressEvent(
  f: JobFacts & Losses & { seq: number; percent: number; epoch: number; step: number },
  at: number,
): CustomizationProgressV1 {
  return {
    event_id: progressEventIdOf(f.runId, f.model, f.seq),
    run_id: f.runId,
    occurred_at: at,
    model_name: f.model,
    job_id: f.jobId,
    percent: clampPercent(f.percent),
    epoch: f.epoch,
    step: f.step,
    train_loss: finiteOrNull(f.trainLoss),
    val_loss: finiteOrNull(f.valLoss),
  };
}

export function completedEvent(
  f: JobFacts & Losses & { customizedModel: string; epochs: number; steps: number; durationMs: number },
  at: number,
): CustomizationCompletedV1 {
  return {
    event_id: eventIdOf(f.runId, 'customization.completed', f.model),
    run_id: f.runId,
    occurred_at: at,
    model_name: f.model,
    job_id: f.jobId,
    customized_model_name: f.customizedModel,
    epochs_completed: f.epochs,
    steps_completed: f.steps,
    final_train_loss: finiteOrNull(f.trainLoss),
    final_val_loss: finiteOrNull(f.valLoss),
    duration_ms: Math.max(0, Math.round(f.durationMs)),
  };
}

export function failedEvent(
  f: { runId: string; model: string; jobId: string | null; error: ErrorInfoV1 },
  at: number,
): CustomizationFailedV1 {
  return {
    event_id: eventIdOf(f.runId, 'customization.failed', f.model),
    run_id: f.runId,
    occurred_at: at,
    model_name: f.model,
    job_id: f.jobId,
    error: f.error,
  };
}

function finiteOrNull(n: number | null): number | null {
  return n !== null && Number.isFinite(n) ? n : null;
}

function clampPercent(p: number): number {
  return Number.isFinite(p) ? Math.min(100, Math.max(0, p)) : 0;
}
