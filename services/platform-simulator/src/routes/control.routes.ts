// The simulator's own control surface (not part of any real platform): fault injection and a state summary.
import { type Router } from '../http/router';
import { faultSchema, jobFaultSchema } from '../http/faults';
import { jsonBody, ok } from '../http/reply';
import { type PlatformState } from '../state/platform-state';

export function registerControlRoutes(router: Router, state: PlatformState): void {
  router.add('POST', '/_sim/faults', (req) => {
    state.faults.add(jsonBody(req, faultSchema));
    return ok({ ok: true }, 201);
  });
  router.add('POST', '/_sim/job-faults', (req) => {
    state.faults.addJobFault(jsonBody(req, jobFaultSchema));
    return ok({ ok: true }, 201);
  });
  router.add('DELETE', '/_sim/faults', () => {
    state.faults.clear();
    return ok({ ok: true });
  });
  router.add('GET', '/_sim/state', () =>
    ok({
      persistent: state.persistent,
      gpus: { capacity: state.gpus.capacity, free: state.gpus.free },
      servedModels: state.servedModels(),
      datasets: [...state.datasets.keys()],
      deployments: [...state.deployments.values()].map((d) => ({ name: d.name, model: d.model, status: d.status })),
      customizationJobs: [...state.customizationJobs.values()].map((j) => ({
        id: j.id,
        status: j.status,
        outputModel: j.outputModel,
      })),
      evaluationJobs: [...state.evaluationJobs.values()].map((j) => ({ id: j.id, status: j.status, model: j.model })),
      knownPrompts: state.answers.size,
    }),
  );
}
