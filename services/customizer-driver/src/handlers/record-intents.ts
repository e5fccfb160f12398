// What each inbound event means for the state file. Plain TypeScript (the Nest handler only maps the answer to a bus
// outcome): every write is idempotent, so a redelivered event changes nothing and says so.
import {
  type CandidateFinishedV1,
  type DatasetsBuiltV1,
  type RunCancelledV1,
  type RunCancelRequestedV1,
  type RunDeletedV1,
  type RunFailedV1,
  type RunRequestedV1,
} from '@flywheel/contracts';
import { type CustomizationStateStore } from '../state/customization-state-store';

export type Recorded =
  { readonly changed: true; readonly note: string } | { readonly changed: false; readonly note: string };

const changed = (note: string): Recorded => ({ changed: true, note });
const unchanged = (note: string): Recorded => ({ changed: false, note });

export class RecordIntents {
  public constructor(private readonly state: CustomizationStateStore) {}

  public runRequested(e: RunRequestedV1): Recorded {
    const models = [...new Set(e.candidates.filter((c) => c.customization_enabled).map((c) => c.model_name))];
    if (models.length === 0) return unchanged('no candidate has customization enabled');
    const fresh = this.state.recordRequest({
      runId: e.run_id,
      workloadId: e.workload_id,
      training: e.training,
      lora: e.lora,
      models,
    });
    return fresh ? changed(`customization planned for ${models.join(', ')}`) : unchanged('request already recorded');
  }

  public datasetsBuilt(e: DatasetsBuiltV1): Recorded {
    const train = e.train === null ? null : { name: e.train.name, recordCount: e.train.record_count };
    return this.state.recordDatasets(e.run_id, train)
      ? changed(train === null ? 'datasets recorded (no training dataset)' : `training dataset ${train.name}`)
      : unchanged('datasets already recorded');
  }

  public cancelRequested(e: RunCancelRequestedV1): Recorded {
    return this.stop(e.run_id, `run cancel requested by ${e.requested_by}${suffix(e.reason)}`);
  }

  public cancelled(e: RunCancelledV1): Recorded {
    return this.stop(e.run_id, `run cancelled by ${e.requested_by}${suffix(e.reason)}`);
  }

  public failed(e: RunFailedV1): Recorded {
    return this.stop(e.run_id, `run failed at stage ${e.stage} (${e.error.code}: ${e.error.message})`);
  }

  public deleted(e: RunDeletedV1): Recorded {
    const n = this.state.stopRun(e.run_id, `run deleted by ${e.deleted_by}`, { deleted: true });
    return changed(`run deleted: ${n} customization(s) to cancel, customized models to delete`);
  }

  public candidateFinished(e: CandidateFinishedV1): Recorded {
    const why = `candidate finished (${e.status}${e.error === null ? '' : `: ${e.error.message}`}) before its customization did; the result would go unused`;
    return this.state.finishCandidate(e.run_id, e.model_name, why)
      ? changed(`customization of ${e.model_name} to cancel`)
      : unchanged('no customization of this candidate in progress');
  }

  private stop(runId: string, reason: string): Recorded {
    const n = this.state.stopRun(runId, reason);
    return n > 0 ? changed(`${n} customization(s) to cancel`) : unchanged('no customization in progress');
  }
}

function suffix(reason: string | null): string {
  return reason === null || reason === '' ? '' : `: ${reason}`;
}
