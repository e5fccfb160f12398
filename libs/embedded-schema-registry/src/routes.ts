// The Confluent REST subset: route table, request-body validation (zod), and the JSON each route answers with.
// Pure request-in, response-out, so it is testable without sockets; http-server.ts does the I/O.
import { z } from 'zod';
import {
  describeZodError,
  errorMessage,
  invalidVersion,
  malformedBody,
  methodNotAllowed,
  routeNotFound,
  schemaNotFound,
  unprocessableBody,
} from './errors';
import { type SchemaInput, type SchemaRegistryCore, type SchemaView, type VersionSpec } from './registry';

export interface RouteRequest {
  readonly method: string;
  /** Decoded path segments, e.g. ['subjects', 'a/b', 'versions']. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  readonly body: Buffer;
}

export interface RouteContext {
  readonly registry: SchemaRegistryCore;
  readonly log: (msg: string) => void;
}

interface HandlerArgs extends RouteContext {
  readonly request: RouteRequest;
  readonly param: (name: string) => string;
}

type Handler = (args: HandlerArgs) => unknown;

interface Route {
  readonly pattern: readonly string[];
  readonly methods: Readonly<Partial<Record<string, Handler>>>;
}

const referenceBody = z.object({ name: z.string(), subject: z.string(), version: z.number().int().positive() });

// Unknown keys (metadata, ruleSet, id, version from newer Confluent clients) are accepted and ignored.
const schemaBody = z.object({
  schema: z.string(),
  schemaType: z.string().nullish(),
  references: z.array(referenceBody).nullish(),
});

// Confluent documents `compatibility`; some tools send the GET shape's `compatibilityLevel` back.
const configBody = z
  .object({ compatibility: z.string().optional(), compatibilityLevel: z.string().optional() })
  .transform((b) => b.compatibility ?? b.compatibilityLevel)
  .refine((level): level is string => level !== undefined, { message: 'compatibility is required' });

const MAX_INT32 = 2 ** 31 - 1;

const routes: readonly Route[] = [
  { pattern: [], methods: { GET: () => ({}) } },
  { pattern: ['subjects'], methods: { GET: ({ registry }) => registry.subjects() } },
  {
    pattern: ['subjects', ':subject'],
    methods: {
      POST: ({ registry, param, request }) => versionBody(registry.lookup(param('subject'), schemaInput(request))),
      DELETE: ({ registry, param, log }) => {
        const deleted = registry.deleteSubject(param('subject'));
        log(`deleted subject '${param('subject')}' (versions ${deleted.join(', ')})`);
        return deleted;
      },
    },
  },
  {
    pattern: ['subjects', ':subject', 'versions'],
    methods: {
      GET: ({ registry, param }) => registry.versions(param('subject')),
      POST: ({ registry, param, request, log }) => {
        const subject = param('subject');
        const result = registry.register(subject, schemaInput(request));
        if (result.created) log(`registered subject '${subject}' version ${result.version} (schema id ${result.id})`);
        return { id: result.id };
      },
    },
  },
  {
    pattern: ['subjects', ':subject', 'versions', ':version'],
    methods: {
      GET: ({ registry, param }) => versionBody(registry.version(param('subject'), versionSpec(param('version')))),
      DELETE: ({ registry, param, log }) => {
        const deleted = registry.deleteVersion(param('subject'), versionSpec(param('version')));
        log(`deleted subject '${param('subject')}' version ${deleted}`);
        return deleted;
      },
    },
  },
  {
    pattern: ['subjects', ':subject', 'versions', ':version', 'schema'],
    methods: {
      GET: ({ registry, param }) => rawSchema(registry.version(param('subject'), versionSpec(param('version')))),
    },
  },
  { pattern: ['schemas', 'types'], methods: { GET: () => ['AVRO'] } },
  {
    pattern: ['schemas', 'ids', ':id'],
    methods: { GET: ({ registry, param }) => schemaBodyOf(registry.schemaById(schemaId(param('id')))) },
  },
  {
    pattern: ['schemas', 'ids', ':id', 'versions'],
    methods: { GET: ({ registry, param }) => registry.subjectVersionsForId(schemaId(param('id'))) },
  },
  {
    pattern: ['schemas', 'ids', ':id', 'schema'],
    methods: { GET: ({ registry, param }) => rawSchema(registry.schemaById(schemaId(param('id')))) },
  },
  {
    pattern: ['config'],
    methods: {
      GET: ({ registry }) => ({ compatibilityLevel: registry.globalCompatibility() }),
      PUT: ({ registry, request, log }) => {
        const level = registry.setGlobalCompatibility(parseBody(request.body, configBody));
        log(`global compatibility set to ${level}`);
        return { compatibility: level };
      },
    },
  },
  {
    pattern: ['config', ':subject'],
    methods: {
      GET: ({ registry, param, request }) => ({
        compatibilityLevel: registry.subjectCompatibility(
          param('subject'),
          request.query.get('defaultToGlobal') === 'true',
        ),
      }),
      PUT: ({ registry, param, request }) => ({
        compatibility: registry.setSubjectCompatibility(param('subject'), parseBody(request.body, configBody)),
      }),
      DELETE: ({ registry, param }) => ({ compatibilityLevel: registry.deleteSubjectCompatibility(param('subject')) }),
    },
  },
  {
    pattern: ['compatibility', 'subjects', ':subject', 'versions'],
    methods: {
      POST: ({ registry, param, request }) =>
        compatibilityBody(registry.testCompatibility(param('subject'), 'all', schemaInput(request)), request),
    },
  },
  {
    pattern: ['compatibility', 'subjects', ':subject', 'versions', ':version'],
    methods: {
      POST: ({ registry, param, request }) =>
        compatibilityBody(
          registry.testCompatibility(param('subject'), versionSpec(param('version')), schemaInput(request)),
          request,
        ),
    },
  },
];

/** Answers one request; throws RegistryError for every Confluent-style error answer. */
export function route(context: RouteContext, request: RouteRequest): unknown {
  const path = '/' + request.segments.map(encodeURIComponent).join('/');
  let pathMatched = false;
  for (const r of routes) {
    const params = match(r.pattern, request.segments);
    if (!params) continue;
    pathMatched = true;
    const handler = r.methods[request.method];
    if (!handler) continue;
    const param = (name: string): string => {
      const value = params.get(name);
      if (value === undefined) throw new Error(`internal: route ${r.pattern.join('/')} has no :${name}`);
      return value;
    };
    return handler({ ...context, request, param });
  }
  throw pathMatched ? methodNotAllowed(request.method, path) : routeNotFound(request.method, path);
}

function match(pattern: readonly string[], segments: readonly string[]): Map<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params = new Map<string, string>();
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? '';
    const s = segments[i] ?? '';
    if (p.startsWith(':')) params.set(p.slice(1), s);
    else if (p !== s) return undefined;
  }
  return params;
}

