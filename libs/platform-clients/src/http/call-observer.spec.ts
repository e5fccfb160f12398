import { z } from 'zod';
import { PlatformHttpError, PlatformNetworkError, PlatformResponseError, PlatformTimeoutError } from '../errors';
import { type PlatformCallEvent } from './call-observer';
import { HttpClient } from './http-client';

const schema = z.object({ id: z.string() });

function observed(fetchImpl: typeof fetch, timeoutMs = 1000): { http: HttpClient; events: PlatformCallEvent[] } {
  const events: PlatformCallEvent[] = [];
  const http = new HttpClient({
    baseUrl: 'http://platform.test',
    fetch: fetchImpl,
    timeoutMs,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    sleep: () => Promise.resolve(),
    observer: { callEnded: (e) => events.push(e) },
  });
  return { http, events };
}

/** Answers with each response in turn (the last one repeats). */
function answers(...responses: (() => Response)[]): typeof fetch {
  let i = 0;
  return () => Promise.resolve(responses[Math.min(i++, responses.length - 1)]!());
}

const hang: typeof fetch = (_input, init) =>
  new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error)));

describe('HttpClient observer', () => {
  it('sees one ok call with its attempts, retries included', async () => {
    const { http, events } = observed(
      answers(
        () => new Response('', { status: 503 }),
        () => new Response('{"id":"a"}'),
      ),
    );
    await http.json({ call: 'nim.listModels', method: 'GET', path: '/v1/models', schema });
    expect(events).toEqual([
      { call: 'nim.listModels', method: 'GET', outcome: 'ok', attempts: 2, seconds: expect.any(Number) as number },
    ]);
    expect(events[0]!.seconds).toBeGreaterThanOrEqual(0);
  });

  it('sees an HTTP error by status class, a timeout and a network failure, once per call', async () => {
    const rejected = observed(answers(() => new Response('no', { status: 404 })));
    await expect(rejected.http.send({ call: 'customizer.getJob', method: 'GET', path: '/j' })).rejects.toBeInstanceOf(
      PlatformHttpError,
    );
    const failing = observed(answers(() => new Response('', { status: 500 })));
    await expect(failing.http.send({ call: 'customizer.getJob', method: 'GET', path: '/j' })).rejects.toBeInstanceOf(
      PlatformHttpError,
    );
    const slow = observed(hang, 10);
    await expect(
      slow.http.send({ call: 'customizer.createJob', method: 'POST', path: '/j', json: {} }),
    ).rejects.toBeInstanceOf(PlatformTimeoutError);
    const down = observed(() => Promise.reject(new TypeError('fetch failed')));
    await expect(down.http.send({ call: 'evaluator.getJob', method: 'GET', path: '/e' })).rejects.toBeInstanceOf(
      PlatformNetworkError,
    );

    expect(rejected.events.map((e) => [e.outcome, e.attempts])).toEqual([['http-4xx', 1]]);
    expect(failing.events.map((e) => [e.outcome, e.attempts])).toEqual([['http-5xx', 3]]); // idempotent: retried
    expect(slow.events.map((e) => [e.call, e.method, e.outcome, e.attempts])).toEqual([
      ['customizer.createJob', 'POST', 'timeout', 1], // POST: not retried after a timeout
    ]);
    expect(down.events.map((e) => [e.outcome, e.attempts])).toEqual([['network', 3]]);
  });

  it('counts a body that fails validation as a response error', async () => {
    const { http, events } = observed(answers(() => new Response('{"id":1}')));
    await expect(http.json({ call: 'evaluator.getResults', method: 'GET', path: '/r', schema })).rejects.toBeInstanceOf(
      PlatformResponseError,
    );
    expect(events.map((e) => e.outcome)).toEqual(['response']);
  });

  it('never lets a throwing observer fail the call', async () => {
    const http = new HttpClient({
      baseUrl: 'http://platform.test',
      fetch: answers(() => new Response('{"id":"a"}')),
      observer: {
        callEnded: () => {
          throw new Error('metrics broke');
        },
      },
    });
    await expect(http.json({ call: 's.get', method: 'GET', path: '/a', schema })).resolves.toEqual({ id: 'a' });
  });
});
