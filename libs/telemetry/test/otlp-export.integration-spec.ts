// The production path: a process with OTEL_EXPORTER_OTLP_ENDPOINT set exports its spans over OTLP/HTTP to the
// collector on shutdown, with its service name, the call's client span under the process's own span, W3C trace
// context on the outgoing request, and no second span for that request from the HTTP instrumentation (outgoing
// requests are left to HttpClient's own call spans).
import { spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

function collector(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received }),
    ),
  );
}

function runChild(env: Record<string, string>, callUrl: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'otlp-child.ts'), JSON.stringify(env), callUrl],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: { key: string; value: { stringValue?: string } }[];
}

describe('OTLP export', () => {
  it('sends the process’s spans to the collector named by OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const { server, url, received } = await collector();
    try {
      const { code, stderr } = await runChild({ OTEL_EXPORTER_OTLP_ENDPOINT: url }, `${url}/work`);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });

      const call = received.find((r) => r.path === '/work');
      expect(call?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      const exports = received.filter((r) => r.path === '/v1/traces');
      expect(exports.length).toBeGreaterThan(0);
      const payloads = exports.map(
        (e) =>
          JSON.parse(e.body) as {
            resourceSpans: {
              resource: { attributes: { key: string; value: { stringValue?: string } }[] };
              scopeSpans: { spans: OtlpSpan[] }[];
            }[];
          },
      );
      const resourceSpans = payloads.flatMap((p) => p.resourceSpans);
      const services = resourceSpans.flatMap((r) =>
        r.resource.attributes.filter((a) => a.key === 'service.name').map((a) => a.value.stringValue),
      );
      expect(new Set(services)).toEqual(new Set(['otlp-child']));
      const spans = resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
      const work = spans.find((s) => s.name === 'flywheel work');
      const client = spans.find((s) => s.name === 'GET');
      expect(spans.filter((s) => s.name === 'GET')).toHaveLength(1);
      expect(work?.attributes).toContainEqual({ key: 'flywheel.run_id', value: { stringValue: 'run-otlp' } });
      expect(client?.parentSpanId).toBe(work?.spanId);
      // The header the server saw names the client span: the collector's trace and the call's are one.
      expect(call?.headers.traceparent).toContain(`${client?.traceId ?? 'none'}-${client?.spanId ?? 'none'}`);
    } finally {
      server.close();
    }
  });
});
