// zod for every input of the jobs API besides the body (which is @flywheel/contracts' runRequestInputSchema):
// the job id in the path and the query of the list.
import { z } from 'zod';
import { RunStatuses } from '@flywheel/stores';
import { ApiError } from './api-error';

/** Job ids are UUIDs (the API mints them); anything else is malformed, not unknown. */
export const jobIdSchema = z.string().uuid('must be a UUID');

export function parseJobId(raw: unknown): string {
  const parsed = jobIdSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ApiError('bad_request', `Invalid job id ${JSON.stringify(raw)}: must be a UUID`, [
      { field: 'job_id', message: 'must be a UUID' },
    ]);
  }
  return parsed.data;
}

const statusList = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()))
  .pipe(z.array(z.enum(RunStatuses, { errorMap: () => ({ message: `must be one of ${RunStatuses.join(', ')}` }) })));

export const listQuerySchema = z
  .object({
    limit: z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(1, 'must be at least 1').max(1000, 'must be at most 1000'))
      .optional(),
    cursor: z.string().min(1).optional(),
    workload_id: z.string().min(1).optional(),
    client_id: z.string().min(1).optional(),
    status: statusList.optional(),
  })
  .strict();

export type ListQuery = z.output<typeof listQuerySchema>;

export function parseListQuery(raw: unknown): ListQuery {
  const parsed = listQuerySchema.safeParse(raw ?? {});
  if (!parsed.success)
    throw ApiError.fromZod('bad_request', 'Invalid query', parsed.error, { root: '(query)', flat: true });
  return parsed.data;
}
