// On `run.deleted`: remove the run's datasets from the platform (their names follow from the run id and its candidate
// models) and remember the run as cancelled, so a late redelivery of its request builds nothing. Idempotent: deleting
// a dataset that is not there is fine.
import { type RunDeletedV1 } from '@flywheel/contracts';
import { type DatasetStore } from '@flywheel/platform-clients';
import { type RunStateStore } from '../state/run-state-store';
import { datasetNameOf } from './deterministic-ids';

export class DeleteRunDatasets {
  public constructor(
    private readonly deps: { readonly datasets: DatasetStore; readonly state: RunStateStore },
    private readonly namespace: string,
  ) {}

  /** Returns the dataset names it removed (or found already gone). */
  public async execute(event: RunDeletedV1): Promise<string[]> {
    const runId = event.run_id;
    this.deps.state.markCancelled(runId, event.occurred_at);
    const names = [
      datasetNameOf('eval', runId),
      ...this.deps.state.modelsOf(runId).map((model) => datasetNameOf('icl', runId, model)),
      datasetNameOf('train', runId),
    ];
    for (const name of names) await this.deps.datasets.deleteDataset({ namespace: this.namespace, name });
    return names;
  }
}
