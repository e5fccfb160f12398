// The NeMo Customizer adapter's job lookup and losses against canned answers in NeMo's documented shapes: the job
// list (`{data, pagination}`, no output-model filter, so it is paged through newest first), output models with the
// `@<job id>` suffix NeMo may add, and the status's `metrics.metrics.{train_loss,val_loss}`.
import { createNemoPlatform } from './nemo-platform';

interface Listed {
  id: string;
  output_model: string | null;
  status: string;
  status_details?: Record<string, unknown>;
}

/** A fake Customizer: `GET /v1/customization/jobs` pages through `jobs`, `…/{id}` reads one; `/status` answers `status`. */
function fakeNemo(jobs: Listed[], status: Record<string, unknown> = {}) {
  const urls: string[] = [];
  const fetchImpl = (input: string | URL | Request): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    urls.push(url.pathname + url.search);
    if (url.pathname === '/v1/customization/jobs') {
      const page = Number(url.searchParams.get('page'));
      const size = Number(url.searchParams.get('page_size'));
      const data = jobs.slice((page - 1) * size, page * size);
      const body = {
        object: 'list',
        data,
        pagination: {
          page,
          page_size: size,
          current_page_size: data.length,
          total_pages: Math.ceil(jobs.length / size),
          total_results: jobs.length,
        },
      };
      return Promise.resolve(Response.json(body));
    }
    if (url.pathname.endsWith('/status')) return Promise.resolve(Response.json(status));
    const job = jobs.find((j) => url.pathname === `/v1/customization/jobs/${j.id}`);
    if (job) return Promise.resolve(Response.json(job));
    return Promise.resolve(Response.json({ detail: 'not found' }, { status: 404 }));
  };
  const platform = createNemoPlatform(
    { nemoBaseUrl: 'http://nemo.test', nimBaseUrl: 'http://nim.test', datastoreBaseUrl: 'http://ds.test' },
    { fetch: fetchImpl },
  );
  return { customization: platform.customization, urls };
}

const WANTED = 'dfwbp/customized-meta-llama-3.2-1b-instruct-run-7';
const identity = { runId: 'run-7', baseModel: 'meta/llama-3.2-1b-instruct' };
const other = (i: number): Listed => ({ id: `cust-${i}`, output_model: `dfwbp/other-${i}`, status: 'completed' });

describe('NemoCustomizationClient.findJob', () => {
  it('pages through the list (newest first) until it finds the output model, and reads the job as a snapshot', async () => {
    const jobs = [...Array.from({ length: 150 }, (_, i) => other(i))];
    jobs.push({
      id: 'cust-target',
      output_model: WANTED,
      status: 'running',
      status_details: {
        status: 'running',
        percentage_done: 40,
        epochs_completed: 1,
        steps_completed: 12,
        metrics: {
          keys: ['train_loss', 'val_loss'],
          metrics: {
            train_loss: [
              { step: 10, value: 1.8, timestamp: '2025-04-04T15:24:29' },
              { step: 20, value: 1.2, timestamp: '2025-04-04T15:25:29' },
            ],
            val_loss: [{ step: 12, value: 1.4 }],
          },
        },
      },
    });
    const { customization, urls } = fakeNemo(jobs);
    const found = await customization.findJob(identity);
    expect(found).toMatchObject({
      id: 'cust-target',
      outputModel: WANTED,
      status: 'running',
      progress: 40,
      epochsCompleted: 1,
      stepsCompleted: 12,
      trainLoss: 1.2,
      valLoss: 1.4,
    });
    expect(urls).toEqual([
      '/v1/customization/jobs?page=1&page_size=100&sort=-created_at',
      '/v1/customization/jobs?page=2&page_size=100&sort=-created_at',
    ]);
  });

  it('matches an output model NeMo suffixed with the job id, preferring a live job over a failed newer one', async () => {
    const { customization } = fakeNemo([
      { id: 'cust-new', output_model: WANTED, status: 'failed' },
      { id: 'cust-live', output_model: `${WANTED}@cust-live`, status: 'running' },
    ]);
    expect(await customization.findJob(identity)).toMatchObject({
      id: 'cust-live',
      outputModel: `${WANTED}@cust-live`,
    });
  });

  it('answers null when no job produces the model (a prefix of another name does not count)', async () => {
    const { customization } = fakeNemo([other(1), { id: 'cust-x', output_model: `${WANTED}0`, status: 'running' }]);
    expect(await customization.findJob(identity)).toBeNull();
  });

  it('answers a failed job when that is all there is (the caller decides)', async () => {
    const { customization } = fakeNemo([{ id: 'cust-f', output_model: WANTED, status: 'failed' }]);
    expect(await customization.findJob(identity)).toMatchObject({ id: 'cust-f', status: 'failed' });
  });
});

describe('NemoCustomizationClient.getJob losses', () => {
  it('reads the latest training and validation losses from the status metrics', async () => {
    const { customization } = fakeNemo([{ id: 'cust-1', output_model: WANTED, status: 'running' }], {
      status: 'running',
      percentage_done: 50,
      epochs_completed: 1,
      steps_completed: 20,
      metrics: {
        keys: ['train_loss', 'val_loss'],
        metrics: {
          train_loss: [
            { step: 20, value: 0.9 },
            { step: 10, value: 1.5 },
          ],
          val_loss: [],
        },
      },
    });
    const job = await customization.getJob('cust-1');
    expect(job).toMatchObject({ trainLoss: 0.9, valLoss: null, stepsCompleted: 20 });
  });

  it('has null losses when the status reports no metrics', async () => {
    const { customization } = fakeNemo([{ id: 'cust-1', output_model: WANTED, status: 'created' }], {
      status: 'created',
    });
    expect(await customization.getJob('cust-1')).toMatchObject({ trainLoss: null, valLoss: null });
  });
});
