// One flywheel run is one trace: on the embedded stack (every service its own process, each exporting its spans to
// the stack's span files, which is how `flywheel trace` sees them), a whole run's spans share one trace id, cover the
// services it passes through plus the platform they call, and every Kafka hop is a consumer span whose parent is the
// producer span in the publishing service. That includes the drivers' platform polls, made from their workers long
// after the event that started the job. Two runs on one stack (a boot costs a minute of CPU): one started through
// the jobs API (five services: the log-ingester is not on its path), and one started by a run trigger on the
// log-ingester's logs-ingested event, whose single trace covers all six services. During the second run both drivers
// are restarted while its platform jobs wait to start: the new processes know the run only from their state files,
// and their polls still join its trace. Then every service's /metrics is read for the operator's closed set of names.
import { join } from 'node:path';
import {
  readSpanFiles,
  renderRunTraces,
  runTraces,
  SPAN_FILE_SUFFIX,
  type RunTrace,
  type SpanRecord,
} from '@flywheel/telemetry';
import {
  apiOf,
  CLIENT,
  ingestFile,
  isTerminal,
  missingServices,
  SAMPLE_LOGS,
  simulatorState,
  SMALL,
  startE2eStack,
  waitForJob,
  WORKLOAD,
  type Api,
  type E2eStack,
} from './e2e-fixtures';

jest.setTimeout(900_000);

/** Where a run started through the jobs API goes. */
const RUN_SERVICES = [
  'customizer-driver',
  'dataset-builder',
  'deployer',
  'evaluator-driver',
  'platform-simulator',
  'results-aggregator',
];
/** A triggered run starts in the log-ingester. */
const ALL_SERVICES = [...RUN_SERVICES, 'log-ingester'].sort();
/** A workload of its own for the trigger, so the API-started run's ingest triggers nothing. */
const TRIGGERED = 'agent.tool_router.nightly';
const JOB = {
  candidates: [{ model_name: SMALL, icl_enabled: true, customization_enabled: true }],
  data_split_config: { random_seed: 7 },
};
/** The drivers' status polls (the platform clients name each span by its call). */
const POLLS = ['customizer.getJobStatus', 'evaluator.getJob'];
const DRIVERS = ['customizer-driver', 'evaluator-driver'] as const;
const TERMINAL_JOB = ['completed', 'failed', 'cancelled'];

