import { z } from 'zod';
import { PlatformHttpError, PlatformResponseError, PlatformTimeoutError } from '../errors';
import { HttpClient } from './http-client';
import { backoffDelay, parseRetryAfter } from './retry';

function fakeFetch(...responses: (Response | (() => Promise<Response>))[]): {
  fetch: typeof fetch;
  calls: RequestInit[];
} {
  const calls: RequestInit[] = [];
  let i = 0;
  const impl = (_input: unknown, init?: RequestInit): Promise<Response> => {
    calls.push(init ?? {});
    const r = responses[Math.min(i++, responses.length - 1)];
    return typeof r === 'function' ? r() : Promise.resolve(r!.clone());
  };
  return { fetch: impl, calls };
}

const sleeps: number[] = [];
const client = (f: typeof fetch, timeoutMs = 1000): HttpClient =>
  new HttpClient({
    baseUrl: 'http://x/',
    fetch: f,
    timeoutMs,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 },
    sleep: (ms) => Promise.resolve(void sleeps.push(ms)),
    random: () => 0.5,
  });
const schema = z.object({ id: z.string() });

describe('HttpClient', () => {
  beforeEach(() => (sleeps.length = 0));

  it('validates the body with zod', async () => {
    const f = fakeFetch(new Response('{"id":"a"}'));
    expect(await client(f.fetch).json({ call: 's.get', method: 'GET', path: '/a', schema })).toEqual({ id: 'a' });
    const bad = fakeFetch(new Response('{"id":1}'));
    await expect(client(bad.fetch).json({ call: 's.get', method: 'GET', path: '/a', schema })).rejects.toThrow(
      /^s.get failed: unexpected response: body does not match the expected shape \(id: Expected string/,
    );
    const malformed = fakeFetch(new Response('{"id":'));
    await expect(
      client(malformed.fetch).json({ call: 's.get', method: 'GET', path: '/a', schema }),
    ).rejects.toBeInstanceOf(PlatformResponseError);
  });

  it('honours Retry-After on 429/503, even for POST', async () => {
    const f = fakeFetch(new Response('', { status: 429, headers: { 'retry-after': '2' } }), new Response('{"id":"a"}'));
    await client(f.fetch).json({ call: 's.create', method: 'POST', path: '/a', json: {}, schema });
    expect(sleeps).toEqual([2000]);
  });

  it('retries 5xx only when idempotent, with jittered exponential backoff', async () => {
    const f = fakeFetch(
      new Response('', { status: 500 }),
      new Response('', { status: 502 }),
      new Response('{"id":"a"}'),
    );
    await client(f.fetch).json({ call: 's.get', method: 'GET', path: '/a', schema });
    expect(sleeps).toEqual([50, 100]);
    const post = fakeFetch(new Response('nope', { status: 500, statusText: 'Internal Server Error' }));
    const err = await client(post.fetch)
      .json({ call: 'customizer.createJob', method: 'POST', path: '/a', schema })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformHttpError);
    expect((err as Error).message).toBe('customizer.createJob failed: HTTP 500 Internal Server Error: nope');
    expect(post.calls).toHaveLength(1);
  });

  it('stops after maxAttempts', async () => {
    const f = fakeFetch(new Response('', { status: 503 }));
    await expect(client(f.fetch).send({ call: 's.get', method: 'GET', path: '/a' })).rejects.toMatchObject({
      status: 503,
    });
    expect(f.calls).toHaveLength(3);
  });

  it('times out with AbortSignal.timeout', async () => {
    const hang = (_: unknown, init?: RequestInit): Promise<Response> =>
      new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error)));
    const c = new HttpClient({
      baseUrl: 'http://x',
      fetch: hang,
      timeoutMs: 20,
      retry: { maxAttempts: 1 },
    });
    await expect(c.send({ call: 's.get', method: 'GET', path: '/a' })).rejects.toBeInstanceOf(PlatformTimeoutError);
  });

  it('computes backoff and parses Retry-After', () => {
    const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 300, maxRetryAfterMs: 5000 };
    expect(backoffDelay(policy, 1, () => 0.999)).toBe(99);
    expect(backoffDelay(policy, 4, () => 0.999)).toBe(299);
    expect(backoffDelay(policy, 1, () => 0, 60_000)).toBe(5000);
    expect(parseRetryAfter('1.5')).toBe(1500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('gives third-party clients a fetch that sends our credentials to our origin only', async () => {
    const seen: { url: string; auth: string | null }[] = [];
    const record = (input: unknown, init?: RequestInit): Promise<Response> => {
      seen.push({ url: String(input), auth: new Headers(init?.headers).get('authorization') });
      return Promise.resolve(new Response('ok'));
    };
    const http = new HttpClient({
      baseUrl: 'http://store.test/',
      headers: { authorization: 'Bearer ours' },
      fetch: record,
    });
    const f = http.rawFetch();
    await f('http://store.test/v1/hf/api/repos/create', { headers: { authorization: 'Bearer hf_placeholder' } });
    await f('https://bucket.s3.test/upload?X-Amz-Signature=x', {
      method: 'PUT',
      headers: { authorization: 'Bearer hf_placeholder' },
    });
    expect(seen).toEqual([
      { url: 'http://store.test/v1/hf/api/repos/create', auth: 'Bearer ours' },
      { url: 'https://bucket.s3.test/upload?X-Amz-Signature=x', auth: null },
    ]);
  });

  it('keeps binary bodies intact', async () => {
    const bytes = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0x00, 0x80]);
    const f = fakeFetch(new Response(bytes));
    const res = await client(f.fetch).send({ call: 's.zip', method: 'GET', path: '/z' });
    expect([...res.bytes]).toEqual([...bytes]);
  });
});
