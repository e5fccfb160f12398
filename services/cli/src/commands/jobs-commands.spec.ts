// run start / list / show / watch / cancel / delete, report and promote as a user meets them: arguments in, a real
// HTTP exchange with a stand-in jobs API, output and exit code out.
import { createServer } from 'node:net';
import { runCli } from '../cli';
import { type EnvSource } from '../config';
import { CliError } from '../errors';
import { capturedIo } from '../testing/captured-io';
import { FakeJobsApi, jobDetail, report, RUN_ID } from '../testing/fake-jobs-api';

let api: FakeJobsApi;
let url: string;

beforeEach(async () => {
  api = new FakeJobsApi();
  url = await api.start();
});

afterEach(() => api.stop());

function setup(options: { env?: EnvSource; tty?: boolean } = {}) {
  const io = capturedIo({ tty: options.tty });
  const sleeps: number[] = [];
  const run = (...args: string[]) =>
    runCli(args, {
      io,
      env: options.env ?? { FLYWHEEL_API_URL: url },
      openLogSink: () => Promise.reject(new CliError('no broker in this test')),
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    });
  return { io, run, sleeps };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const created = { id: RUN_ID, status: 'pending', message: 'NIM workflow started' };

describe('flywheel run start', () => {
  it('posts the job and prints its id', async () => {
    api.on('POST /api/jobs', { body: created });
    const { io, run } = setup();
    expect(await run('run', 'start', '--workload-id', 'agent.tool_router', '--client-id', 'aiva-demo')).toBe(0);
    expect(api.requests[0]).toEqual({
      method: 'POST',
      path: '/api/jobs',
      body: { workload_id: 'agent.tool_router', client_id: 'aiva-demo' },
    });
    expect(io.stdout.text).toBe(
      `started run ${RUN_ID} (pending): NIM workflow started\nfollow it with: flywheel run watch ${RUN_ID}\n`,
    );
  });

  it('sends the candidates with ICL and customization as asked, and split overrides', async () => {
    api.on('POST /api/jobs', { body: created });
    const { run } = setup();
    const args = ['run', 'start', '--workload-id', 'w', '--client-id', 'c', '--candidates', 'm1, m2'];
    expect(await run(...args, '--customize', '--no-icl', '--eval-size', '10', '--seed', '7')).toBe(0);
    expect(api.requests[0]?.body).toEqual({
      workload_id: 'w',
      client_id: 'c',
      candidates: [
        { model_name: 'm1', icl_enabled: false, customization_enabled: true },
        { model_name: 'm2', icl_enabled: false, customization_enabled: true },
      ],
      data_split_config: { eval_size: 10, random_seed: 7 },
    });
  });

  it('prints the API’s message and exits 1 when the API refuses the job', async () => {
    const detail =
      "Unknown workload: no records are logged for workload_id 'nope' and client_id 'c' (this client has no logged records)";
    api.on('POST /api/jobs', { status: 422, body: { status: 422, error: 'unprocessable', detail } });
    const { io, run } = setup();
    expect(await run('run', 'start', '--workload-id', 'nope', '--client-id', 'c')).toBe(1);
    expect(io.stderr.text).toBe(`flywheel: ${detail} (HTTP 422)\n`);
    expect(api.requests).toHaveLength(1);
  });

  it('watches the run to completion, printing changes, then the report', async () => {
    api
      .on('POST /api/jobs', { body: created })
      .on(
        `GET /api/jobs/${RUN_ID}`,
        { body: jobDetail('pending') },
        { body: jobDetail('running') },
        { body: jobDetail('running') },
        { body: jobDetail('completed') },
      )
      .on(`GET /api/jobs/${RUN_ID}/report`, { body: report() });
    const { io, run, sleeps } = setup();
    const code = await run('run', 'start', '--workload-id', 'w', '--client-id', 'c', '--watch', '--interval', '0.5');
    expect(code).toBe(0);
    const out = io.stdout.text;
    expect(out).toMatch(new RegExp(`run ${RUN_ID} pending\\n`));
    expect(out).toMatch(new RegExp(`run ${RUN_ID} running, 248 records\\n`));
    expect(out).toMatch(/meta\/llama-3.2-1b-instruct +running-evals +deploy ready +base 0\.200 +icl 40% +lora 60% e1/);
    expect(out).toMatch(/meta\/llama-3.1-8b-instruct +completed +deploy completed +base 0\.550 +icl 0\.650 +lora done/);
    // An unchanged poll prints nothing new: the running state appears once per candidate.
    expect(out.match(/llama-3.2-1b-instruct +running-evals/g)).toHaveLength(1);
    expect(out).toContain('recommendation: dfwbp/customized-meta-llama-3.1-8b-instruct (customized)');
    expect(sleeps).toEqual([500, 500, 500]);
  });

  it('redraws the progress table in place on a terminal', async () => {
    api
      .on('POST /api/jobs', { body: created })
      .on(`GET /api/jobs/${RUN_ID}`, { body: jobDetail('running') }, { body: jobDetail('completed') })
      .on(`GET /api/jobs/${RUN_ID}/report`, { body: report() });
    const { io, run } = setup({ tty: true });
    expect(await run('run', 'start', '--workload-id', 'w', '--client-id', 'c', '--watch')).toBe(0);
    // Status line + header + two candidates = 4 lines erased before the second drawing.
    expect(io.stdout.text).toContain('\u001b[4A\u001b[0J');
    expect(io.stdout.text).toMatch(/CANDIDATE +STATUS +DEPLOYMENT +BASE +ICL +CUSTOMIZATION +CUSTOMIZED/);
  });

  it('keeps watching through a failing poll, and follows a run by id with `run watch`', async () => {
    const unavailable = { status: 503, body: { detail: 'Run store unavailable' } };
    api
      .on(`GET /api/jobs/${RUN_ID}`, unavailable, unavailable, unavailable, { body: jobDetail('completed') })
      .on(`GET /api/jobs/${RUN_ID}/report`, { body: report() });
    const { io, run } = setup();
    expect(await run('run', 'watch', RUN_ID)).toBe(0);
    expect(io.stderr.text).toBe('watch: Run store unavailable (HTTP 503); trying again\n');
    expect(io.stdout.text).toContain(`report for run ${RUN_ID} (completed)`);
  });

  it('stops watching at once when the run is unknown', async () => {
    const { io, run } = setup();
    expect(await run('run', 'watch', RUN_ID)).toBe(1);
    expect(io.stderr.text).toBe(`flywheel: Not found: GET /api/jobs/${RUN_ID} (HTTP 404)\n`);
    expect(api.requests).toHaveLength(1);
  });

  it('exits 1 naming the reason when the watched run fails', async () => {
    api.on('POST /api/jobs', { body: created }).on(`GET /api/jobs/${RUN_ID}`, { body: jobDetail('failed') });
    const { io, run } = setup();
    expect(await run('run', 'start', '--workload-id', 'w', '--client-id', 'c', '--watch')).toBe(1);
    expect(io.stderr.text).toBe(`flywheel: run ${RUN_ID} failed: every candidate failed\n`);
    expect(io.stdout.text).toContain('base evaluation failed: judge unreachable');
  });

  it('gives up watching after --watch-timeout, saying the run goes on', async () => {
    api.on('POST /api/jobs', { body: created }).on(`GET /api/jobs/${RUN_ID}`, { body: jobDetail('running') });
    const { io, run } = setup();
    // The captured clock advances 0.1 s per reading.
    const code = await run('run', 'start', '--workload-id', 'w', '--client-id', 'c', '--watch', '--watch-timeout', '1');
    expect(code).toBe(1);
    expect(io.stderr.text).toMatch(
      new RegExp(`run ${RUN_ID} is still running after 1 s \\(it keeps going; \`flywheel run cancel ${RUN_ID}\``),
    );
  });

  it.each([
    [['run', 'start', '--client-id', 'c'], /required option '--workload-id <id>' not specified/],
    [['run', 'start', '--workload-id', 'w', '--client-id', 'c', '--candidates', 'a,a'], /names a model twice/],
    [['run', 'start', '--workload-id', 'w', '--client-id', 'c', '--interval', '0'], /expected a positive number/],
    [['run', 'start', '--workload-id', 'w', '--client-id', 'c', '--customize'], /apply to the models of --candidates/],
    [['run', 'show'], /missing required argument 'id'/],
    [['run', 'show', RUN_ID, '--api-url', 'ftp://x'], /--api-url: expected an http\(s\) URL/],
  ])('exits 2 on bad usage: %j', async (args, message) => {
    const { io, run } = setup();
    expect(await run(...args)).toBe(2);
    expect(io.stderr.text).toMatch(message);
    expect(api.requests).toHaveLength(0);
  });
});

describe('reaching the API', () => {
  it('exits 1 saying where it looked when nothing listens there', async () => {
    const port = await closedPort();
    const { io, run } = setup({ env: { FLYWHEEL_API_URL: `http://127.0.0.1:${port}` } });
    expect(await run('run', 'list')).toBe(1);
    expect(io.stderr.text).toBe(
      `flywheel: cannot reach the jobs API at http://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}): ` +
        'is `flywheel up` running? (set --api-url or FLYWHEEL_API_URL for another address)\n',
    );
  });

  it('--api-url wins over FLYWHEEL_API_URL', async () => {
    api.on('GET /api/jobs', { body: { jobs: [], next_cursor: null } });
    const port = await closedPort();
    const { io, run } = setup({ env: { FLYWHEEL_API_URL: `http://127.0.0.1:${port}` } });
    expect(await run('run', 'list', '--api-url', url)).toBe(0);
    expect(io.stdout.text).toBe('no runs\n');
  });

  it('exits 2 naming a bad FLYWHEEL_API_URL', async () => {
    const { io, run } = setup({ env: { FLYWHEEL_API_URL: 'localhost:8000' } });
    expect(await run('run', 'list')).toBe(2);
    expect(io.stderr.text).toMatch(/^flywheel: invalid environment: FLYWHEEL_API_URL: expected an http\(s\) URL/);
  });

  it('bounds each call with --timeout', async () => {
    api.on(`GET /api/jobs/${RUN_ID}`, { hang: true });
    const { io, run } = setup();
    expect(await run('run', 'show', RUN_ID, '--timeout', '0.2')).toBe(1);
    expect(io.stderr.text).toContain(`did not answer GET /api/jobs/${RUN_ID} within 0.2 s`);
  });

  it('retries a read once the API answers again after a 503', async () => {
    api.on(
      `GET /api/jobs/${RUN_ID}`,
      { status: 503, body: { status: 503, error: 'unavailable', detail: 'Run store unavailable' } },
      { body: jobDetail('running') },
    );
    const { io, run } = setup();
    expect(await run('run', 'show', RUN_ID)).toBe(0);
    expect(io.stdout.text).toContain('status     running');
  });

  it('refuses an answer of the wrong shape, naming the field', async () => {
    api.on(`GET /api/jobs/${RUN_ID}`, { body: { ...jobDetail('running'), status: 7 } });
    const { io, run } = setup();
    expect(await run('run', 'show', RUN_ID)).toBe(1);
    expect(io.stderr.text).toBe(
      `flywheel: unexpected answer from the jobs API to GET /api/jobs/${RUN_ID}: status: Expected string, received number\n`,
    );
  });
});

describe('flywheel run list / show / cancel / delete', () => {
  it('lists runs with the filters passed as query parameters', async () => {
    const item = {
      id: RUN_ID,
      workload_id: 'agent.tool_router',
      client_id: 'aiva-demo',
      status: 'running',
      started_at: '2026-01-01T00:00:00.000Z',
      finished_at: null,
      datasets: [],
      error: null,
    };
    api.on('GET /api/jobs?workload_id=agent.tool_router&status=running%2Cpending&limit=5', {
      body: { jobs: [item], next_cursor: 'abc' },
    });
    const { io, run } = setup();
    const code = await run(
      'run',
      'list',
      '--workload-id',
      'agent.tool_router',
      '--status',
      'running,pending',
      '--limit',
      '5',
    );
    expect(code).toBe(0);
    expect(io.stdout.text).toMatch(/^ID +STATUS +WORKLOAD +CLIENT +STARTED +FINISHED +ERROR\n/);
    expect(io.stdout.text).toMatch(
      new RegExp(`${RUN_ID} +running +agent\\.tool_router +aiva-demo +2026-01-01T00:00:00\\.000Z +—`),
    );
    expect(io.stdout.text).toContain('(more: --cursor abc)');
  });

  it('shows one run with a row per candidate', async () => {
    api.on(`GET /api/jobs/${RUN_ID}`, { body: jobDetail('completed') });
    const { io, run } = setup();
    expect(await run('run', 'show', RUN_ID)).toBe(0);
    const out = io.stdout.text;
    expect(out).toContain(`run        ${RUN_ID}\nstatus     completed\n`);
    expect(out).toContain('datasets   eval 20');
    expect(out).toMatch(/meta\/llama-3\.1-8b-instruct +completed +completed +0\.550 +0\.650 +done +0\.950/);
  });

  it('prints JSON with --json', async () => {
    api.on(`GET /api/jobs/${RUN_ID}`, { body: jobDetail('running') });
    const { io, run } = setup();
    expect(await run('run', 'show', RUN_ID, '--json')).toBe(0);
    expect(JSON.parse(io.stdout.text)).toMatchObject({ id: RUN_ID, status: 'running', num_records: 248 });
  });

  it('exits 1 with the API’s message for an unknown id', async () => {
    const other = '00000000-0000-4000-8000-000000000000';
    api.on(`GET /api/jobs/${other}`, {
      status: 404,
      body: { status: 404, error: 'not_found', detail: `Job ${other} not found` },
    });
    const { io, run } = setup();
    expect(await run('run', 'show', other)).toBe(1);
    expect(io.stderr.text).toBe(`flywheel: Job ${other} not found (HTTP 404)\n`);
  });

  it('cancels, and reports a conflict in the API’s words', async () => {
    api.on(
      `POST /api/jobs/${RUN_ID}/cancel`,
      { body: { id: RUN_ID, message: 'Job cancellation initiated successfully.', status: 'cancelled' } },
      {
        status: 409,
        body: { detail: `Cannot cancel job ${RUN_ID}: it has already finished (status completed).` },
      },
    );
    const first = setup();
    expect(await first.run('run', 'cancel', RUN_ID)).toBe(0);
    expect(first.io.stdout.text).toBe(`run ${RUN_ID}: Job cancellation initiated successfully. (cancelled)\n`);
    const second = setup();
    expect(await second.run('run', 'cancel', RUN_ID)).toBe(1);
    expect(second.io.stderr.text).toBe(
      `flywheel: Cannot cancel job ${RUN_ID}: it has already finished (status completed). (HTTP 409)\n`,
    );
  });

  it('deletes, and does not retry a refused delete', async () => {
    api.on(`DELETE /api/jobs/${RUN_ID}`, {
      status: 409,
      body: { detail: `Cannot delete job ${RUN_ID} while it is running. Please cancel the job first.` },
    });
    const { io, run } = setup();
    expect(await run('run', 'delete', RUN_ID)).toBe(1);
    expect(io.stderr.text).toContain('Please cancel the job first. (HTTP 409)');
    expect(api.requests).toHaveLength(1);
  });

  it('prints the deletion message', async () => {
    const message = 'Job deletion started. Resources will be cleaned up in the background.';
    api.on(`DELETE /api/jobs/${RUN_ID}`, { body: { id: RUN_ID, message } });
    const { io, run } = setup();
    expect(await run('run', 'delete', RUN_ID)).toBe(0);
    expect(io.stdout.text).toBe(`run ${RUN_ID}: ${message}\n`);
  });
});

describe('flywheel report', () => {
  it('prints the candidates ranked with their scores, gap and the recommendation', async () => {
    api.on(`GET /api/jobs/${RUN_ID}/report`, { body: report() });
    const { io, run } = setup();
    expect(await run('report', RUN_ID)).toBe(0);
    const lines = io.stdout.text.split('\n');
    expect(lines[0]).toBe(`report for run ${RUN_ID} (completed)`);
    expect(io.stdout.text).toContain(
      'metric   function_name_and_args_accuracy; teacher meta/llama-3.3-70b-instruct = 1.000; qualifies within 10%',
    );
    const header = lines.findIndex((l) => l.startsWith('RANK'));
    expect(lines[header]).toMatch(
      /RANK +CANDIDATE +BASE +ICL +CUSTOMIZED +BEST +GAP +SAMPLES +LATENCY +COST\/1K +STATUS/,
    );
    expect(lines[header + 1]).toMatch(
      /^1 \* +meta\/llama-3\.1-8b-instruct +0\.550 +0\.700 +0\.950 +customized +5\.0% +20 +— +— +completed$/,
    );
    expect(lines[header + 2]).toMatch(
      /^2 +meta\/llama-3\.2-1b-instruct +0\.200 +0\.350 +0\.850 +customized +15\.0% +20/,
    );
    expect(io.stdout.text).toContain(
      'recommendation: dfwbp/customized-meta-llama-3.1-8b-instruct (customized). meta/llama-3.1-8b-instruct after',
    );
  });

  it('shows latency and cost when the API reports them', async () => {
    api.on(`GET /api/jobs/${RUN_ID}/report`, { body: report({ withCost: true }) });
    const { io, run } = setup();
    expect(await run('report', RUN_ID)).toBe(0);
    expect(io.stdout.text).toMatch(/customized +5\.0% +20 +95 ms +\$0\.0056 \(-97%\) +completed/);
  });

  it('says when no candidate qualifies', async () => {
    const body = report();
    api.on(`GET /api/jobs/${RUN_ID}/report`, {
      body: {
        ...body,
        recommendation: { model_name: null, eval_type: null, rationale: 'No candidate is within 10%.' },
      },
    });
    const { io, run } = setup();
    expect(await run('report', RUN_ID)).toBe(0);
    expect(io.stdout.text).toContain('recommendation: none. No candidate is within 10%.');
    expect(io.stdout.text).not.toMatch(/^1 \*/m);
  });
});

describe('flywheel promote', () => {
  it('promotes the recommendation by default and prints what replaced what', async () => {
    api.on(`POST /api/jobs/${RUN_ID}/promote`, {
      body: {
        id: RUN_ID,
        model_name: 'meta/llama-3.1-8b-instruct',
        previous_model: 'meta/llama-3.3-70b-instruct',
        message: 'Model promoted.',
      },
    });
    const { io, run } = setup();
    expect(await run('promote', RUN_ID, '--by', 'ana', '--reason', 'cheaper')).toBe(0);
    expect(api.requests[0]?.body).toEqual({ promoted_by: 'ana', reason: 'cheaper' });
    expect(io.stdout.text).toBe(
      `promoted meta/llama-3.1-8b-instruct for run ${RUN_ID} (replaces meta/llama-3.3-70b-instruct): Model promoted.\n`,
    );
  });

  it('exits 1 with the API’s message when the run is not completed', async () => {
    const detail = `Cannot promote from job ${RUN_ID}: it is running, not completed.`;
    api.on(`POST /api/jobs/${RUN_ID}/promote`, { status: 409, body: { detail } });
    const { io, run } = setup();
    expect(await run('promote', RUN_ID, '--model', 'm')).toBe(1);
    expect(api.requests[0]?.body).toEqual({ model_name: 'm' });
    expect(io.stderr.text).toBe(`flywheel: ${detail} (HTTP 409)\n`);
  });
});
