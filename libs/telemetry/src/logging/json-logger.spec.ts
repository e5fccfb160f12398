import { ROOT_CONTEXT, context, createContextKey, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { type DestinationStream } from 'pino';
import { JsonNestLogger, createJsonLogger, maskSecrets } from './json-logger';

function capture(): { lines: Record<string, unknown>[]; destination: DestinationStream } {
  const lines: Record<string, unknown>[] = [];
  return { lines, destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) } };
}

describe('JSON logs', () => {
  // Registers the AsyncLocalStorage context manager, as the SDK does in a service.
  beforeAll(() => new NodeTracerProvider().register());
  afterAll(() => {
    trace.disable();
    context.disable();
  });

  it('should carry the service, level, trace, span and run of the active context', () => {
    const { lines, destination } = capture();
    const logger = createJsonLogger({ service: 'deployer', destination });
    const span = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 });
    const ctx = trace.setSpan(ROOT_CONTEXT, span).setValue(createContextKey('flywheel.run_id'), 'run-9');
    context.with(ctx, () => logger.info('deployment ready'));
    logger.info('outside');

    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'deployer',
      msg: 'deployment ready',
      trace_id: 'a'.repeat(32),
      span_id: 'b'.repeat(16),
      run_id: 'run-9',
    });
    expect(lines[1]).not.toHaveProperty('trace_id');
    expect(lines[1]).not.toHaveProperty('run_id');
  });

  it('should never write a prompt, a completion or a secret', () => {
    const { lines, destination } = capture();
    const logger = createJsonLogger({ service: 'evaluator-driver', destination });
    logger.warn(
      {
        request: { model: 'm', messages: [{ role: 'user', content: 'my card is 4111 1111 1111 1111' }] },
        response: { choices: [{ message: { content: 'the answer text' } }] },
        headers: { authorization: 'Bearer abcdefghijklmnop' },
        api_key: 'nvapi-1234567890abcdefghij',
      },
      'call failed: POST https://host/v1?api_key=supersecret123 with Bearer abcdefghijklmnop',
    );
    const text = JSON.stringify(lines);
    for (const leaked of ['4111', 'the answer text', 'abcdefghijklmnop', 'nvapi-1234567890', 'supersecret123']) {
      expect(text).not.toContain(leaked);
    }
    expect(lines[0]).toMatchObject({ request: { model: 'm', messages: '<redacted>' }, api_key: '<redacted>' });
    expect(lines[0]?.msg).toBe('call failed: POST https://host/v1?api_key=<redacted> with Bearer <redacted>');
  });

  it('should mask secrets in free text but leave ordinary text alone', () => {
    expect(maskSecrets('password: hunter2; token=abc.def')).toBe('password: <redacted>; token=<redacted>');
    expect(maskSecrets('key sk-proj_abcdefghijklmnopqrstuv used')).toBe('key <redacted> used');
    expect(maskSecrets('3 records stored for agent.tool_router')).toBe('3 records stored for agent.tool_router');
  });

  it('should serve as Nest’s logger: levels, context and error stacks', () => {
    const { lines, destination } = capture();
    const nest = new JsonNestLogger(createJsonLogger({ service: 'x', destination }), ['log', 'error']);
    nest.log('listening on http://127.0.0.1:8000', 'HttpService');
    nest.debug('not shown', 'HttpService');
    nest.error('boom', 'Error: boom\n    at main (main.ts:1:1)', 'Bootstrap');
    nest.setLogLevels(['debug']);
    nest.debug({ records: 3 }, 'Writer');

    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', msg: 'listening on http://127.0.0.1:8000', context: 'HttpService' }),
      expect.objectContaining({
        level: 'error',
        msg: 'boom',
        context: 'Bootstrap',
        stack: expect.stringContaining('at main') as unknown,
      }),
      expect.objectContaining({ level: 'debug', records: 3, context: 'Writer' }),
    ]);
  });
});
