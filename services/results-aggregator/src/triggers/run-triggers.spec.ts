import { randomUUID } from 'node:crypto';
import { testing, Topics, type LogsIngestedV1 } from '@flywheel/contracts';
import { type LogStore } from '@flywheel/stores';
import {
  CLIENT,
  DECISION,
  JOBS_CONFIG,
  newBus,
  openStores,
  WORKLOAD,
  type Bus,
  type Stores,
} from '../../test/fixtures';
import { type RunTrigger } from '../config/aggregator-config';
import { Jobs } from '../jobs/jobs';
import { RunTriggers } from './run-triggers';

/** Now: the run store stamps runs with the wall clock, and "new" means logged after that. */
const T0 = Date.now();

/** `n` calls of the workload logged at `at`, `at + 1`, … */
async function logCalls(logs: LogStore, n: number, at: number, client = CLIENT): Promise<void> {
  const base = testing.sampleEvents[Topics.llmCallLoggedV1];
  await logs.append(
    Array.from({ length: n }, (_, i) => ({
      id: randomUUID(),
      record: { ...base, event_id: randomUUID(), workload_id: WORKLOAD, client_id: client, timestamp: at + i },
      source: 'test',
    })),
  );
}

function ingested(clients: string[] = [CLIENT], workload = WORKLOAD): LogsIngestedV1 {
  return {
    ...testing.sampleEvents[Topics.logsIngestedV1],
    event_id: randomUUID(),
    workload_id: workload,
    client_ids: clients,
  };
}

const TRIGGER: RunTrigger = {
  workload_id: WORKLOAD,
  client_id: CLIENT,
  min_new_records: 30,
  job: { data_split_config: { eval_size: 5, min_total_records: 10 } },
};

describe('RunTriggers', () => {
  let stores: Stores;
  let bus: Bus;
  let now: number;
  let triggers: RunTriggers;

  beforeEach(async () => {
    stores = await openStores();
    bus = newBus();
    now = T0;
    const jobs = new Jobs({
      runs: stores.runs,
      logs: stores.logs,
      publisher: bus,
      config: JOBS_CONFIG,
      decision: DECISION,
      clock: () => now,
    });
    triggers = new RunTriggers({ triggers: [TRIGGER], runs: stores.runs, logs: stores.logs, jobs });
  });
  afterEach(() => stores.close());

  it('starts a run once enough records are stored, with the trigger as requester and its job settings', async () => {
    await logCalls(stores.logs, 29, T0 - 60_000);
    expect(await triggers.onLogsIngested(ingested())).toEqual([{ kind: 'waiting', reason: '29 of 30 new records' }]);
    expect(bus.publishedTo(Topics.runRequestedV1)).toEqual([]);

    await logCalls(stores.logs, 1, T0 - 1000);
    const [decision] = await triggers.onLogsIngested(ingested());
    expect(decision?.kind).toBe('started');
    const [requested] = bus.publishedTo(Topics.runRequestedV1);
    expect(requested).toMatchObject({ workload_id: WORKLOAD, client_id: CLIENT, requested_by: `trigger:${WORKLOAD}` });
    expect(requested?.data_split?.eval_size).toBe(5);
  });

  it('starts no second run while one is open, and counts only records newer than the last run afterwards', async () => {
    await logCalls(stores.logs, 40, T0 - 60_000);
    const [first] = await triggers.onLogsIngested(ingested());
    if (first?.kind !== 'started') throw new Error(`expected a run, got ${JSON.stringify(first)}`);
    // A redelivered or a second event finds the run the first one started.
    expect(await triggers.onLogsIngested(ingested())).toEqual([
      { kind: 'waiting', reason: `run ${first.runId} is pending` },
    ]);

    await stores.runs.finishRun(first.runId, 'completed', Date.now());
    now = Date.now();
    // The 40 old records were the last run's; 20 logged after it are not enough.
    await logCalls(stores.logs, 20, Date.now() + 1000);
    expect(await triggers.onLogsIngested(ingested())).toEqual([{ kind: 'waiting', reason: '20 of 30 new records' }]);
    await logCalls(stores.logs, 10, Date.now() + 2000);
    expect((await triggers.onLogsIngested(ingested()))[0]?.kind).toBe('started');
    expect(bus.publishedTo(Topics.runRequestedV1)).toHaveLength(2);
  });

  it('ignores other workloads and clients', async () => {
    await logCalls(stores.logs, 40, T0 - 60_000, 'other-client');
    expect(await triggers.onLogsIngested(ingested(['other-client']))).toEqual([]);
    expect(await triggers.onLogsIngested(ingested([CLIENT], 'agent.other'))).toEqual([]);
    expect(bus.publishedTo(Topics.runRequestedV1)).toEqual([]);
  });

  it('reports a request the jobs API refuses instead of throwing (the next event asks again)', async () => {
    const strict = new RunTriggers({
      triggers: [{ ...TRIGGER, min_new_records: 3 }],
      runs: stores.runs,
      logs: stores.logs,
      jobs: new Jobs({ runs: stores.runs, logs: stores.logs, publisher: bus, config: JOBS_CONFIG, decision: DECISION }),
    });
    await logCalls(stores.logs, 3, T0 - 60_000);
    const [decision] = await strict.onLogsIngested(ingested());
    expect(decision?.kind).toBe('refused');
    expect(decision?.kind === 'refused' ? decision.reason : '').toMatch(/record/);
    expect(bus.publishedTo(Topics.runRequestedV1)).toEqual([]);
  });
});
