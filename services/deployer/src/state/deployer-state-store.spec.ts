import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DeployerStateStore, DeployerStateCorruptError, type LeaseRequest } from './deployer-state-store';

const SMALL = 'meta/llama-3.2-1b-instruct';

function request(runId: string, model = SMALL): LeaseRequest {
  return { runId, model, role: 'candidate', gpus: 1, contextLength: 2600, imageTag: null };
}

describe('DeployerStateStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'deployer-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the queue in request order and a repeated request as the first one', () => {
    const s = new DeployerStateStore(':memory:');
    expect(s.recordRequest(request('run-b'), 1)).toEqual({ recorded: true });
    expect(s.recordRequest(request('run-a'), 2)).toEqual({ recorded: true });
    const again = s.recordRequest({ ...request('run-b'), gpus: 4 }, 3);
    expect(again).toMatchObject({ recorded: false, existing: { state: 'queued', gpus: 1 } });
    expect(s.liveLeases().map((l) => l.runId)).toEqual(['run-b', 'run-a']);
    s.close();
  });

  it('marks every live lease of an ended run for release, once, and remembers the run', () => {
    const s = new DeployerStateStore(':memory:');
    s.recordRequest(request('run-a'), 1);
    s.recordRequest(request('run-a', 'other/model'), 1);
    expect(s.endRun('run-a', 'cancelled', 5)).toEqual({ marked: 2, firstEnd: true });
    expect(s.endRun('run-a', 'completed', 6)).toEqual({ marked: 0, firstEnd: false });
    expect(s.liveLeases().map((l) => l.releaseReason)).toEqual(['cancelled', 'cancelled']);
    expect(s.endedBefore('run-a', SMALL)).toEqual({ what: 'run', reason: 'cancelled' });
    s.close();
  });

  it('answers a release of one lease by what it found', () => {
    const s = new DeployerStateStore(':memory:');
    s.recordRequest(request('run-a'), 1);
    expect(s.markRelease('run-a', SMALL, 'completed', 2)).toBe('marked');
    expect(s.markRelease('run-a', SMALL, 'failed', 3)).toBe('already-releasing');
    s.completeRelease('run-a', SMALL, false, 4);
    expect(s.markRelease('run-a', SMALL, 'failed', 5)).toBe('already-released');
    expect(s.markRelease('run-x', SMALL, 'completed', 5)).toBe('unknown');
    // The finished candidate is remembered: a late deploy request of it is not deployed.
    expect(s.endedBefore('run-x', SMALL)).toEqual({ what: 'candidate', reason: 'completed' });
    expect(s.endedBefore('run-y', SMALL)).toBeNull();
    s.close();
  });

  it('grants a deployment and its lease together, and forgets the deployment with its last release', () => {
    const s = new DeployerStateStore(':memory:');
    s.recordRequest(request('run-a'), 1);
    const lease = s.liveLeases()[0]!;
    s.grantDeploy(lease, 'meta-llama-3.2-1b-instruct-1', 2);
    expect(s.lease('run-a', SMALL)).toMatchObject({ state: 'deploying', deploymentId: 'meta-llama-3.2-1b-instruct-1' });
    expect(s.deployment(SMALL)).toMatchObject({ status: 'probing', owned: null, gpus: 1 });
    s.updateDeployment(SMALL, { owned: true, status: 'ready' }, 3);
    expect(s.deployment(SMALL)).toMatchObject({ status: 'ready', owned: true });
    s.completeRelease('run-a', SMALL, true, 4);
    expect(s.deployment(SMALL)).toBeNull();
    expect(s.lease('run-a', SMALL)?.state).toBe('released');
    expect(s.leaseCounts()).toMatchObject({ released: 1, queued: 0 });
    s.close();
  });

  it('survives a reopen of the file (what a restart reads)', () => {
    const path = join(dir, 'nested', 'state.db');
    const s = new DeployerStateStore(path);
    s.recordRequest(request('run-a'), 1);
    s.grantDeploy(s.liveLeases()[0]!, 'dep-1', 2);
    s.updateDeployment(SMALL, { error: { code: 'X', message: 'why', retryable: true }, attempts: 2 }, 3);
    s.close();
    const reopened = new DeployerStateStore(path);
    expect(reopened.deployment(SMALL)).toMatchObject({ attempts: 2, error: { code: 'X', message: 'why' } });
    expect(reopened.lease('run-a', SMALL)?.state).toBe('deploying');
    expect(reopened.ping()).toBe(true);
    reopened.close();
    expect(reopened.ping()).toBe(false);
  });

  it('refuses a damaged row with what is wrong instead of guessing', () => {
    const path = join(dir, 'state.db');
    const s = new DeployerStateStore(path);
    s.recordRequest(request('run-a'), 1);
    s.close();
    const raw = new Database(path);
    raw.prepare("UPDATE leases SET state = 'exploded'").run();
    raw.close();
    const reopened = new DeployerStateStore(path);
    expect(() => reopened.liveLeases()).toThrow(DeployerStateCorruptError);
    expect(() => reopened.liveLeases()).toThrow(/'exploded' is not one of queued/);
    reopened.close();
  });
});
