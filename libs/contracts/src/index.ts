export * from './event-contract';
export * from './scalars';
export * from './generated';
export * from './topics';
export * from './raw-topics';
export { deterministicEventId, uuidV5 } from './event-ids';
export * from './inputs';
export { parseAvroSchema, LOGICAL_TYPES } from './avro/logical-types';
export { evolutionProblems, readProblems, type EvolutionProblem } from './avro/evolution';
// Sample payloads for other libraries' tests. Exported here because a library is imported only through its entry
// point; they are plain data with no test-framework dependency.
export * as testing from './testing';
