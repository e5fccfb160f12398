// NeMo Data Store: namespaces (form-encoded) and the Hugging Face Hub protocol subset @huggingface/hub uses
// under `/v1/hf`: create/delete repo, preupload, NDJSON commit, resolve with ranges, and Git LFS for large files:
// preupload answers "lfs" from `lfsThresholdBytes` up, the LFS batch API hands out an upload URL on this server
// (basic transfer), the PUT is checked against its sha256, and the commit's `lfsFile` line refers to it by oid.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type Router } from '../http/router';
import { type Reply, fail, formBody, jsonBody, ok } from '../http/reply';
import { evalFileOf, looksLikeEvalRecords } from '../state/jsonl-files';
import { type PlatformState } from '../state/platform-state';

const repoBody = z.object({
  name: z.string().min(1),
  organization: z.string().min(1),
  type: z.string().default('model'),
});
const commitLine = z.discriminatedUnion('key', [
  z.object({ key: z.literal('header'), value: z.unknown() }),
  z.object({
    key: z.literal('file'),
    value: z.object({ path: z.string(), content: z.string(), encoding: z.string().optional() }),
  }),
  z.object({ key: z.literal('deletedFile'), value: z.object({ path: z.string() }) }),
  z.object({
    key: z.literal('lfsFile'),
    value: z.object({ path: z.string(), oid: z.string(), size: z.number().int().min(0) }).passthrough(),
  }),
]);
const lfsBatchBody = z.object({
  operation: z.enum(['upload', 'download']),
  transfers: z.array(z.string()).optional(),
  hash_algo: z.string().default('sha256'),
  objects: z.array(z.object({ oid: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().min(0) })),
});

