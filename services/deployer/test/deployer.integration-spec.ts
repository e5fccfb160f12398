// The deployer as a Nest app on the in-memory bus against an in-process platform simulator: shared deployments with
// reference counting, the GPU queue, cancel, restart (resume, re-deploy, orphans), failures and pre-existing models.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topics } from '@flywheel/contracts';
import { startPlatformSimulator, type PlatformSimulator } from '@flywheel/platform-simulator';
import { ServiceMetrics } from '@flywheel/service-kit';
import { DeployerStateStore } from '../src/state/deployer-state-store';
import { eventIdOf } from '../src/worker/deployer-events';
import {
  boot,
  candidateFinished,
  deployRequested,
  LARGE,
  MEDIUM,
  publishCancel,
  SMALL,
  TEACHER,
  testConfig,
  waitFor,
  type Booted,
} from './deployer-fixtures';

let sim: PlatformSimulator;
let dir: string;
const apps: Booted[] = [];

beforeEach(async () => {
  sim = await startPlatformSimulator({ gpuCapacity: 8 });
  dir = mkdtempSync(join(tmpdir(), 'deployer-'));
});

afterEach(async () => {
  for (const b of apps.splice(0)) await b.app.close();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}): Promise<Booted> {
  const b = await boot(testConfig(sim.url, env));
  apps.push(b);
  return b;
}

/** Models with a deployment on the simulator. */
function platformModels(): string[] {
  return [...sim.state.deployments.values()].map((d) => d.model).sort();
}

