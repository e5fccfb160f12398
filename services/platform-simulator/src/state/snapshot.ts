// The document saved as `state.json`: every entity and job, with file contents and evaluation details as blob
// references. Progress counters of unfinished jobs are left out: they follow from the clock (`startedAt`), so a
// job keeps its place in time across a restart and the document only changes on real transitions.
// Version 2 keeps finished jobs out of the document: each is saved once as a blob of its own (`finishedJobs`), since
// a finished job never changes, and the document saved on every change stays the size of the work in flight.
// Version 1 documents (all jobs inline) are still read.
import { z } from 'zod';
import {
  customizationJobRecordSchema,
  deploymentRecordSchema,
  evaluationJobRecordSchema,
  modelEntitySchema,
} from './records';

export const SNAPSHOT_VERSION = 2;

export const savedEvaluationJobSchema = evaluationJobRecordSchema.extend({ detail: z.string().nullable() });

export const snapshotSchema = z.object({
  version: z.union([z.literal(1), z.literal(SNAPSHOT_VERSION)]),
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
  evaluationJobs: z.array(savedEvaluationJobSchema),
  /** Blobs of finished jobs, each the JSON of one record as in the arrays above (version 2). */
  finishedJobs: z
    .object({ customization: z.array(z.string()), evaluation: z.array(z.string()) })
    .default({ customization: [], evaluation: [] }),
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
