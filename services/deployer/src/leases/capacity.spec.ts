import { gpusFor, gpusInUse, planGrants } from './capacity';
import { type DeploymentRow, type Lease } from './lease-model';

const SETTINGS = { gpus: 4, defaultGpus: 1, modelGpus: { 'meta/llama-3.1-8b-instruct': 2 } };

function lease(seq: number, model: string, gpus = 1, runId = `run-${seq}`): Lease {
  return {
    runId,
    model,
    role: 'candidate',
    gpus,
    contextLength: null,
    imageTag: null,
    seq,
    state: 'queued',
    deploymentId: null,
    reused: false,
    releaseReason: null,
    error: null,
    traceparent: null,
  };
}

function deployment(model: string, gpus: number, extra: Partial<DeploymentRow> = {}): DeploymentRow {
  return {
    model,
    deploymentId: `${model}-1`,
    gpus,
    owned: true,
    status: 'ready',
    attempts: 0,
    error: null,
    runId: null,
    traceparent: null,
    ...extra,
  };
}

describe('GPUs of a model', () => {
  it('takes the request, else the per-model config, else the default', () => {
    expect(gpusFor('meta/llama-3.1-8b-instruct', 4, SETTINGS)).toBe(4);
    expect(gpusFor('meta/llama-3.1-8b-instruct', null, SETTINGS)).toBe(2);
    expect(gpusFor('meta/llama-3.2-1b-instruct', null, SETTINGS)).toBe(1);
  });

  it('counts our deployments (probing ones too) but not models the platform served before us', () => {
    expect(
      gpusInUse([
        deployment('a', 2),
        deployment('b', 1, { owned: null, status: 'probing' }),
        deployment('teacher', 8, { owned: false }),
      ]),
    ).toBe(3);
  });
});

describe('planGrants (FIFO within GPU capacity)', () => {
  it('grants in request order while capacity lasts, then holds the rest in the queue', () => {
    const grants = planGrants([lease(1, 'a', 2), lease(2, 'b', 2), lease(3, 'c', 1)], [], 4);
    expect(grants.map((g) => [g.kind, g.lease.model])).toEqual([
      ['deploy', 'a'],
      ['deploy', 'b'],
    ]);
  });

  it('lets a lease of an already deployed model join it without capacity, even behind a waiting one', () => {
    const grants = planGrants([lease(1, 'big', 3), lease(2, 'a', 1)], [deployment('a', 2)], 4);
    expect(grants.map((g) => [g.kind, g.lease.model])).toEqual([['join', 'a']]);
  });

  it('does not let later small requests overtake an earlier one that waits for GPUs', () => {
    const grants = planGrants([lease(1, 'big', 3), lease(2, 'small', 1)], [deployment('a', 2)], 4);
    expect(grants).toEqual([]);
  });

  it('rejects at once a request larger than the whole capacity, and serves the next one', () => {
    const grants = planGrants([lease(1, 'huge', 5), lease(2, 'a', 1)], [], 4);
    expect(grants.map((g) => g.kind)).toEqual(['reject', 'deploy']);
    expect(grants[0]).toMatchObject({ reason: "huge needs 5 GPUs, more than the deployer's whole capacity of 4" });
  });

  it('deploys a model once when two runs ask for it in the same pass (the second joins later)', () => {
    const grants = planGrants([lease(1, 'a', 1, 'run-x'), lease(2, 'a', 1, 'run-y')], [], 4);
    expect(grants.map((g) => [g.kind, g.lease.runId])).toEqual([['deploy', 'run-x']]);
  });

  it('keeps leases of a model whose deployment is being deleted or failed waiting', () => {
    const grants = planGrants(
      [lease(1, 'a'), lease(2, 'b')],
      [deployment('a', 1, { status: 'deleting' }), deployment('b', 1, { status: 'failed' })],
      4,
    );
    expect(grants).toEqual([]);
  });

  it('ignores pre-existing deployments when counting free GPUs', () => {
    const grants = planGrants([lease(1, 'a', 4)], [deployment('teacher', 8, { owned: false })], 4);
    expect(grants.map((g) => g.kind)).toEqual(['deploy']);
  });
});
