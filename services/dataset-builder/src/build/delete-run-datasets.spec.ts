import { MemoryEventBus } from '@flywheel/bus';
import { catalogue, type RunDeletedV1 } from '@flywheel/contracts';
import { parseServiceConfig } from '@flywheel/curation';
import { type LogStore } from '@flywheel/stores';
import { CountingDatasetStore, logStoreWith, REQUESTED_AT, runRequested } from '../../test/builder-fixtures';
import { SqliteRunStateStore } from '../state/run-state-store';
import { BuildDatasets, type FlywheelCatalogue } from './build-datasets';
import { DeleteRunDatasets } from './delete-run-datasets';
import { datasetNameOf, uuidV5 } from './deterministic-ids';

const NAMESPACE = 'dfwbp';

function deleted(runId: string): RunDeletedV1 {
  return { event_id: uuidV5(`deleted:${runId}`), run_id: runId, occurred_at: REQUESTED_AT + 10, deleted_by: 'alice' };
}

describe('DeleteRunDatasets', () => {
  let logStore: LogStore;
  beforeAll(async () => {
    logStore = await logStoreWith();
  });
  afterAll(async () => {
    await logStore.close();
  });

  it('removes every dataset of a built run (eval, each ICL, training) and keeps the run from being built again', async () => {
    const datasets = new CountingDatasetStore();
    const state = new SqliteRunStateStore(':memory:');
    const bus = new MemoryEventBus<FlywheelCatalogue>(catalogue);
    const build = new BuildDatasets(
      { logStore, datasets, publisher: bus, state },
      { curation: parseServiceConfig({}), namespace: NAMESPACE, readFactor: 2 },
    );
    await build.execute(runRequested({ run_id: 'run-del' }));
    const other = runRequested({ run_id: 'run-kept' });
    await build.execute(other);
    const ref = (name: string) => ({ namespace: NAMESPACE, name });
    const icl1b = datasetNameOf('icl', 'run-del', 'meta/llama-3.2-1b-instruct');
    expect(await datasets.getDataset(ref(icl1b))).not.toBeNull();

    const removed = await new DeleteRunDatasets({ datasets, state }, NAMESPACE).execute(deleted('run-del'));

    expect(removed).toContain(icl1b);
    for (const name of removed) expect(await datasets.getDataset(ref(name))).toBeNull();
    expect(await datasets.getDataset(ref(datasetNameOf('eval', 'run-kept')))).not.toBeNull();
    // Redelivered deletion: nothing left to remove, no error.
    await expect(new DeleteRunDatasets({ datasets, state }, NAMESPACE).execute(deleted('run-del'))).resolves.toEqual(
      removed,
    );

    // A request for the deleted run that arrives late builds and emits nothing.
    const uploads = datasets.uploads.length;
    const published = bus.published.length;
    expect((await build.execute(runRequested({ run_id: 'run-del' }))).kind).toBe('cancelled');
    expect(datasets.uploads).toHaveLength(uploads);
    expect(bus.published).toHaveLength(published);
    state.close();
  });
});