describe('deployer (in-memory bus, platform simulator)', () => {
  it('shares one deployment between two runs and tears it down only after both released it', async () => {
    const { bus } = await start();
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', SMALL));
    await waitFor('run-a deployed', () => bus.publishedTo(Topics.candidateDeployedV1).length === 1);
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-b', SMALL));
    await waitFor('run-b deployed', () => bus.publishedTo(Topics.candidateDeployedV1).length === 2);

    const [a, b] = bus.publishedTo(Topics.candidateDeployedV1);
    expect(a).toMatchObject({ run_id: 'run-a', model_name: SMALL, reused: false, endpoint_url: `${sim.url}/v1` });
    expect(b).toMatchObject({ run_id: 'run-b', reused: true, deployment_id: a?.deployment_id });
    expect(a?.event_id).toBe(eventIdOf('run-a', 'candidate.deployed', SMALL));
    expect(sim.state.deployments.size).toBe(1);

    await bus.publish(Topics.candidateFinishedV1, candidateFinished('run-a', SMALL));
    await waitFor('run-a released', () => bus.publishedTo(Topics.candidateReleasedV1).length === 1);
    expect(bus.publishedTo(Topics.candidateReleasedV1)[0]).toMatchObject({
      run_id: 'run-a',
      reason: 'completed',
      deployment_id: a?.deployment_id,
    });
    expect(platformModels()).toEqual([SMALL]); // run-b still holds it

    await bus.publish(Topics.candidateFinishedV1, candidateFinished('run-b', SMALL, 'failed'));
    await waitFor('run-b released', () => bus.publishedTo(Topics.candidateReleasedV1).length === 2);
    expect(bus.publishedTo(Topics.candidateReleasedV1)[1]).toMatchObject({ run_id: 'run-b', reason: 'failed' });
    expect(platformModels()).toEqual([]);
    expect(bus.deadLetters).toEqual([]);
  });

  it('queues a deployment beyond the GPU capacity until the first is released (FIFO)', async () => {
    const { bus, app } = await start({ DEPLOYER_GPU_CAPACITY: '1' });
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', SMALL));
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-b', MEDIUM));
    await waitFor('the first deployed', () => bus.publishedTo(Topics.candidateDeployedV1).length === 1);
    await bus.drain();
    await new Promise((r) => setTimeout(r, 200)); // a few passes: the second must stay queued
    expect(bus.publishedTo(Topics.candidateDeployedV1).map((e) => e.model_name)).toEqual([SMALL]);
    expect(platformModels()).toEqual([SMALL]);
    const text = await app.get(ServiceMetrics).text();
    expect(text).toMatch(/flywheel_deployer_queue_length\{[^}]*\} 1/);
    expect(text).toMatch(/flywheel_deployer_gpus_in_use\{[^}]*\} 1/);

    await bus.publish(Topics.candidateFinishedV1, candidateFinished('run-a', SMALL));
    await waitFor('the second deployed', () => bus.publishedTo(Topics.candidateDeployedV1).length === 2);
    expect(bus.publishedTo(Topics.candidateDeployedV1)[1]).toMatchObject({ run_id: 'run-b', model_name: MEDIUM });
    expect(platformModels()).toEqual([MEDIUM]);
  });

  it('runs deployments of several runs in parallel when capacity allows', async () => {
    const { bus } = await start({ DEPLOYER_GPU_CAPACITY: '4', DEPLOYER_MODEL_GPUS: JSON.stringify({ [LARGE]: 2 }) });
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', SMALL));
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-b', MEDIUM));
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-c', LARGE));
    await waitFor('three deployed', () => bus.publishedTo(Topics.candidateDeployedV1).length === 3);
    expect(platformModels()).toEqual([MEDIUM, LARGE, SMALL].sort());
    expect([...sim.state.deployments.values()].find((d) => d.model === LARGE)?.gpus).toBe(2);
  });

  it('fails at once a request larger than the whole capacity', async () => {
    const { bus } = await start({ DEPLOYER_GPU_CAPACITY: '2' });
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', LARGE, { gpus: 4 }));
    await waitFor('deploy-failed', () => bus.publishedTo(Topics.candidateDeployFailedV1).length === 1);
    expect(bus.publishedTo(Topics.candidateDeployFailedV1)[0]).toMatchObject({
      run_id: 'run-a',
      model_name: LARGE,
      error: {
        code: 'EXCEEDS_GPU_CAPACITY',
        message: `${LARGE} needs 4 GPUs, more than the deployer's whole capacity of 2`,
      },
    });
    expect(platformModels()).toEqual([]);
  });

  it('on cancel releases every lease of the run (deployed or still queued) and deletes the deployment', async () => {
    const { bus } = await start({ DEPLOYER_GPU_CAPACITY: '1' });
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', SMALL));
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', MEDIUM));
    await waitFor('deployed', () => bus.publishedTo(Topics.candidateDeployedV1).length === 1);

    await publishCancel(bus, 'run-a');
    await waitFor('both released', () => bus.publishedTo(Topics.candidateReleasedV1).length === 2);
    const released = bus.publishedTo(Topics.candidateReleasedV1);
    expect(released.map((e) => [e.model_name, e.reason])).toEqual(
      expect.arrayContaining([
        [SMALL, 'cancelled'],
        [MEDIUM, 'cancelled'],
      ]),
    );
    expect(released.find((e) => e.model_name === MEDIUM)?.deployment_id).toBeNull();
    expect(platformModels()).toEqual([]);

    // A deploy request of the cancelled run that arrives late (other topic) is ignored.
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', LARGE));
    await bus.drain();
    const last = bus.deliveries.at(-1);
    expect(last?.result).toMatchObject({ outcome: { kind: 'skipped' } });
    expect(platformModels()).toEqual([]);
  });

  it('skips a redelivered request and a release of an unknown lease, with a reason', async () => {
    const { bus } = await start();
    const request = deployRequested('run-a', SMALL);
    await bus.publish(Topics.candidateDeployRequestedV1, request);
    await bus.publish(Topics.candidateDeployRequestedV1, request);
    await bus.publish(Topics.candidateFinishedV1, candidateFinished('run-zzz', SMALL));
    await bus.drain();
    const outcomes = bus.deliveries.map((d) => (d.result.kind === 'completed' ? d.result.outcome : null));
    const reasons = outcomes.map((o) => (o !== null && o.kind === 'skipped' ? o.reason : null));
    expect(outcomes.map((o) => o?.kind)).toEqual(['processed', 'skipped', 'skipped']);
    // The worker may have granted it already: the reason says how far it got.
    expect(reasons[1]).toMatch(/^lease of meta\/llama-3.2-1b-instruct for run run-a already (queued|deploying)$/);
    expect(reasons[2]).toBe(`lease of ${SMALL} for run run-zzz: unknown`);
    await waitFor('deployed once', () => bus.publishedTo(Topics.candidateDeployedV1).length === 1);
  });

  it('publishes deploy-failed naming the model and the reason when the platform fails the deployment', async () => {
    sim.faults.addJobFault({ target: 'deployment', match: SMALL, mode: 'fail', message: 'NIM container exited (OOM)' });
    const { bus } = await start();
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', SMALL));
    await waitFor('deploy-failed', () => bus.publishedTo(Topics.candidateDeployFailedV1).length === 1);
    const [failed] = bus.publishedTo(Topics.candidateDeployFailedV1);
    expect(failed?.error.code).toBe('DEPLOYMENT_FAILED');
    expect(failed?.error.message).toContain(SMALL);
    expect(failed?.error.message).toContain('NIM container exited (OOM)');
    await waitFor('the failed deployment deleted', () => platformModels().length === 0);

    // The run ends: the failed lease is released without a deployment.
    await bus.publish(Topics.candidateFinishedV1, candidateFinished('run-a', SMALL, 'failed'));
    await waitFor('released', () => bus.publishedTo(Topics.candidateReleasedV1).length === 1);
  });

  it('uses a model the platform already serves (the teacher) as it is and never tears it down', async () => {
    const { bus } = await start();
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', TEACHER, { role: 'judge' }));
    await waitFor('deployed', () => bus.publishedTo(Topics.candidateDeployedV1).length === 1);
    expect(bus.publishedTo(Topics.candidateDeployedV1)[0]).toMatchObject({ role: 'judge', reused: true });
    await bus.publish(Topics.candidateFinishedV1, candidateFinished('run-a', TEACHER));
    await waitFor('released', () => bus.publishedTo(Topics.candidateReleasedV1).length === 1);
    expect(sim.state.servedModels()).toContain(TEACHER);
  });
});

