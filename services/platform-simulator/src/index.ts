// @flywheel/platform-simulator: a NeMo platform simulator for offline rehearsal and tests — not a model.
export { type PlatformSimulator, startPlatformSimulator } from './platform-simulator';
export {
  type SimulatorOptions,
  type SimulatorOptionsInput,
  EMBEDDING_MODEL,
  TEACHER_MODEL,
  simulatorOptionsSchema,
} from './options';
export { type Fault, type FaultInput, type JobFault, type JobFaultInput, FaultInjector } from './http/faults';
export { type PlatformState } from './state/platform-state';
export { embed } from './models/embeddings';
export { parameterBillions, sizeSkill, loraSkill, TEACHER_SKILL } from './models/model-profile';
export { rateSimilarity, rateToolCalls } from './models/simulated-judge';
export { SimulatorDataError } from './state/data-dir';
export { type RehearsalInput, type RehearsalResult, orderingProblems, rehearse } from './rehearsal';
