// NeMo Entity Store: namespaces, datasets and models (customized outputs).
import { z } from 'zod';
import { type Router } from '../http/router';
import { fail, jsonBody, ok } from '../http/reply';
import { type PlatformState } from '../state/platform-state';

const datasetBody = z
  .object({
    name: z.string().min(1),
    namespace: z.string().min(1),
    files_url: z.string().min(1),
    description: z.string().optional(),
    project: z.string().optional(),
  })
  .passthrough();

export function registerEntityStoreRoutes(router: Router, state: PlatformState): void {
  router.add('POST', '/v1/namespaces', (req) => {
    const { id } = jsonBody(req, z.object({ id: z.string().min(1) }));
    if (state.namespaces.has(id)) return fail(409, `namespace ${id} already exists`);
    state.namespaces.add(id);
    return ok({ id, created_at: new Date(state.now()).toISOString() }, 201);
  });
  router.add('GET', '/v1/namespaces/:id', (_req, p) =>
    state.namespaces.has(p.id ?? '') ? ok({ id: p.id }) : fail(404, `namespace ${p.id} not found`),
  );

  router.add('POST', '/v1/datasets', (req) => {
    const body = jsonBody(req, datasetBody);
    const key = `${body.namespace}/${body.name}`;
    if (state.datasets.has(key)) return fail(409, `dataset ${key} already exists`);
    const entity = { ...body, description: body.description ?? '', created_at: new Date(state.now()).toISOString() };
    state.datasets.set(key, entity);
    return ok(entity, 201);
  });
  router.add('GET', '/v1/datasets/:ns/:name', (_req, p) => {
    const d = state.datasets.get(`${p.ns}/${p.name}`);
    return d ? ok(d) : fail(404, `dataset ${p.ns}/${p.name} not found`);
  });
  router.add('PATCH', '/v1/datasets/:ns/:name', (req, p) => {
    const key = `${p.ns}/${p.name}`;
    const d = state.datasets.get(key);
    if (!d) return fail(404, `dataset ${key} not found`);
    const patch = jsonBody(req, datasetBody.partial());
    const updated = { ...d, ...patch, namespace: p.ns, name: p.name };
    state.datasets.set(key, updated);
    return ok(updated);
  });
  router.add('DELETE', '/v1/datasets/:ns/:name', (_req, p) =>
    state.datasets.delete(`${p.ns}/${p.name}`)
      ? ok({ message: 'deleted' })
      : fail(404, `dataset ${p.ns}/${p.name} not found`),
  );

  router.add('GET', '/v1/models/:ns/:name', (_req, p) => {
    const m = state.models.get(`${p.ns}/${p.name}`);
    return m
      ? ok({
          name: m.name,
          namespace: m.namespace,
          base_model: m.baseModel,
          created_at: new Date(m.createdAt).toISOString(),
        })
      : fail(404, `model ${p.ns}/${p.name} not found`);
  });
  router.add('DELETE', '/v1/models/:ns/:name', (_req, p) =>
    state.models.delete(`${p.ns}/${p.name}`)
      ? ok({ message: 'deleted' })
      : fail(404, `model ${p.ns}/${p.name} not found`),
  );
}
