import { randomUUID } from 'node:crypto';
import { Topics } from '@flywheel/contracts';
import { DECISION, ev, newBus, openStores, type Bus, type Stores } from '../../test/fixtures';
import { RunProjection } from './run-projection';
import { writeRunPlan } from './run-plan';
import { StallDetector } from './stall-detector';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('StallDetector', () => {
  let stores: Stores;
  let bus: Bus;
  let projection: RunProjection;
  let now: number;
  let detector: StallDetector;
  let runId: string;

  beforeEach(async () => {
    stores = await openStores();
    bus = newBus();
    projection = new RunProjection({ store: stores.runs, publisher: bus, decision: DECISION });
    now = T0;
    detector = new StallDetector({
      store: stores.runs,
      publisher: bus,
      projection,
      timeoutMs: 30 * MIN,
      clock: () => now,
    });
    runId = randomUUID();
    await writeRunPlan(stores.runs, ev.runRequested(runId));
    await projection.runStarted(ev.runStarted(runId, 1)); // started at T0 + 1 s
  });
  afterEach(() => stores.close());

  it('fails a running run with no event for the timeout, naming the stage it waited on', async () => {
    now = T0 + 29 * MIN;
    expect(await detector.sweep()).toEqual([]);
    now = T0 + 31 * MIN;
    expect(await detector.sweep()).toEqual([runId]);
    const run = await stores.runs.getRun(runId);
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('STALLED');
    expect(run.error?.message).toMatch(/no event from the dataset build stage for 31 min/);
    expect(bus.publishedTo(Topics.runFailedV1)).toEqual([
      expect.objectContaining({ run_id: runId, stage: 'dataset_build' }) as unknown,
    ]);
    expect((await stores.runs.listCandidates(runId)).items.every((c) => c.status === 'failed')).toBe(true);
  });

  it('keeps a run alive while its events keep coming, even if they leave no timestamp in the store', async () => {
    await projection.datasetsBuilt(ev.datasetsBuilt(runId));
    now = T0 + 20 * MIN;
    detector.seen(runId); // e.g. an evaluation progress event
    now = T0 + 45 * MIN;
    expect(await detector.sweep()).toEqual([]);
    now = T0 + 51 * MIN;
    expect(await detector.sweep()).toEqual([runId]);
    expect((await stores.runs.getRun(runId)).error?.message).toMatch(/deployment stage/);
  });

  it('leaves pending runs alone and can be turned off', async () => {
    const pending = randomUUID();
    await writeRunPlan(stores.runs, ev.runRequested(pending));
    const off = new StallDetector({ store: stores.runs, publisher: bus, projection, timeoutMs: 0, clock: () => now });
    now = T0 + 10 * 60 * MIN;
    expect(await off.sweep()).toEqual([]);
    expect(await detector.sweep()).toEqual([runId]);
    expect((await stores.runs.getRun(pending)).status).toBe('pending');
  });

  it('publishes the request of a run left pending again (same event), at most once per interval', async () => {
    const pending = randomUUID();
    const request = ev.runRequested(pending);
    await writeRunPlan(stores.runs, request, JSON.stringify(request));
    const storedAt = (await stores.runs.getRun(pending)).created_at;
    let at = storedAt;
    const republisher = new StallDetector({
      store: stores.runs,
      publisher: bus,
      projection,
      timeoutMs: 30 * MIN,
      republishPendingAfterMs: 2 * MIN,
      clock: () => at,
    });
    at = storedAt + MIN;
    expect(await republisher.republishPending()).toEqual([]);
    at = storedAt + 3 * MIN;
    expect(await republisher.republishPending()).toEqual([pending]);
    at = storedAt + 4 * MIN;
    expect(await republisher.republishPending()).toEqual([]);
    expect(bus.publishedTo(Topics.runRequestedV1)).toEqual([request]);
    // Once the builder picked it up, it is left alone.
    await projection.runStarted(ev.runStarted(pending, 1));
    at = storedAt + 10 * MIN;
    expect(await republisher.republishPending()).toEqual([]);
  });
});
