// NeMo Data Store: namespaces (form-encoded) and the Hugging Face Hub protocol subset @huggingface/hub uses
// under `/v1/hf`: create/delete repo, preupload (every file "regular"), NDJSON commit, resolve with ranges.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type Router } from '../http/router';
import { type Reply, fail, formBody, jsonBody, ok } from '../http/reply';
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
  z.object({ key: z.literal('lfsFile'), value: z.object({ path: z.string() }).passthrough() }),
]);

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
    const body = jsonBody(req, z.object({ files: z.array(z.object({ path: z.string() }).passthrough()) }));
    return ok({ files: body.files.map((f) => ({ path: f.path, uploadMode: 'regular', shouldIgnore: false })) });
  });

  router.add('POST', '/v1/hf/api/datasets/:ns/:name/commit/:rev', (req, p) => {
    const repo = state.repos.get(`${p.ns}/${p.name}`);
    if (!repo) return fail(404, `repository ${p.ns}/${p.name} not found`);
    const lines = req.body
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const hash = createHash('sha1');
    for (const line of lines) {
      const parsed = commitLine.safeParse(JSON.parse(line));
      if (!parsed.success) return fail(422, `bad commit line: ${line.slice(0, 80)}`);
      const op = parsed.data;
      switch (op.key) {
        case 'header':
          break;
        case 'file': {
          const bytes = Buffer.from(op.value.content, op.value.encoding === 'base64' ? 'base64' : 'utf8');
          repo.set(op.value.path, bytes);
          hash.update(bytes);
          state.answers.addJsonl(bytes.toString('utf8'));
          break;
        }
        case 'deletedFile':
          repo.delete(op.value.path);
          break;
        case 'lfsFile':
          return fail(422, 'LFS uploads are not simulated; preupload answers "regular" for every file');
      }
    }
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