describe('deployer on the OpenAI-compatible backend (endpoints we do not manage)', () => {
  it('announces a configured endpoint as it is and refuses a model no endpoint serves', async () => {
    await sim.stop();
    sim = await startPlatformSimulator({ servedModels: [TEACHER, SMALL] });
    const base = `${sim.url}/v1`;
    const { bus } = await start({
      PLATFORM_BACKEND: 'openai-compatible',
      OPENAI_COMPATIBLE_CONFIG: JSON.stringify({
        endpoints: [{ model: SMALL, baseUrl: base }],
        judge: { model: TEACHER, baseUrl: base },
      }),
      DATASETS_DIR: join(dir, 'datasets'),
    });
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', SMALL));
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', MEDIUM));
    await waitFor('deployed', () => bus.publishedTo(Topics.candidateDeployedV1).length === 1);
    await waitFor('deploy-failed', () => bus.publishedTo(Topics.candidateDeployFailedV1).length === 1);
    expect(bus.publishedTo(Topics.candidateDeployedV1)[0]).toMatchObject({ endpoint_url: base, reused: true });
    const error = bus.publishedTo(Topics.candidateDeployFailedV1)[0]?.error;
    expect(error?.code).toBe('MODEL_NOT_DEPLOYABLE');
    expect(error?.message).toContain(`model ${MEDIUM} is not one of the configured endpoints`);
  });
});

