// The default transport against a real local server: what HttpClient promises (typed errors, deadline over the
// body, abort, retries) holds on node:http, connections are reused, and bodies arrive byte-exact.
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { PlatformAbortedError, PlatformHttpError, PlatformNetworkError, PlatformTimeoutError } from '../errors';
import { HttpClient } from './http-client';
import { NodeHttpTransport } from './node-http-transport';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface Local {
  url: string;
  connections: () => number;
  close: () => Promise<void>;
}

const servers: Local[] = [];

async function serve(handler: Handler): Promise<Local> {
  let connections = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const local: Local = {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(local);
  return local;
}

const sleeps: number[] = [];

function client(baseUrl: string, options: { timeoutMs?: number; maxAttempts?: number } = {}): HttpClient {
  const http = new HttpClient({
    baseUrl,
    timeoutMs: options.timeoutMs ?? 5000,
    retry: { maxAttempts: options.maxAttempts ?? 1, baseDelayMs: 1, maxDelayMs: 1 },
    sleep: (ms) => Promise.resolve(void sleeps.push(ms)),
    headers: { authorization: 'Bearer ours' },
  });
  return http;
}

const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
};

beforeEach(() => (sleeps.length = 0));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('NodeHttpTransport (through HttpClient)', () => {
  it('validates a JSON answer and exposes status and headers', async () => {
    const s = await serve((_req, res) => json(res, 200, { id: 'a' }, { 'x-request-id': 'r1' }));
    const res = await client(s.url).send({ call: 's.get', method: 'GET', path: '/a' });
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Request-Id')).toBe('r1');
    expect(res.headers.get('absent')).toBeNull();
    expect(
      await client(s.url).json({ call: 's.get', method: 'GET', path: '/a', schema: z.object({ id: z.string() }) }),
    ).toEqual({ id: 'a' });
  });

  it('sends JSON and form bodies with their content type and length', async () => {
    const seen: { method?: string; type?: string; length?: string; auth?: string; body: string }[] = [];
    const s = await serve((req, res, body) => {
      seen.push({
        method: req.method,
        type: req.headers['content-type'],
        length: req.headers['content-length'],
        auth: req.headers.authorization,
        body,
      });
      json(res, 201, {});
    });
    const http = client(s.url);
    await http.send({ call: 's.create', method: 'POST', path: '/j', json: { name: 'é' } });
    await http.send({ call: 's.form', method: 'POST', path: '/f', form: { namespace: 'a b' } });
    expect(seen).toEqual([
      { method: 'POST', type: 'application/json', length: '13', auth: 'Bearer ours', body: '{"name":"é"}' },
      {
        method: 'POST',
        type: 'application/x-www-form-urlencoded',
        length: '13',
        auth: 'Bearer ours',
        body: 'namespace=a+b',
      },
    ]);
  });

  it('reuses one keep-alive connection for sequential calls', async () => {
    const s = await serve((_req, res) => json(res, 200, { ok: true }));
    const http = client(s.url);
    for (let i = 0; i < 10; i++) await http.send({ call: 's.get', method: 'GET', path: `/n/${i}` });
    expect(s.connections()).toBe(1);
  });

  it('returns a large binary body byte-exact', async () => {
    const zip = randomBytes(3 * 1024 * 1024 + 17);
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/zip' });
      // Several writes, so the body arrives in many chunks.
      for (let at = 0; at < zip.length; at += 100_000) res.write(zip.subarray(at, at + 100_000));
      res.end();
    });
    const res = await client(s.url).send({ call: 's.zip', method: 'GET', path: '/z' });
    expect(Buffer.from(res.bytes).equals(zip)).toBe(true);
  });

  it('decodes a gzip body a server sends unasked', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync('{"id":"z"}'));
    });
    expect((await client(s.url).send({ call: 's.get', method: 'GET', path: '/g' })).text).toBe('{"id":"z"}');
  });

  it('turns a non-2xx answer into PlatformHttpError with status, reason and body', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(500, 'Internal Server Error');
      res.end('nope');
    });
    const err = await client(s.url)
      .send({ call: 'customizer.createJob', method: 'POST', path: '/jobs', json: {} })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformHttpError);
    expect((err as Error).message).toBe('customizer.createJob failed: HTTP 500 Internal Server Error: nope');
  });

  it('honours Retry-After from a real 503', async () => {
    let n = 0;
    const s = await serve((_req, res) =>
      n++ === 0 ? json(res, 503, {}, { 'retry-after': '3' }) : json(res, 200, { id: 'a' }),
    );
    const res = await client(s.url, { maxAttempts: 2 }).send({ call: 's.create', method: 'POST', path: '/a' });
    expect(res.status).toBe(200);
    expect(sleeps).toEqual([3000]);
  });

  it('times out when the body stalls half-way', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"id": "only half'); // and never the rest
    });
    const err = await client(s.url, { timeoutMs: 200 })
      .send({ call: 's.get', method: 'GET', path: '/slow' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformTimeoutError);
    expect((err as Error).message).toBe('s.get failed: no response within 200 ms');
  });

  it("stops when the caller's signal aborts, and never starts when it already has", async () => {
    const s = await serve(() => undefined); // never answers
    const http = client(s.url);
    const controller = new AbortController();
    const pending = http.send({ call: 's.get', method: 'GET', path: '/hang', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(PlatformAbortedError);
    await expect(
      http.send({ call: 's.get', method: 'GET', path: '/hang', signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(PlatformAbortedError);
  });

  it('reports a refused connection as PlatformNetworkError, retried when idempotent', async () => {
    const s = await serve(() => undefined);
    await s.close();
    servers.splice(servers.indexOf(s), 1);
    const err = await client(s.url, { maxAttempts: 2 })
      .send({ call: 's.get', method: 'GET', path: '/a' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformNetworkError);
    expect((err as Error).message).toMatch(/^s.get failed: network error: .*ECONNREFUSED/);
    expect(sleeps).toHaveLength(1);
  });

  it('reports a connection dropped mid-body as PlatformNetworkError', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial": ');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await expect(client(s.url).send({ call: 's.get', method: 'GET', path: '/a' })).rejects.toBeInstanceOf(
      PlatformNetworkError,
    );
  });

  it('follows redirects as fetch does: 307 keeps the POST, 303 becomes GET, no credentials to another origin', async () => {
    const seen: string[] = [];
    const other = await serve((req, res, body) => {
      seen.push(`other ${req.method} ${req.url} auth=${req.headers.authorization ?? '-'} body=${body}`);
      json(res, 200, { at: 'other' });
    });
    const s = await serve((req, res, body) => {
      seen.push(`home ${req.method} ${req.url} auth=${req.headers.authorization ?? '-'} body=${body}`);
      if (req.url === '/keep') res.writeHead(307, { location: '/kept' }).end();
      else if (req.url === '/see') res.writeHead(303, { location: `${other.url}/seen` }).end();
      else json(res, 200, { at: 'home' });
    });
    const http = client(s.url);
    expect((await http.send({ call: 's.a', method: 'POST', path: '/keep', json: { a: 1 } })).text).toBe(
      '{"at":"home"}',
    );
    expect((await http.send({ call: 's.b', method: 'POST', path: '/see', json: { b: 2 } })).text).toBe(
      '{"at":"other"}',
    );
    expect(seen).toEqual([
      'home POST /keep auth=Bearer ours body={"a":1}',
      'home POST /kept auth=Bearer ours body={"a":1}',
      'home POST /see auth=Bearer ours body={"b":2}',
      'other GET /seen auth=- body=',
    ]);
  });

  it('serves concurrent calls on a bounded pool', async () => {
    const s = await serve((_req, res) => setTimeout(() => json(res, 200, {}), 20));
    const transport = new NodeHttpTransport({ maxSockets: 4 });
    const http = new HttpClient({ baseUrl: s.url, transport, retry: { maxAttempts: 1 } });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => http.send({ call: 's.get', method: 'GET', path: `/c/${i}` })),
    );
    expect(results.map((r) => r.status)).toEqual(Array<number>(20).fill(200));
    expect(s.connections()).toBeLessThanOrEqual(4);
    transport.close();
  });
});
