// The RunStore contract: every adapter passes the same cases. `factory` returns a fresh, unconnected store per test.
import { ConflictError, NotFoundError, StoreError, type FlywheelRun, type RunStore } from '../src';

const AT = Date.UTC(2025, 0, 1);

export function describeRunStoreContract(name: string, factory: () => RunStore | Promise<RunStore>): void {
  describe(`RunStore contract: ${name}`, () => {
    let store: RunStore;

    beforeEach(async () => {
      store = await factory();
      await store.connect();
      await store.connect(); // idempotent
    });

    afterEach(async () => {
      await store.close();
    });

    const run = (id: string, workload_id = 'agent.tool_router', client_id = 'aiva'): Promise<FlywheelRun> =>
      store.createRun({ id, workload_id, client_id });

    it('creates and reads back a run with its defaults', async () => {
      const created = await run('r1');
      expect(created).toMatchObject({ id: 'r1', status: 'pending', started_at: null, finished_at: null, error: null });
      expect(await store.getRun('r1')).toEqual(created);
      expect((await store.health()).ready).toBe(true);
    });

    it('answers an unknown id with a typed NotFound error', async () => {
      const err: unknown = await store.getRun('missing').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err).toMatchObject({ kind: 'not-found', operation: 'getRun', backend: store.backend, id: 'missing' });
      await expect(store.finishRun('missing', 'failed', AT)).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.getCandidate('missing')).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.getEvaluation('missing')).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.putEvaluationSamples('missing', [])).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.setJudgeDeploymentStatus('missing', 'ready')).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.deleteRun('missing')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('answers duplicates (id or unique key) with a typed Conflict error', async () => {
      await run('r1');
      const err: unknown = await run('r1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect(err).toMatchObject({ kind: 'conflict', backend: store.backend, id: 'r1' });
      await store.createCandidate({ id: 'c1', run_id: 'r1', model_name: 'llama-3.2-1b' });
      await expect(
        store.createCandidate({ id: 'c2', run_id: 'r1', model_name: 'llama-3.2-1b' }),
      ).rejects.toBeInstanceOf(ConflictError);
      const dataset = { run_id: 'r1', name: 'ds-eval', kind: 'eval', num_records: 10, uri: 'hf://ds-eval' } as const;
      await store.createDataset({ id: 'd1', ...dataset });
      await expect(store.createDataset({ id: 'd2', ...dataset })).rejects.toBeInstanceOf(ConflictError);
    });

    it('creates idempotently with the IfAbsent creates: a repeat (id or unique key) is false and changes nothing', async () => {
      expect(await store.createRunIfAbsent({ id: 'r1', workload_id: 'w', client_id: 'c', request_json: '{}' })).toBe(
        true,
      );
      expect(await store.startRun('r1', AT)).toBe(true);
      expect(await store.createRunIfAbsent({ id: 'r1', workload_id: 'other', client_id: 'c' })).toBe(false);
      expect(await store.getRun('r1')).toMatchObject({ workload_id: 'w', status: 'running', request_json: '{}' });

      expect(await store.createCandidateIfAbsent({ id: 'c1', run_id: 'r1', model_name: 'm1' })).toBe(true);
      expect(await store.createCandidateIfAbsent({ id: 'c1', run_id: 'r1', model_name: 'm1' })).toBe(false);
      expect(await store.createCandidateIfAbsent({ id: 'c2', run_id: 'r1', model_name: 'm1' })).toBe(false);
      expect((await store.listCandidates('r1')).items.map((c) => c.id)).toEqual(['c1']);

      const evaluation = { id: 'e1', run_id: 'r1', candidate_id: 'c1', eval_type: 'base' } as const;
      expect(await store.createEvaluationIfAbsent(evaluation)).toBe(true);
      expect(await store.updateEvaluation('e1', { progress: 30 })).toBe(true);
      expect(await store.createEvaluationIfAbsent(evaluation)).toBe(false);
      expect(await store.getEvaluation('e1')).toMatchObject({ status: 'running', progress: 30, scores: {} });

      const customization = {
        id: 'cu1',
        run_id: 'r1',
        candidate_id: 'c1',
        workload_id: 'w',
        base_model: 'm1',
      };
      expect(await store.createCustomizationIfAbsent(customization)).toBe(true);
      expect(await store.createCustomizationIfAbsent({ ...customization, base_model: 'm2' })).toBe(false);
      expect(await store.getCustomization('cu1')).toMatchObject({ base_model: 'm1', status: 'pending', progress: 0 });

      const judge = { id: 'j1', run_id: 'r1', model_name: 'judge', deployment_type: 'remote' } as const;
      expect(await store.createJudgeRunIfAbsent(judge)).toBe(true);
      expect(await store.createJudgeRunIfAbsent({ ...judge, deployment_type: 'local' })).toBe(false);
      expect((await store.getJudgeRun('j1')).deployment_status).toBe('ready');

      const dataset = { run_id: 'r1', name: 'ds-eval', kind: 'eval', num_records: 10, uri: 'hf://ds-eval' } as const;
      expect(await store.createDatasetIfAbsent({ id: 'd1', ...dataset })).toBe(true);
      expect(await store.createDatasetIfAbsent({ id: 'd1', ...dataset, num_records: 99 })).toBe(false);
      expect(await store.createDatasetIfAbsent({ id: 'd2', ...dataset })).toBe(false); // same unique name
      expect((await store.listDatasets('r1')).items.map((d) => [d.id, d.num_records])).toEqual([['d1', 10]]);
    });

    it('keeps every field of a document through guarded updates, values exact', async () => {
      await run('r1');
      await store.createCandidate({ id: 'c1', run_id: 'r1', model_name: 'm1' });
      await store.createEvaluation({ id: 'e1', run_id: 'r1', candidate_id: 'c1', eval_type: 'base', job_uri: 'u' });
      const before = await store.getEvaluation('e1');
      expect(await store.updateEvaluation('e1', { progress: 12.5, job_id: 'job-1' })).toBe(true);
      const scores = { function_name_accuracy: 0.1 + 0.2, similarity: 1 / 3, 'odd "metric"\u2028': 7 };
      const stats = {
        sample_count: 20,
        failed_sample_count: 0,
        duration_ms: 1.5e12,
        mean_latency_ms: null,
        mean_prompt_tokens: 0.000001,
        mean_completion_tokens: 1e21,
      };
      const error = { code: 'X', message: 'quote " and unicode \u00e9 and newline\n', retryable: true };
      expect(await store.finishEvaluation('e1', 'failed', AT, { scores, stats, error })).toBe(true);
      expect(await store.getEvaluation('e1')).toEqual({
        ...before,
        status: 'failed',
        progress: 12.5,
        job_id: 'job-1',
        finished_at: AT,
        scores,
        stats,
        error,
      });
      // A guard field that is null (a candidate's deployment before any deployment) does not hold a write back.
      expect((await store.getCandidate('c1')).deployment_status).toBeNull();
      expect(await store.setCandidateDeploymentStatus('c1', 'pending')).toBe(true);
      expect(await store.setCandidateDeploymentStatus('missing', 'pending').catch((e: unknown) => e)).toBeInstanceOf(
        NotFoundError,
      );
      // The indexed fields follow the document: lists by the updated status see the change.
      await store.finishRun('r1', 'failed', AT);
      expect((await store.listRuns({ status: 'failed' })).items.map((r) => r.id)).toEqual(['r1']);
      expect((await store.listRuns({ status: 'pending' })).items).toEqual([]);
    });

    it('lists runs newest first with cursor pagination, stable under concurrent inserts', async () => {
      for (let i = 0; i < 7; i += 1) await run(`r${i}`, i % 2 ? 'odd' : 'even');
      const first = await store.listRuns({}, { limit: 3 });
      expect(first.items).toHaveLength(3);
      // A run created later (a later millisecond) sorts before every cursor: it must not appear in later pages
      // nor shift them.
      await new Promise((resolve) => setTimeout(resolve, 5));
      await run('late');
      const second = await store.listRuns({}, { limit: 3, cursor: first.nextCursor });
      const third = await store.listRuns({}, { limit: 3, cursor: second.nextCursor });
      expect(third.items).toHaveLength(1);
      expect(third.nextCursor).toBeNull();
      const seen = [...first.items, ...second.items, ...third.items];
      expect(new Set(seen.map((r) => r.id)).size).toBe(7);
      expect(seen.map((r) => r.id)).not.toContain('late');
      const sorted = [...seen].sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : -1));
      expect(seen.map((r) => r.id)).toEqual(sorted.map((r) => r.id));

      const odd = await store.listRuns({ workload_id: 'odd' }, { limit: 10 });
      expect(odd.items.map((r) => r.id).sort()).toEqual(['r1', 'r3', 'r5']);
      expect(odd.nextCursor).toBeNull();
      await store.finishRun('r1', 'failed', AT);
      const failedOrCancelled = await store.listRuns({ status: ['failed', 'cancelled'] });
      expect(failedOrCancelled.items.map((r) => r.id)).toEqual(['r1']);
      await expect(store.listRuns({}, { cursor: 'garbage!' })).rejects.toMatchObject({ kind: 'invalid' });
      await expect(store.listRuns({}, { limit: 0 })).rejects.toBeInstanceOf(StoreError);
    });

    it('lets the first terminal state win when two finishes race', async () => {
      await run('r1');
      const results = await Promise.all([
        store.finishRun('r1', 'completed', AT),
        store.finishRun('r1', 'cancelled', AT + 1, { code: 'CANCELLED', message: 'by user', retryable: false }),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const stored = await store.getRun('r1');
      expect(stored.status).toBe(results[0] ? 'completed' : 'cancelled');
      expect(stored.finished_at).toBe(results[0] ? AT : AT + 1);
      // Once terminal, nothing reopens or rewrites it.
      expect(await store.finishRun('r1', 'failed', AT + 2)).toBe(false);
      expect(await store.startRun('r1', AT + 3)).toBe(false);
      expect(await store.updateRun('r1', { num_records: 5 })).toBe(false);
      expect((await store.getRun('r1')).status).toBe(stored.status);
    });

    it('lets exactly one of many concurrent finishes apply', async () => {
      await run('r1');
      const statuses = ['completed', 'failed', 'cancelled'] as const;
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => store.finishRun('r1', statuses[i % 3] ?? 'failed', AT + i)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect((await store.getRun('r1')).status).toBe(statuses[winner % 3]);
    });

    it('walks a run through its lifecycle', async () => {
      await run('r1');
      expect(await store.startRun('r1', AT)).toBe(true);
      expect(await store.startRun('r1', AT + 1)).toBe(false); // already running
      expect(await store.updateRun('r1', { num_records: 120, workload_type: 'tool_calling' })).toBe(true);
      expect(await store.finishRun('r1', 'completed', AT + 10)).toBe(true);
      expect(await store.getRun('r1')).toMatchObject({
        status: 'completed',
        started_at: AT,
        finished_at: AT + 10,
        num_records: 120,
        workload_type: 'tool_calling',
        error: null,
      });
    });

    it('guards candidates, evaluations, customizations and judge runs the same way', async () => {
      await run('r1');
      await store.createCandidate({ id: 'c1', run_id: 'r1', model_name: 'm1' });
      expect(await store.setCandidateStatus('c1', 'deploying', AT)).toBe(true);
      expect(await store.setCandidateDeploymentStatus('c1', 'ready')).toBe(true);
      const candidateRace = await Promise.all([
        store.setCandidateStatus('c1', 'completed', AT + 1),
        store.setCandidateStatus('c1', 'failed', AT + 2, { code: 'X', message: 'boom', retryable: true }),
      ]);
      expect(candidateRace.filter(Boolean)).toHaveLength(1);
      expect(await store.setCandidateStatus('c1', 'running_evals', AT + 3)).toBe(false);
      // The deployment is released after the verdict; once released it stays so.
      expect(await store.setCandidateDeploymentStatus('c1', 'completed')).toBe(true);
      expect(await store.setCandidateDeploymentStatus('c1', 'running')).toBe(false);
      expect((await store.getCandidate('c1')).deployment_status).toBe('completed');

      await store.createEvaluation({ id: 'e1', run_id: 'r1', candidate_id: 'c1', eval_type: 'base' });
      expect(await store.updateEvaluation('e1', { progress: 50 })).toBe(true);
      expect((await store.getEvaluation('e1')).status).toBe('running');
      const evalRace = await Promise.all([
        store.finishEvaluation('e1', 'completed', AT, { scores: { function_name_accuracy: 0.9 } }),
        store.finishEvaluation('e1', 'cancelled', AT),
      ]);
      expect(evalRace.filter(Boolean)).toHaveLength(1);
      expect(await store.updateEvaluation('e1', { progress: 60 })).toBe(false);

      await store.createEvaluation({ id: 'e2', run_id: 'r1', candidate_id: 'c1', eval_type: 'icl' });
      expect((await store.getEvaluation('e2')).stats).toBeNull();
      const stats = {
        sample_count: 20,
        failed_sample_count: 1,
        duration_ms: 9000,
        mean_latency_ms: 412.5,
        mean_prompt_tokens: 850,
        mean_completion_tokens: null,
      };
      expect(await store.finishEvaluation('e2', 'completed', AT, { scores: { similarity: 7 }, stats })).toBe(true);
      expect(await store.getEvaluation('e2')).toMatchObject({ status: 'completed', scores: { similarity: 7 }, stats });

      await store.createCustomization({
        id: 'cu1',
        run_id: 'r1',
        candidate_id: 'c1',
        workload_id: 'agent.tool_router',
        base_model: 'm1',
      });
      expect(await store.updateCustomization('cu1', { progress: 10, epochs_completed: 1, steps_completed: 40 })).toBe(
        true,
      );
      expect(
        await store.finishCustomization('cu1', 'failed', AT, { code: 'E', message: 'oom', retryable: false }),
      ).toBe(true);
      expect(await store.finishCustomization('cu1', 'completed', AT)).toBe(false);
      expect(await store.getCustomization('cu1')).toMatchObject({
        status: 'failed',
        epochs_completed: 1,
        steps_completed: 40,
        error: { code: 'E' },
      });

      const judge = await store.createJudgeRun({
        id: 'j1',
        run_id: 'r1',
        model_name: 'judge',
        deployment_type: 'local',
      });
      expect(judge.deployment_status).toBe('created');
      expect(await store.setJudgeDeploymentStatus('j1', 'ready')).toBe(true);
      expect(await store.setJudgeDeploymentStatus('j1', 'cancelled')).toBe(true);
      expect(await store.setJudgeDeploymentStatus('j1', 'failed')).toBe(false);
      expect((await store.getJudgeRun('j1')).deployment_status).toBe('cancelled');
    });

    it('stores per-sample evaluation results and reads them back in order, idempotently', async () => {
      await run('r1');
      await store.createCandidate({ id: 'c1', run_id: 'r1', model_name: 'm1' });
      await store.createEvaluation({ id: 'e1', run_id: 'r1', candidate_id: 'c1', eval_type: 'icl' });
      const samples = Array.from({ length: 25 }, (_, i) => ({
        sample_index: 24 - i,
        request: { messages: [{ role: 'user', content: `Frage ${24 - i} — 東京 🚀` }] },
        reference: { tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
        output: i % 5 === 0 ? null : { content: 'ok' },
        scores: { function_name_accuracy: i % 2, exact_match: 0.5 },
      }));
      await store.putEvaluationSamples('e1', samples);
      await store.putEvaluationSamples('e1', samples.slice(0, 5)); // a redelivered batch
      const read = [];
      let cursor: string | null = null;
      do {
        const page = await store.listEvaluationSamples('e1', { limit: 10, cursor });
        read.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(read.map((s) => s.sample_index)).toEqual(Array.from({ length: 25 }, (_, i) => i));
      expect(read).toEqual([...samples].sort((a, b) => a.sample_index - b.sample_index));
    });

    it('lists the children of a run and deletes them with it', async () => {
      await run('r1');
      await run('r2');
      await store.createCandidate({ id: 'c1', run_id: 'r1', model_name: 'm1' });
      await store.createCandidate({ id: 'c2', run_id: 'r1', model_name: 'm2' });
      await store.createCandidate({ id: 'c3', run_id: 'r2', model_name: 'm1' });
      await store.createEvaluation({ id: 'e1', run_id: 'r1', candidate_id: 'c1', eval_type: 'base' });
      await store.createEvaluation({ id: 'e2', run_id: 'r1', candidate_id: 'c2', eval_type: 'base' });
      await store.putEvaluationSamples('e1', [{ sample_index: 0, request: {}, reference: {}, output: {}, scores: {} }]);
      await store.createCustomization({
        id: 'cu1',
        run_id: 'r1',
        candidate_id: 'c1',
        workload_id: 'w',
        base_model: 'm1',
      });
      await store.createJudgeRun({ id: 'j1', run_id: 'r1', model_name: 'judge', deployment_type: 'remote' });
      await store.createDataset({ id: 'd1', run_id: 'r1', name: 'r1-eval', kind: 'eval', num_records: 3, uri: 'u' });

      expect((await store.listCandidates('r1')).items.map((c) => c.id).sort()).toEqual(['c1', 'c2']);
      expect((await store.listEvaluations({ candidate_id: 'c2' })).items.map((e) => e.id)).toEqual(['e2']);
      expect((await store.listEvaluations({ run_id: 'r1' })).items).toHaveLength(2);
      expect((await store.listCustomizations({ workload_id: 'w' })).items.map((c) => c.id)).toEqual(['cu1']);
      expect((await store.listJudgeRuns('r1')).items.map((j) => j.deployment_status)).toEqual(['ready']);
      expect((await store.listDatasets('r1')).items.map((d) => d.name)).toEqual(['r1-eval']);
      const ofRuns = await store.listDatasetsOfRuns(['r1', 'r2', 'nope']);
      expect([...ofRuns].map(([run, ds]) => [run, ds.map((d) => d.name)])).toEqual([
        ['r1', ['r1-eval']],
        ['r2', []],
        ['nope', []],
      ]);
      expect((await store.listDatasetsOfRuns([])).size).toBe(0);

      expect(await store.deleteRun('r1')).toBe(9);
      await expect(store.getRun('r1')).rejects.toBeInstanceOf(NotFoundError);
      expect((await store.listCandidates('r1')).items).toEqual([]);
      expect((await store.listCandidates('r2')).items.map((c) => c.id)).toEqual(['c3']);
    });

    it('fails fast with a retryable error once closed', async () => {
      await store.close();
      await expect(store.getRun('r1')).rejects.toMatchObject({ kind: 'unavailable', retryable: true });
      expect((await store.health()).ready).toBe(false);
    });
  });
}
