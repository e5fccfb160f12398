// The worker over an in-memory deployment port and the in-memory bus: what happens when publishing fails between a
// platform action and the state write (the same event id comes again), and what the platform is asked to do.
import { MemoryEventBus } from '@flywheel/bus';
import { catalogue, Topics } from '@flywheel/contracts';
import {
  PlatformNotFoundError,
  type Deployment,
  type DeploymentClient,
  type DeploymentSpec,
} from '@flywheel/platform-clients';
import { DeployerStateStore } from '../state/deployer-state-store';
import { eventIdOf } from './deployer-events';
import { DeployerWorker, type DeployerCatalogue } from './deployer-worker';

const SMALL = 'meta/llama-3.2-1b-instruct';
const TEACHER = 'meta/llama-3.3-70b-instruct';

/** Deployments that are ready as soon as they are created; every call recorded. */
class InstantDeployments implements DeploymentClient {
  public readonly calls: string[] = [];
  public readonly live = new Map<string, DeploymentSpec>();

  public deploy(spec: DeploymentSpec): Promise<Deployment> {
    this.calls.push(`deploy ${spec.model} gpus=${spec.gpus ?? '-'} env=${JSON.stringify(spec.additionalEnvs ?? {})}`);
    this.live.set(spec.model, spec);
    return Promise.resolve(this.view(spec.model));
  }

  public get(model: string): Promise<Deployment | null> {
    return Promise.resolve(this.live.has(model) ? this.view(model) : null);
  }

  public delete(model: string): Promise<void> {
    this.calls.push(`delete ${model}`);
    this.live.delete(model);
    return Promise.resolve();
  }

  public waitUntilReady(model: string): Promise<Deployment> {
    if (!this.live.has(model)) return Promise.reject(new PlatformNotFoundError('fake.wait', model));
    return Promise.resolve(this.view(model));
  }

  public listServedModels(): Promise<string[]> {
    return Promise.resolve([TEACHER, ...this.live.keys()]);
  }

  private view(model: string): Deployment {
    return {
      model,
      name: model.replace(/\//g, '-'),
      namespace: 'dfwbp',
      deployed: true,
      status: 'succeeded',
      rawStatus: 'ready',
      progress: null,
      message: null,
      error: null,
    };
  }
}

function setup(): {
  state: DeployerStateStore;
  bus: MemoryEventBus<DeployerCatalogue>;
  platform: InstantDeployments;
  worker: DeployerWorker;
} {
  const state = new DeployerStateStore(':memory:');
  const bus = new MemoryEventBus<DeployerCatalogue>(catalogue);
  const platform = new InstantDeployments();
  const worker = new DeployerWorker(
    { state, deployments: platform, publisher: bus, endpointOf: () => 'http://nim.test/v1', backend: 'nemo' },
    {
      capacity: { gpus: 2, defaultGpus: 1, modelGpus: {} },
      deploy: { maxAttempts: 2, backoffBaseMs: 1, backoffMaxMs: 1 },
      wait: { pollIntervalMs: 1, timeoutMs: 1000, stallTimeoutMs: 1000 },
      tickIntervalMs: 60_000,
      reconcileIntervalMs: 0,
    },
  );
  return { state, bus, platform, worker };
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function request(runId: string, model = SMALL, contextLength: number | null = null) {
  return { runId, model, role: 'candidate' as const, gpus: 1, contextLength, imageTag: null };
}

describe('DeployerWorker', () => {
  it('publishes deployed again with the same id when the first publish failed (nothing marked before it)', async () => {
    const { state, bus, platform, worker } = setup();
    await worker.start();
    const publish = jest.spyOn(bus, 'publish').mockRejectedValueOnce(new Error('broker down'));
    state.recordRequest(request('run-a', SMALL, 8192), 1);
    worker.wake();
    await until('a publish attempt', () => publish.mock.calls.length >= 1);
    await worker.settled();
    expect(state.lease('run-a', SMALL)?.state).toBe('deploying'); // not marked: the publish failed

    worker.wake();
    await until('active', () => state.lease('run-a', SMALL)?.state === 'active');
    const [deployed] = bus.publishedTo(Topics.candidateDeployedV1);
    expect(deployed?.event_id).toBe(eventIdOf('run-a', 'candidate.deployed', SMALL));
    expect(platform.calls).toEqual([`deploy ${SMALL} gpus=1 env={"NIM_MAX_MODEL_LEN":"8192"}`]);
    await worker.stop();
  });

  it('deletes only after the last of two leases is released, and never a model served before us', async () => {
    const { state, bus, platform, worker } = setup();
    await worker.start();
    state.recordRequest(request('run-a'), 1);
    state.recordRequest(request('run-b'), 2);
    state.recordRequest(request('run-a', TEACHER), 3);
    worker.wake();
    await until('three deployed', () => bus.publishedTo(Topics.candidateDeployedV1).length === 3);
    expect(bus.publishedTo(Topics.candidateDeployedV1).map((e) => [e.run_id, e.model_name, e.reused])).toEqual(
      expect.arrayContaining([
        ['run-a', SMALL, false],
        ['run-b', SMALL, true],
        ['run-a', TEACHER, true],
      ]),
    );

    state.endRun('run-a', 'completed', 10);
    worker.wake();
    await until('two released', () => bus.publishedTo(Topics.candidateReleasedV1).length === 2);
    expect(platform.calls.filter((c) => c.startsWith('delete'))).toEqual([]);

    state.markRelease('run-b', SMALL, 'cancelled', 11);
    worker.wake();
    await until('three released', () => bus.publishedTo(Topics.candidateReleasedV1).length === 3);
    expect(platform.calls.filter((c) => c.startsWith('delete'))).toEqual([`delete ${SMALL}`]);
    expect(state.deployments()).toEqual([]);
    await worker.stop();
  });

  it('re-deploys at start-up a deployment of a live lease that is gone from the platform', async () => {
    const { state, bus, platform, worker } = setup();
    await worker.start();
    state.recordRequest(request('run-a'), 1);
    worker.wake();
    await until('deployed', () => bus.publishedTo(Topics.candidateDeployedV1).length === 1);
    await worker.stop();

    platform.live.clear(); // gone while we were down
    const again = new DeployerWorker(
      {
        state,
        deployments: platform,
        publisher: bus,
        endpointOf: () => 'http://nim.test/v1',
        backend: 'nemo',
      },
      {
        capacity: { gpus: 2, defaultGpus: 1, modelGpus: {} },
        deploy: { maxAttempts: 3, backoffBaseMs: 1, backoffMaxMs: 1 },
        wait: { pollIntervalMs: 1, timeoutMs: 1000, stallTimeoutMs: 1000 },
        tickIntervalMs: 60_000,
        reconcileIntervalMs: 0,
      },
    );
    await again.start();
    await until('deployed again', () => platform.live.has(SMALL) && state.deployment(SMALL)?.status === 'ready');
    expect(state.deployment(SMALL)?.attempts).toBe(1);
    expect(state.lease('run-a', SMALL)?.state).toBe('active');
    await again.stop();
  });
});
