import { RegistryError } from './errors';
import { SchemaRegistryCore } from './registry';
import { route, type RouteRequest } from './routes';

const schema = '{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}';

describe('route', () => {
  let registry: SchemaRegistryCore;
  const logs: string[] = [];
  const call = (method: string, path: string, body?: unknown): unknown => {
    const url = new URL(path, 'http://registry');
    const request: RouteRequest = {
      method,
      segments: url.pathname
        .split('/')
        .filter((s) => s)
        .map(decodeURIComponent),
      query: url.searchParams,
      body: Buffer.from(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)),
    };
    return route({ registry, log: (msg) => logs.push(msg) }, request);
  };
  const failure = (method: string, path: string, body?: unknown): { status: number; body: unknown } => {
    try {
      call(method, path, body);
    } catch (err) {
      if (err instanceof RegistryError) return { status: err.status, body: err.toBody() };
      throw err;
    }
    throw new Error(`expected ${method} ${path} to fail`);
  };

  beforeEach(() => {
    registry = new SchemaRegistryCore();
    logs.length = 0;
  });

  it('serves the Confluent shapes', () => {
    expect(call('POST', '/subjects/a%2Fb/versions', { schema })).toEqual({ id: 1 });
    expect(logs).toEqual(["registered subject 'a/b' version 1 (schema id 1)"]);
    expect(call('GET', '/subjects')).toEqual(['a/b']);
    expect(call('GET', '/subjects/a%2Fb/versions/latest')).toEqual({ subject: 'a/b', version: 1, id: 1, schema });
    expect(call('GET', '/subjects/a%2Fb/versions/-1/schema')).toEqual(JSON.parse(schema));
    expect(call('POST', '/subjects/a%2Fb', { schema, schemaType: null, metadata: null })).toMatchObject({ id: 1 });
    expect(call('GET', '/schemas/ids/1')).toEqual({ schema });
    expect(call('GET', '/schemas/ids/1/versions')).toEqual([{ subject: 'a/b', version: 1 }]);
    expect(call('GET', '/schemas/types')).toEqual(['AVRO']);
    expect(call('GET', '/config')).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect(call('PUT', '/config/a%2Fb', { compatibility: 'full' })).toEqual({ compatibility: 'FULL' });
    expect(call('GET', '/config/a%2Fb')).toEqual({ compatibilityLevel: 'FULL' });
    expect(call('GET', '/config/other?defaultToGlobal=true')).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect(call('POST', '/compatibility/subjects/a%2Fb/versions/latest', { schema: '"string"' })).toEqual({
      is_compatible: false,
    });
    expect(call('POST', '/compatibility/subjects/a%2Fb/versions?verbose=true', { schema })).toEqual({
      is_compatible: true,
      messages: [],
    });
    expect(call('DELETE', '/subjects/a%2Fb')).toEqual([1]);
  });

  it('answers errors with Confluent codes', () => {
    expect(failure('GET', '/schemas/ids/42')).toEqual({
      status: 404,
      body: { error_code: 40403, message: 'Schema 42 not found' },
    });
    expect(failure('GET', '/schemas/ids/abc').body).toMatchObject({ error_code: 40403 });
    expect(failure('GET', '/subjects/x/versions/0')).toMatchObject({ status: 422, body: { error_code: 42202 } });
    expect(failure('GET', '/subjects/x/versions/1')).toMatchObject({ status: 404, body: { error_code: 40401 } });
    expect(failure('GET', '/config/x')).toMatchObject({ status: 404, body: { error_code: 40408 } });
    expect(failure('PUT', '/config', { compatibility: 'SIDEWAYS' })).toMatchObject({ body: { error_code: 42203 } });
    expect(failure('PUT', '/config', {})).toMatchObject({ status: 422, body: { error_code: 422 } });
    expect(failure('POST', '/subjects/x/versions', '{"schema":')).toMatchObject({ status: 400 });
    expect(failure('POST', '/subjects/x/versions')).toMatchObject({ status: 400 });
    expect(failure('POST', '/subjects/x/versions', { schema: 42 })).toMatchObject({ status: 422 });
    expect(failure('GET', '/nope')).toMatchObject({ status: 404, body: { error_code: 404 } });
    expect(failure('PATCH', '/subjects')).toMatchObject({ status: 405, body: { error_code: 405 } });
  });
});