describe('deployer against platform trouble', () => {
  it('cancels a deployment still in progress: released, deleted, never announced as deployed', async () => {
    await sim.stop();
    sim = await startPlatformSimulator({ gpuCapacity: 8, delays: { deploymentMs: 60_000 } });
    const { bus } = await start();
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', SMALL));
    await waitFor('the deployment created', () => platformModels().length === 1);
    await publishCancel(bus, 'run-a');
    await waitFor('released', () => bus.publishedTo(Topics.candidateReleasedV1).length === 1);
    expect(platformModels()).toEqual([]);
    expect(bus.publishedTo(Topics.candidateDeployedV1)).toEqual([]);
  });

  it('tries a deployment again after a transient platform error', async () => {
    sim.faults.add({
      method: 'POST',
      path: '/v1/deployment/model-deployments',
      action: { kind: 'http-error', status: 502 },
    });
    const { bus } = await start();
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', SMALL));
    await waitFor('deployed', () => bus.publishedTo(Topics.candidateDeployedV1).length === 1);
    expect(bus.publishedTo(Topics.candidateDeployFailedV1)).toEqual([]);
  });

  it('keeps trying a teardown the platform refuses, and announces the release once it went through', async () => {
    const { bus } = await start();
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', SMALL));
    await waitFor('deployed', () => bus.publishedTo(Topics.candidateDeployedV1).length === 1);
    sim.faults.add({
      method: 'DELETE',
      path: '/v1/deployment/model-deployments',
      times: 2,
      action: { kind: 'http-error', status: 400, body: 'busy' },
    });
    await bus.publish(Topics.candidateFinishedV1, candidateFinished('run-a', SMALL));
    await waitFor('released', () => bus.publishedTo(Topics.candidateReleasedV1).length === 1);
    expect(platformModels()).toEqual([]);
  });

  it('fails the leases of a deployment that keeps vanishing instead of letting the run wait on it', async () => {
    const { bus } = await start({ DEPLOYER_RECONCILE_INTERVAL_MS: '100', DEPLOYER_DEPLOY_ATTEMPTS: '1' });
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', SMALL));
    await waitFor('deployed', () => bus.publishedTo(Topics.candidateDeployedV1).length === 1);
    sim.state.deployments.clear();
    await waitFor('deploy-failed', () => bus.publishedTo(Topics.candidateDeployFailedV1).length === 1);
    const error = bus.publishedTo(Topics.candidateDeployFailedV1)[0]?.error;
    expect(error?.code).toBe('DEPLOYMENT_LOST');
    expect(error?.message).toBe(`deployment of ${SMALL} no longer exists on the platform; gave up after 1 attempts`);
  });

  it('deploys again (periodic reconcile) a deployment that vanished while runs hold it', async () => {
    const { bus } = await start({ DEPLOYER_RECONCILE_INTERVAL_MS: '100' });
    await bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', SMALL));
    await waitFor('deployed', () => bus.publishedTo(Topics.candidateDeployedV1).length === 1);
    sim.state.deployments.clear();
    await waitFor('deployed again', () => platformModels().join() === SMALL);
    expect(bus.publishedTo(Topics.candidateDeployFailedV1)).toEqual([]);
  });
});

describe('deployer restart (same state file, new module)', () => {
  it('resumes a deploy in progress after a restart', async () => {
    await sim.stop();
    sim = await startPlatformSimulator({ gpuCapacity: 8, delays: { deploymentMs: 1500 } });
    const env = { DEPLOYER_STATE_PATH: join(dir, 'state.db') };
    const first = await start(env);
    await first.bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', SMALL));
    await waitFor('the deployment created', () => platformModels().length === 1);
    await first.app.close();
    apps.splice(apps.indexOf(first), 1);
    expect(first.bus.publishedTo(Topics.candidateDeployedV1)).toEqual([]);

    const second = await start(env);
    await waitFor('deployed after the restart', () => second.bus.publishedTo(Topics.candidateDeployedV1).length === 1);
    expect(second.bus.publishedTo(Topics.candidateDeployedV1)[0]).toMatchObject({ run_id: 'run-a', reused: false });
    expect(sim.state.deployments.size).toBe(1);
  });

  it('deploys again a deployment that vanished while it was down, and deletes one no lease holds', async () => {
    const env = { DEPLOYER_STATE_PATH: join(dir, 'state.db') };
    const first = await start(env);
    await first.bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', SMALL));
    await first.bus.publish(Topics.candidateDeployRequestedV1, deployRequested('run-b', MEDIUM));
    await waitFor('deployed', () => first.bus.publishedTo(Topics.candidateDeployedV1).length === 2);
    await first.app.close();
    apps.splice(apps.indexOf(first), 1);

    // While down: SMALL's deployment disappears from the platform; MEDIUM's lease was released in the state but its
    // deployment stayed (a release whose teardown never ran).
    sim.state.deployments.delete([...sim.state.deployments.entries()].find(([, d]) => d.model === SMALL)?.[0] ?? '');
    const state = new DeployerStateStore(join(dir, 'state.db'));
    state.updateLease('run-b', MEDIUM, { state: 'released' }, Date.now());
    state.close();

    await start(env);
    await waitFor('SMALL deployed again and MEDIUM deleted', () => platformModels().join() === SMALL);
    await waitFor('SMALL ready', () => [...sim.state.deployments.values()].every((d) => d.status === 'ready'));
  });
});