export function registerDatastoreRoutes(router: Router, state: PlatformState, baseUrl: () => string): void {
  router.add('POST', '/v1/datastore/namespaces', (req) => {
    const namespace = formBody(req).get('namespace') ?? '';
    if (!namespace) return fail(422, 'namespace is required');
    if (state.datastoreNamespaces.has(namespace)) return fail(409, `namespace ${namespace} already exists`);
    state.datastoreNamespaces.add(namespace);
    return ok({ namespace }, 201);
  });

  router.add('POST', '/v1/hf/api/repos/create', (req) => {
    const body = jsonBody(req, repoBody);
    const id = `${body.organization}/${body.name}`;
    if (state.repos.has(id)) return fail(409, `You already created this ${body.type} repo: ${id}`);
    state.repos.set(id, new Map());
    return ok({ url: `${baseUrl()}/v1/hf/datasets/${id}`, id });
  });

  router.add('DELETE', '/v1/hf/api/repos/delete', (req) => {
    const body = jsonBody(req, repoBody);
    const id = `${body.organization}/${body.name}`;
    if (!state.repos.delete(id)) return fail(404, `repository ${id} not found`);
    return ok({});
  });

  router.add('POST', '/v1/hf/api/datasets/:ns/:name/preupload/:rev', (req, p) => {
    if (!state.repos.has(`${p.ns}/${p.name}`)) return fail(404, `repository ${p.ns}/${p.name} not found`);
    const body = jsonBody(
      req,
      z.object({
        files: z.array(z.object({ path: z.string(), size: z.number().int().min(0).optional() }).passthrough()),
      }),
    );
    return ok({
      files: body.files.map((f) => ({
        path: f.path,
        uploadMode: (f.size ?? 0) >= state.options.lfsThresholdBytes ? 'lfs' : 'regular',
        shouldIgnore: false,
      })),
    });
  });

  router.add('POST', '/v1/hf/datasets/:ns/:repo/info/lfs/objects/batch', (req, p) => {
    const name = (p.repo ?? '').replace(/\.git$/, '');
    if (!state.repos.has(`${p.ns}/${name}`)) return fail(404, `repository ${p.ns}/${name} not found`);
    const body = jsonBody(req, lfsBatchBody);
    if (body.operation !== 'upload') return fail(422, 'only LFS uploads are simulated; download with resolve');
    if (body.hash_algo !== 'sha256' && body.hash_algo !== 'sha_256') {
      return fail(422, `hash_algo ${body.hash_algo} is not supported`);
    }
    if (body.transfers && !body.transfers.includes('basic'))
      return fail(422, 'only the basic LFS transfer is simulated');
    return ok({
      transfer: 'basic',
      hash_algo: 'sha256',
      objects: body.objects.map((o) => ({
        oid: o.oid,
        size: o.size,
        authenticated: true,
        // An object we hold already needs no upload (the client then skips the PUT).
        ...(state.lfsObjects.has(o.oid)
          ? {}
          : { actions: { upload: { href: `${baseUrl()}/v1/hf/_lfs/${p.ns}/${name}/${o.oid}`, expires_in: 3600 } } }),
      })),
    });
  });

  router.add('PUT', '/v1/hf/_lfs/:ns/:name/:oid', (req, p) => {
    if (!state.repos.has(`${p.ns}/${p.name}`)) return fail(404, `repository ${p.ns}/${p.name} not found`);
    const oid = createHash('sha256').update(req.body).digest('hex');
    if (oid !== p.oid) return fail(422, `uploaded content has sha256 ${oid}, not ${p.oid}`);
    state.lfsObjects.set(oid, req.body);
    return ok({});
  });

  // A commit applies all its operations or none (a bad line is refused before anything changes).
  router.add('POST', '/v1/hf/api/datasets/:ns/:name/commit/:rev', (req, p) => {
    const repo = state.repos.get(`${p.ns}/${p.name}`);
    if (!repo) return fail(404, `repository ${p.ns}/${p.name} not found`);
    const ops: ({ path: string; bytes: Buffer } | { path: string; bytes: null })[] = [];
    for (const line of req.body.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      const parsed = commitLine.safeParse(parseJsonOrNull(line));
      if (!parsed.success) return fail(422, `bad commit line: ${line.slice(0, 80)}`);
      const op = parsed.data;
      switch (op.key) {
        case 'header':
          break;
        case 'file':
          ops.push({
            path: op.value.path,
            bytes: Buffer.from(op.value.content, op.value.encoding === 'base64' ? 'base64' : 'utf8'),
          });
          break;
        case 'deletedFile':
          ops.push({ path: op.value.path, bytes: null });
          break;
        case 'lfsFile': {
          const bytes = state.lfsObjects.get(op.value.oid);
          if (!bytes) return fail(422, `LFS object ${op.value.oid} for ${op.value.path} was never uploaded`);
          if (bytes.length !== op.value.size) {
            return fail(422, `LFS object ${op.value.oid} is ${bytes.length} bytes, the commit says ${op.value.size}`);
          }
          ops.push({ path: op.value.path, bytes });
          break;
        }
      }
    }
    const hash = createHash('sha1');
    for (const op of ops) {
      if (op.bytes === null) {
        repo.delete(op.path);
        continue;
      }
      repo.set(op.path, op.bytes);
      hash.update(op.bytes);
      // Eval files teach the simulated teacher its answers; their records are parsed once (evaluations reuse them).
      if (looksLikeEvalRecords(op.bytes)) state.answers.addRecords(evalFileOf(op.bytes).records);
    }
    if (state.lfsObjects.size > 0)
      for (const op of ops) if (op.bytes) state.lfsObjects.delete(createHash('sha256').update(op.bytes).digest('hex'));
    const oid = hash.digest('hex');
    return ok({
      success: true,
      commitOid: oid,
      commitUrl: `${baseUrl()}/v1/hf/datasets/${p.ns}/${p.name}/commit/${oid}`,
    });
  });

  router.add('GET', '/v1/hf/datasets/:ns/:name/resolve/:rev/*path', (req, p) =>
    resolveFile(state, req.headers.range, p),
  );
}

function resolveFile(state: PlatformState, range: string | string[] | undefined, p: Record<string, string>): Reply {
  const repo = state.repos.get(`${p.ns}/${p.name}`);
  if (!repo)
    return { ...fail(404, `repository ${p.ns}/${p.name} not found`), headers: { 'x-error-code': 'RepoNotFound' } };
  const file = repo.get(p.path ?? '');
  if (!file) return { ...fail(404, `entry ${p.path} not found`), headers: { 'x-error-code': 'EntryNotFound' } };
  const etag = `"${createHash('sha1').update(file).digest('hex')}"`;
  const m = typeof range === 'string' ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
  if (m) {
    const start = Number(m[1]);
    const end = Math.min(m[2] ? Number(m[2]) : file.length - 1, file.length - 1);
    return {
      status: 206,
      headers: {
        'content-range': `bytes ${start}-${end}/${file.length}`,
        etag,
        'content-type': 'application/octet-stream',
      },
      raw: file.subarray(start, end + 1),
    };
  }
  return { status: 200, headers: { etag, 'content-type': 'application/octet-stream' }, raw: file };
}

function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
