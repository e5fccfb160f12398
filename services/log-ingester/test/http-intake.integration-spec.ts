// POST /v1/logs through a real HTTP server: every named bad input answered with a clear reason (per line for
// NDJSON) while the valid neighbours are stored, the documented status codes, and idempotent retries.
import { type SqliteLogStore } from '@flywheel/stores';
import {
  openStore,
  sampleLogLines,
  startIngester,
  startStack,
  storedCount,
  testEnv,
  type RunningIngester,
  type Stack,
} from './ingester-fixtures';

let stack: Stack;
let ingester: RunningIngester;
let reader: SqliteLogStore;

beforeAll(async () => {
  stack = await startStack();
  ingester = await startIngester(
    testEnv(stack, {
      INGESTER_MAX_RECORD_BYTES: '20000',
      INGESTER_HTTP_MAX_BODY_BYTES: '200000',
      INGESTER_BUFFER_MAX_BYTES: '300000',
    }),
  );
  reader = await openStore(stack);
});

afterAll(async () => {
  await ingester.service.close();
  await reader.close();
  await stack.stop();
});

const lines = sampleLogLines();
let unique = 0;
/** A valid record no other test sends (distinct content → distinct id). */
function fresh(extra: Record<string, unknown> = {}): Record<string, unknown> {
  unique += 1;
  return { ...lines[unique % lines.length], timestamp: 1767225600 + unique, ...extra };
}
const ndjson = (...parts: (string | Buffer)[]): Buffer =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(`${p}\n`) : Buffer.concat([p, Buffer.from('\n')]))),
  );

describe('POST /v1/logs', () => {
  it('should store the valid lines of an NDJSON batch and answer each bad line by number (207)', async () => {
    const before = await storedCount(reader);
    const invalidUtf8 = Buffer.concat([
      Buffer.from('{"workload_id":"'),
      Buffer.from([0xe2, 0x28, 0xa1]),
      Buffer.from('"}'),
    ]);
    const body = ndjson(
      JSON.stringify(fresh()),
      'this is not json',
      '"just a string"',
      JSON.stringify(fresh({ workload_id: undefined })),
      JSON.stringify(fresh({ timestamp: 'soon', request: { model: 'm', messages: [] } })),
      JSON.stringify(fresh({ padding: 'y'.repeat(25_000) })),
      invalidUtf8,
      '',
      JSON.stringify(fresh()),
    );

    const res = await ingester.post(body);

    expect(res.status).toBe(207);
    expect(res.body).toEqual({
      received: 8,
      stored: 2,
      rejected: 6,
      errors: [
        { line: 2, error: 'corrupt', reason: "not JSON: Unexpected token 'h'" },
        { line: 3, error: 'invalid-payload', reason: 'not a JSON object: got a string; a log record is one object' },
        { line: 4, error: 'invalid-payload', reason: 'not a valid log record: workload_id: required' },
        {
          line: 5,
          error: 'invalid-payload',
          reason:
            'not a valid log record: timestamp: Invalid datetime; request.messages: Array must contain at least 1 element(s)',
        },
        {
          line: 6,
          error: 'too-large',
          reason: expect.stringMatching(/^record is \d+ bytes, over the limit of 20000 bytes$/) as unknown,
        },
        { line: 7, error: 'corrupt', reason: 'not valid UTF-8: bad byte sequence at byte offset 16' },
      ],
    });
    expect(await storedCount(reader)).toBe(before + 2);
  });

  it('should answer 200 for one valid application/json record, and 422 for JSON that is not one', async () => {
    const ok = await ingester.post(JSON.stringify(fresh()), 'application/json; charset=utf-8');
    expect(ok).toEqual({ status: 200, body: { received: 1, stored: 1, rejected: 0, errors: [] } });

    const array = await ingester.post(JSON.stringify([fresh(), fresh()]), 'application/json');
    expect(array.status).toBe(422);
    expect(array.body).toMatchObject({
      stored: 0,
      errors: [
        {
          line: 1,
          error: 'invalid-payload',
          reason:
            'not a JSON object: got an array; a log record is one object (send several records as application/x-ndjson, one per line)',
        },
      ],
    });
  });

  it('should answer 422 when no line of a batch is a valid record', async () => {
    const res = await ingester.post(ndjson('{"a": 1}', '[1]'));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ received: 2, stored: 0, rejected: 2 });
  });

  it('should refuse a body that is not NDJSON (one JSON document over several lines) with 400', async () => {
    const pretty = JSON.stringify([fresh(), fresh()], null, 2);
    const res = await ingester.post(pretty);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'not-ndjson',
      message: expect.stringMatching(
        /^the body is one JSON document spread over \d+ lines, not NDJSON: put each record on one line/,
      ) as unknown,
    });
  });

  it.each([
    ['text/plain', 415, 'unsupported-media-type', /Content-Type text\/plain is not supported/],
    ['application/json; charset=latin1', 415, 'unsupported-charset', /charset latin1 is not supported/],
  ])('should refuse Content-Type %s with %i', async (type, status, error, message) => {
    const res = await ingester.post(JSON.stringify(fresh()), type);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error, message: expect.stringMatching(message) as unknown });
  });

  it('should refuse an empty body (400) and a body over the limit (413)', async () => {
    expect(await ingester.post('\n\n')).toEqual({
      status: 400,
      body: { error: 'empty-body', message: expect.stringMatching(/^the body is empty/) as unknown },
    });
    const huge = ndjson(...Array.from({ length: 20 }, () => JSON.stringify(fresh({ padding: 'p'.repeat(15_000) }))));
    const declared = await ingester.post(huge);
    expect(declared.status).toBe(413);
    expect(declared.body).toEqual({
      error: 'payload-too-large',
      message: expect.stringMatching(/over the limit of 200000/) as unknown,
    });
    // Without a Content-Length (chunked), reading stops at the limit.
    const chunked = await fetch(`${ingester.service.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: new Blob([huge]).stream(),
      duplex: 'half',
    });
    expect(chunked.status).toBe(413);
  });

  it('should answer 503 (retry) instead of holding more bodies than its buffer allows', async () => {
    let finish: () => void = () => undefined;
    const held = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`${JSON.stringify(fresh())}\n`));
        finish = () => controller.close();
      },
    });
    // No Content-Length: the held request counts as a maximal body (200000 of the 300000 bytes).
    const first = fetch(`${ingester.service.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: held,
      duplex: 'half',
    });
    await new Promise((r) => setTimeout(r, 200));
    const refused = await ingester.post(
      ndjson(JSON.stringify(fresh({ padding: 'q'.repeat(19_000) })))
        .toString()
        .repeat(6),
    );
    expect(refused).toEqual({
      status: 503,
      body: { error: 'busy', message: expect.stringMatching(/retry shortly/) as unknown },
    });
    finish();
    expect((await first).status).toBe(200);
  });

  it('should store nothing twice when a client retries a request', async () => {
    const body = ndjson(JSON.stringify(fresh()), JSON.stringify(fresh({ log_id: `retry-${Date.now()}` })));
    const before = await storedCount(reader);
    const first = await ingester.post(body);
    const retry = await ingester.post(body);
    expect(first.body).toMatchObject({ stored: 2 });
    expect(retry.body).toMatchObject({ stored: 2 }); // durable either way: the ids are stable
    expect(await storedCount(reader)).toBe(before + 2);
    expect((await ingester.get('/metrics')).body).toMatch(
      /flywheel_log_records_duplicate_total\{service="log-ingester"\} [1-9]/,
    );
  });
});
