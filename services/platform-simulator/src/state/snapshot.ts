// The document saved as `state.json`: every entity and job, with file contents and evaluation details as blob
// references. Progress counters of unfinished jobs are left out: they follow from the clock (`startedAt`), so a
// job keeps its place in time across a restart and the document only changes on real transitions.
import { z } from 'zod';
import {
  customizationJobRecordSchema,
  deploymentRecordSchema,
  evaluationJobRecordSchema,
  modelEntitySchema,
} from './records';

export const SNAPSHOT_VERSION = 1;

export const snapshotSchema = z.object({
  version: z.literal(SNAPSHOT_VERSION),
  /** The id counter, so ids are never reused after a restart. */
  ids: z.number().int().min(0),
  namespaces: z.array(z.string()),
  datastoreNamespaces: z.array(z.string()),
  /** Data Store repo `ns/name` → file path → blob hash (in upload order: later answers win, as in memory). */
  repos: z.record(z.record(z.string())),
  datasets: z.record(z.record(z.unknown())),
  deployments: z.array(deploymentRecordSchema),
  customizationConfigs: z.record(z.record(z.unknown())),
  customizationJobs: z.array(customizationJobRecordSchema),
  models: z.array(modelEntitySchema),
  /** `detail`: blob of `{results, sampleRecords}`. */
  evaluationJobs: z.array(evaluationJobRecordSchema.extend({ detail: z.string().nullable() })),
});
export type Snapshot = z.infer<typeof snapshotSchema>;

/** Parses a saved document, naming every field that is wrong. */
export function parseSnapshot(value: unknown): Snapshot | string {
  const parsed = snapshotSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  return parsed.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
