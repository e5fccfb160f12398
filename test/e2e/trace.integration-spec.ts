// One flywheel run is one trace: on the embedded stack (every service its own process, each exporting its spans to
// the stack's span files, which is how `flywheel trace` sees them), a whole run's spans share one trace id, cover the
// five services a run passes through plus the platform they call, and every Kafka hop is a consumer span whose parent
// is the producer span in the publishing service. The log-ingester is on no run's path (it stores logs the
// dataset-builder later reads from the log store), so its ingest is a trace of its own, checked separately.
import { join } from 'node:path';
import { readSpanFiles, renderRunTraces, runTraces, type SpanRecord } from '@flywheel/telemetry';
import {
  apiOf,
  CLIENT,
  ingestFile,
  isTerminal,
  missingServices,
  SAMPLE_LOGS,
  SMALL,
  startE2eStack,
  waitForJob,
  WORKLOAD,
  type E2eStack,
} from './e2e-fixtures';

jest.setTimeout(600_000);

const RUN_SERVICES = [
  'customizer-driver',
  'dataset-builder',
  'deployer',
  'evaluator-driver',
  'platform-simulator',
  'results-aggregator',
];

describe('tracing across the six-service stack', () => {
  let e2e: E2eStack;
  beforeAll(async () => {
    e2e = await startE2eStack({ simulator: { delays: 'none', seed: 7 } });
    const missing = missingServices(e2e.stack);
    if (missing !== null) throw new Error(`the trace test needs all six services: ${missing}`);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  const spanFiles = (): SpanRecord[] => readSpanFiles(join(e2e.stack.dataDir, 'traces')).spans;

  it('records one run as one trace with parent links across every Kafka hop', async () => {
    expect(await ingestFile(e2e.stack, SAMPLE_LOGS)).toBeGreaterThan(200);
    const api = apiOf(e2e.stack);
    const created = await api.post('/api/jobs', {
      workload_id: WORKLOAD,
      client_id: CLIENT,
      candidates: [{ model_name: SMALL, icl_enabled: true, customization_enabled: true }],
      data_split_config: { random_seed: 7 },
    });
    expect(created.status).toBe(200);
    const id = String(created.body.id);
    const job = await waitForJob(api, id, isTerminal, 420_000, 'the run to finish').catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- last lines ---\n${e2e.tail()}`);
    });
    expect(job.status).toBe('completed');

    // The last events (run.completed and the teardown it triggers) are consumed just after the API says completed.
    const deadline = Date.now() + 60_000;
    let traces = runTraces(spanFiles(), id);
    while (Date.now() < deadline && !RUN_SERVICES.every((s) => traces[0]?.services.includes(s))) {
      await new Promise((r) => setTimeout(r, 1000));
      traces = runTraces(spanFiles(), id);
    }
    const tree = renderRunTraces(traces, id);
    expect({ traces: traces.length, services: traces.flatMap((t) => t.services) }).toEqual({
      traces: 1,
      services: expect.arrayContaining(RUN_SERVICES) as unknown,
    });
    const [run] = traces;
    if (run === undefined) throw new Error('no trace');
    // The run starts at the jobs API request; everything else hangs under it.
    expect(run.roots.map((r) => `${r.span.service} ${r.span.kind}`)).toEqual(['results-aggregator server']);

    const byId = new Map(run.spans.map((s) => [s.spanId, s]));
    const consumers = run.spans.filter((s) => s.attributes['messaging.operation.type'] === 'process');
    expect(consumers.length).toBeGreaterThan(10);
    const hops = consumers.map((c) => {
      const parent = c.parentSpanId === undefined ? undefined : byId.get(c.parentSpanId);
      return {
        consumer: `${c.service} ${c.name}`,
        parent: parent === undefined ? 'missing' : `${parent.kind} ${parent.name}`,
        crossService: parent !== undefined && parent.service !== c.service,
      };
    });
    // Every delivery's parent is the send of the same topic.
    expect(hops.filter((h) => h.parent !== h.consumer.replace(/^\S+ process/, 'producer send'))).toEqual([]);
    // Each stage receives from another service at least once.
    const receivers = new Set(hops.filter((h) => h.crossService).map((h) => h.consumer.split(' ')[0]));
    expect([...receivers].sort()).toEqual(RUN_SERVICES.filter((s) => s !== 'platform-simulator'));
    // Spans carry the run's ids; the candidate's work names the candidate.
    expect(run.spans.filter((s) => s.attributes['flywheel.candidate'] === SMALL).length).toBeGreaterThan(0);
    // The tree shows it all (printed for whoever reads the test log).
    expect(tree).toContain('process flywheel.run.requested.v1');
    process.stdout.write(`${tree.split('\n').slice(0, 40).join('\n')}\n…\n`);

    // The ingest had its own trace, in the log-ingester, with no body or prompt text on any span.
    const ingest = spanFiles().filter((s) => s.service === 'log-ingester' && s.kind === 'server');
    expect(ingest.length).toBeGreaterThan(0);
    const firstPrompt = JSON.stringify(spanFiles().map((s) => s.attributes));
    expect(firstPrompt).not.toMatch(/"(messages|content|prompt)":/);
  });
});
