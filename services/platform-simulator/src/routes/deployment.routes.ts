// NeMo Deployment Management. Like the real DMS, creating an existing deployment answers
// 500 "model deployment already exists" (the blueprint's comment: "Bug in DMS API").
import { z } from 'zod';
import { type Router } from '../http/router';
import { fail, jsonBody, ok } from '../http/reply';
import { type PlatformState } from '../state/platform-state';
import { type DeploymentRecord } from '../state/records';

const createBody = z
  .object({
    name: z.string().min(1),
    namespace: z.string().min(1),
    config: z
      .object({
        model: z.string().min(1),
        nim_deployment: z.object({ gpu: z.number().int().min(0).default(1) }).passthrough(),
      })
      .passthrough(),
  })
  .passthrough();

export function registerDeploymentRoutes(router: Router, state: PlatformState): void {
  router.add('POST', '/v1/deployment/model-deployments', (req) => {
    const body = jsonBody(req, createBody);
    const key = `${body.namespace}/${body.name}`;
    if (state.deployments.has(key)) return fail(500, `model deployment already exists: ${key}`);
    const record: DeploymentRecord = {
      name: body.name,
      namespace: body.namespace,
      model: body.config.model,
      gpus: body.config.nim_deployment.gpu,
      createdAt: state.now(),
      allocated: false,
      startedAt: null,
      status: 'created',
      description: null,
      fault: state.faults.takeJobFault('deployment', body.config.model),
      body,
    };
    state.deployments.set(key, record);
    return ok(view(record), 201);
  });

  router.add('GET', '/v1/deployment/model-deployments/:ns/:name', (_req, p) => {
    const d = state.deployments.get(`${p.ns}/${p.name}`);
    return d ? ok(view(d)) : fail(404, `model deployment ${p.ns}/${p.name} not found`);
  });

  router.add('DELETE', '/v1/deployment/model-deployments/:ns/:name', (_req, p) => {
    const key = `${p.ns}/${p.name}`;
    const d = state.deployments.get(key);
    if (!d) return fail(404, `model deployment ${key} not found`);
    state.releaseDeployment(d);
    state.deployments.delete(key);
    return ok({ message: `model deployment ${key} deleted` });
  });
}

function view(d: DeploymentRecord): Record<string, unknown> {
  return {
    ...d.body,
    name: d.name,
    namespace: d.namespace,
    status_details: { status: d.status, description: d.description },
    deployed: d.status === 'ready',
  };
}