describe('tracing and metrics across the six-service stack', () => {
  let e2e: E2eStack;
  let api: Api;
  /** The runs started so far (the last check looks at every poll of them). */
  const runIds: string[] = [];
  beforeAll(async () => {
    e2e = await startE2eStack({
      // Jobs wait 8 s before they start (no other delay): time to restart the drivers while they poll.
      simulator: { delays: { jobStartMs: 8000 }, seed: 7 },
      serviceEnv: {
        'results-aggregator': {
          AGGREGATOR_RUN_TRIGGERS: JSON.stringify([
            { workload_id: TRIGGERED, client_id: CLIENT, min_new_records: 100, job: JOB },
          ]),
        },
        // Emitted twice a second rather than every 5 s: the triggered run starts sooner.
        'log-ingester': { INGESTER_LOGS_INGESTED_INTERVAL_MS: '500' },
      },
    });
    const missing = missingServices(e2e.stack);
    if (missing !== null) throw new Error(`the trace test needs all six services: ${missing}`);
    api = apiOf(e2e.stack);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  const spanFiles = (): SpanRecord[] => readSpanFiles(join(e2e.stack.dataDir, 'traces')).spans;

  const finished = async (id: string): Promise<void> => {
    const job = await waitForJob(api, id, isTerminal, 420_000, 'the run to finish').catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- last lines ---\n${e2e.tail()}`);
    });
    expect(job.status).toBe('completed');
  };

  /**
   * The run's traces once `services` all appear and its spans hang together (run.completed and its teardown are
   * consumed after the API says so; a send's span is written when the broker answers, maybe after its delivery's).
   */
  const traceOf = async (id: string, services: readonly string[]): Promise<RunTrace[]> => {
    const deadline = Date.now() + 60_000;
    const settled = (traces: RunTrace[]): boolean =>
      traces.length === 1 && traces[0]?.roots.length === 1 && services.every((s) => traces[0]?.services.includes(s));
    let traces = runTraces(spanFiles(), id);
    while (Date.now() < deadline && !settled(traces)) {
      await new Promise((r) => setTimeout(r, 1000));
      traces = runTraces(spanFiles(), id);
    }
    return traces;
  };

  /** Every delivery, with the span it hangs under. */
  const hopsOf = (run: RunTrace) => {
    const byId = new Map(run.spans.map((s) => [s.spanId, s]));
    return run.spans
      .filter((s) => s.attributes['messaging.operation.type'] === 'process')
      .map((c) => {
        const parent = c.parentSpanId === undefined ? undefined : byId.get(c.parentSpanId);
        return {
          consumer: `${c.service} ${c.name}`,
          parent: parent === undefined ? 'missing' : `${parent.kind} ${parent.name}`,
          crossService: parent !== undefined && parent.service !== c.service,
        };
      });
  };

  /** The chain of span names from the trace's root down to `span`. */
  const pathOf = (run: RunTrace, span: SpanRecord): string[] => {
    const byId = new Map(run.spans.map((s) => [s.spanId, s]));
    const path: string[] = [];
    for (let s: SpanRecord | undefined = span; s !== undefined;) {
      path.unshift(`${s.service} ${s.name}`);
      s = s.parentSpanId === undefined ? undefined : byId.get(s.parentSpanId);
    }
    return path;
  };

  it('records one run as one trace with parent links across every Kafka hop', async () => {
    expect(await ingestFile(e2e.stack, SAMPLE_LOGS)).toBeGreaterThan(200);
    const created = await api.post('/api/jobs', { workload_id: WORKLOAD, client_id: CLIENT, ...JOB });
    expect(created.status).toBe(200);
    const id = String(created.body.id);
    runIds.push(id);
    await finished(id);

    const traces = await traceOf(id, RUN_SERVICES);
    const tree = renderRunTraces(traces, id);
    expect({ traces: traces.length, services: traces.flatMap((t) => t.services) }).toEqual({
      traces: 1,
      services: expect.arrayContaining(RUN_SERVICES) as unknown,
    });
    const [run] = traces;
    if (run === undefined) throw new Error('no trace');
    // The run starts at the jobs API request; everything else hangs under it.
    expect(run.roots.map((r) => `${r.span.service} ${r.span.kind} ${r.span.name}`)).toEqual([
      'results-aggregator server POST',
    ]);

    const hops = hopsOf(run);
    expect(hops.length).toBeGreaterThan(10);
    // Every delivery's parent is the send of the same topic.
    expect(hops.filter((h) => h.parent !== h.consumer.replace(/^\S+ process/, 'producer send'))).toEqual([]);
    // Each stage receives from another service at least once.
    const receivers = new Set(hops.filter((h) => h.crossService).map((h) => h.consumer.split(' ')[0]));
    expect([...receivers].sort()).toEqual(RUN_SERVICES.filter((s) => s !== 'platform-simulator'));
    // Spans carry the run's ids; the candidate's work names the candidate.
    expect(run.spans.filter((s) => s.attributes['flywheel.candidate'] === SMALL).length).toBeGreaterThan(0);
    // The drivers' polls are in it too.
    expect(POLLS.filter((p) => !run.spans.some((s) => s.name === p))).toEqual([]);
    // The tree shows it all (printed for whoever reads the test log).
    expect(tree).toContain('process flywheel.run.requested.v1');
    process.stdout.write(`${tree.split('\n').slice(0, 40).join('\n')}\n…\n`);

    // The ingest had its own trace, in the log-ingester, with no body or prompt text on any span.
    const ingest = spanFiles().filter((s) => s.service === 'log-ingester' && s.kind === 'server');
    expect(ingest.length).toBeGreaterThan(0);
    const firstPrompt = JSON.stringify(spanFiles().map((s) => s.attributes));
    expect(firstPrompt).not.toMatch(/"(messages|content|prompt)":/);
  });

  it('records a triggered run as one trace from the log-ingester through all six services', async () => {
    expect(await ingestFile(e2e.stack, SAMPLE_LOGS, TRIGGERED)).toBeGreaterThan(200);
    // Nobody asks for this run: the trigger starts it on a logs-ingested event.
    const deadline = Date.now() + 120_000;
    let jobs: { id: string }[] = [];
    while (Date.now() < deadline && jobs.length === 0) {
      await new Promise((r) => setTimeout(r, 500));
      const res = await api.get(`/api/jobs?workload_id=${TRIGGERED}`);
      jobs = (res.body.jobs as { id: string }[] | undefined) ?? [];
    }
    expect(jobs).toHaveLength(1);
    const id = String(jobs[0]?.id);
    // The trigger says so in its log (just after the run is stored).
    const said = (): boolean =>
      e2e.lines.some((l) => l.includes(`trigger ${TRIGGERED}/${CLIENT}`) && l.includes(`started run ${id}`));
    for (let i = 0; i < 100 && !said(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(said()).toBe(true);
    runIds.push(id);

    // Once the run's customization and an evaluation job wait on the platform, both drivers restart.
    const jobsOpen = async (): Promise<boolean> => {
      const sim = await simulatorState(e2e);
      return (
        sim.customizationJobs.some((j) => j.outputModel.includes(id) && !TERMINAL_JOB.includes(j.status)) &&
        sim.evaluationJobs.some((j) => !TERMINAL_JOB.includes(j.status))
      );
    };
    const openBy = Date.now() + 120_000;
    while (Date.now() < openBy && !(await jobsOpen())) await new Promise((r) => setTimeout(r, 200));
    expect(await jobsOpen()).toBe(true);
    await Promise.all(DRIVERS.map((d) => e2e.stack.restart(d)));
    const restarted = DRIVERS.map((d) => ({ service: d, pid: e2e.stack.pid(d) }));
    await finished(id);

    const traces = await traceOf(id, ALL_SERVICES);
    const tree = renderRunTraces(traces, id);
    expect(traces.map((t) => t.services)).toEqual([ALL_SERVICES]);
    const [run] = traces;
    if (run === undefined) throw new Error('no trace');
    // One root: the logs-ingested send, from the ingester's timer.
    expect(run.roots.map((r) => `${r.span.service} ${r.span.kind} ${r.span.name}`)).toEqual([
      'log-ingester producer send flywheel.log.logs-ingested.v1',
    ]);
    // The run's request hangs under the trigger's delivery of that event.
    const request = run.spans.find((s) => s.name === 'send flywheel.run.requested.v1');
    expect(request && pathOf(run, request)).toEqual([
      'log-ingester send flywheel.log.logs-ingested.v1',
      'results-aggregator process flywheel.log.logs-ingested.v1',
      'results-aggregator send flywheel.run.requested.v1',
    ]);

    // Every Kafka delivery is a child of the send of the same topic, in another process; the one exception is the
    // jobs API's own projection of the run request it published.
    const hops = hopsOf(run);
    expect(hops.length).toBeGreaterThan(10);
    expect(hops.filter((h) => h.parent !== h.consumer.replace(/^\S+ process/, 'producer send'))).toEqual([]);
    expect([...new Set(hops.filter((h) => !h.crossService).map((h) => h.consumer))]).toEqual([
      'results-aggregator process flywheel.run.requested.v1',
    ]);

    // The drivers' polls are in the run's trace, each under a delivery the driver received for the run.
    for (const name of POLLS) {
      const polls = run.spans.filter((s) => s.name === name);
      expect({ name, polls: polls.length > 0 }).toEqual({ name, polls: true });
      for (const poll of polls) {
        const path = pathOf(run, poll);
        expect(path[0]).toBe('log-ingester send flywheel.log.logs-ingested.v1');
        expect(path.at(-2)).toMatch(new RegExp(`^${poll.service} process flywheel\\.`));
      }
    }
    process.stdout.write(`${tree.split('\n').slice(0, 40).join('\n')}\n…\n`);

    // The restarted drivers resumed polling the jobs their predecessors created, inside the run's trace.
    for (const { service, pid } of restarted) {
      const file = join(e2e.stack.dataDir, 'traces', `${service}-${String(pid)}${SPAN_FILE_SUFFIX}`);
      const resumed = readSpanFiles(file).spans.filter((s) => POLLS.includes(s.name));
      expect({ service, resumed: resumed.length > 0 }).toEqual({ service, resumed: true });
      expect(resumed.filter((s) => s.traceId !== run.traceId)).toEqual([]);
    }

    // No status poll is in a trace of its own: every one the drivers made is in the trace of a run of this suite.
    const all = spanFiles();
    const runTraceIds = new Set(runIds.flatMap((r) => runTraces(all, r).map((t) => t.traceId)));
    const polls = all.filter((s) => POLLS.includes(s.name));
    expect(polls.length).toBeGreaterThanOrEqual(POLLS.length);
    expect(polls.filter((s) => !runTraceIds.has(s.traceId)).map((s) => `${s.service} ${s.name}`)).toEqual([]);
  });

  // The closed set an operator scales and alerts by, after the runs above went through every service.
  it("exports the operator metrics on every service's /metrics", async () => {
    const common = [
      'flywheel_consumer_lag_records',
      'flywheel_handler_duration_seconds',
      'flywheel_events_handled_total',
      'process_cpu_seconds_total',
    ];
    const platform = ['flywheel_platform_request_duration_seconds', 'flywheel_platform_request_errors_total'];
    const expected: Record<string, readonly string[]> = {
      'log-ingester': [
        ...common,
        'flywheel_log_records_ingested_total',
        'flywheel_pii_redactions_total',
        'flywheel_log_dead_letters_total',
      ],
      'dataset-builder': [...common, ...platform, 'flywheel_dataset_build_seconds'],
      deployer: [...common, ...platform, 'flywheel_deployer_gpus_in_use'],
      'customizer-driver': [...common, ...platform, 'flywheel_customization_job_seconds'],
      'evaluator-driver': [...common, ...platform, 'flywheel_evaluation_seconds'],
      'results-aggregator': [...common, 'flywheel_runs_total'],
    };
    const missing: string[] = [];
    for (const [service, names] of Object.entries(expected)) {
      const url = e2e.stack.urls.services[service as keyof typeof e2e.stack.urls.services];
      const text = await (await fetch(`${url}/metrics`)).text();
      for (const name of names)
        if (!new RegExp(`^# TYPE ${name} `, 'm').test(text)) missing.push(`${service}: ${name}`);
      // Every consumer group of the service reports its lag per partition.
      expect({
        service,
        lagSeries: /^flywheel_consumer_lag_records\{[^}]*group="[^"]+"[^}]*\} \d+$/m.test(text),
      }).toEqual({ service, lagSeries: true });
      // The platform calls the runs made were counted (the log-ingester and the aggregator make none).
      if (names.includes(platform[0] ?? '')) {
        expect({
          service,
          calls: /^flywheel_platform_request_duration_seconds_count\{[^}]*outcome="ok"[^}]*\} [1-9]/m.test(text),
        }).toEqual({ service, calls: true });
      }
    }
    expect(missing).toEqual([]);
  });
});