function parseBody<T>(body: Buffer, schema: z.ZodType<T, z.ZodTypeDef, unknown>): T {
  if (body.length === 0) throw malformedBody('Request body is empty; expected a JSON object');
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8')) as unknown;
  } catch (err) {
    throw malformedBody(`Request body is not valid JSON: ${errorMessage(err)}`);
  }
  const result = schema.safeParse(json);
  if (!result.success) throw unprocessableBody(describeZodError(result.error));
  return result.data;
}

function schemaInput(request: RouteRequest): SchemaInput {
  return parseBody(request.body, schemaBody);
}

// Confluent accepts 'latest' and -1 for the latest version, otherwise 1..2^31-1.
function versionSpec(raw: string): VersionSpec {
  if (raw === 'latest' || raw === '-1') return 'latest';
  if (/^[1-9][0-9]{0,9}$/.test(raw) && Number(raw) <= MAX_INT32) return Number(raw);
  throw invalidVersion(raw);
}

function schemaId(raw: string): number {
  if (/^[0-9]{1,10}$/.test(raw) && Number(raw) <= MAX_INT32) return Number(raw);
  throw schemaNotFound(`Schema ${raw} not found`);
}

// schemaType is left out for AVRO, as Confluent does; references only when there are some.
function schemaBodyOf(view: SchemaView): { schema: string; references?: SchemaView['references'] } {
  return view.references.length > 0 ? { schema: view.schema, references: view.references } : { schema: view.schema };
}

function versionBody(view: { subject: string; version: number; id: number } & SchemaView): unknown {
  return { subject: view.subject, version: view.version, id: view.id, ...schemaBodyOf(view) };
}

function rawSchema(view: SchemaView): unknown {
  return JSON.parse(view.schema) as unknown;
}

function compatibilityBody(problems: readonly string[], request: RouteRequest): unknown {
  const verbose = request.query.get('verbose') === 'true';
  return verbose
    ? { is_compatible: problems.length === 0, messages: problems }
    : { is_compatible: problems.length === 0 };
}
