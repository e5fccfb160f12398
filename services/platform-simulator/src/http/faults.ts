// Per-call fault injection. A fault matches requests by method and path (substring) and applies to the next
// `times` of them: an HTTP error (optionally with Retry-After), a stall before answering (client timeouts), a
// dropped connection, a malformed JSON body, or a job status rewritten to an arbitrary word.
import { z } from 'zod';

export const faultSchema = z.object({
  method: z.string().toUpperCase().optional(),
  /** Substring of the request path, e.g. `/v1/customization/jobs`. */
  path: z.string(),
  times: z.number().int().positive().default(1),
  action: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('http-error'),
      status: z.number().int().min(400).max(599),
      body: z.string().optional(),
      retryAfterSeconds: z.number().min(0).optional(),
    }),
    z.object({ kind: z.literal('stall'), ms: z.number().int().min(0) }),
    z.object({ kind: z.literal('drop-connection') }),
    z.object({ kind: z.literal('malformed-json') }),
    z.object({ kind: z.literal('rewrite-status'), status: z.string() }),
  ]),
});
export type Fault = z.infer<typeof faultSchema>;
export type FaultInput = z.input<typeof faultSchema>;
export type FaultAction = Fault['action'];

/** Faults that shape a job when it is created: it fails part-way, or stalls (never progresses). */
export const jobFaultSchema = z.object({
  target: z.enum(['deployment', 'customization', 'evaluation']),
  /** Substring of the model name; empty matches any. */
  match: z.string().default(''),
  mode: z.enum(['fail', 'stall']),
  message: z.string().optional(),
  times: z.number().int().positive().default(1),
});
export type JobFault = z.infer<typeof jobFaultSchema>;
export type JobFaultInput = z.input<typeof jobFaultSchema>;

export class FaultInjector {
  private faults: Fault[] = [];
  private jobFaults: JobFault[] = [];

  public add(input: FaultInput): void {
    this.faults.push(faultSchema.parse(input));
  }

  public addJobFault(input: JobFaultInput): void {
    this.jobFaults.push(jobFaultSchema.parse(input));
  }

  public clear(): void {
    this.faults = [];
    this.jobFaults = [];
  }

  /** The action for this request, consuming one use of the first matching fault. */
  public take(method: string, path: string): FaultAction | null {
    const i = this.faults.findIndex((f) => (f.method === undefined || f.method === method) && path.includes(f.path));
    const fault = this.faults[i];
    if (!fault) return null;
    if (--fault.times <= 0) this.faults.splice(i, 1);
    return fault.action;
  }

  public takeJobFault(target: JobFault['target'], model: string): JobFault | null {
    const i = this.jobFaults.findIndex((f) => f.target === target && model.includes(f.match));
    const fault = this.jobFaults[i];
    if (!fault) return null;
    if (--fault.times <= 0) this.jobFaults.splice(i, 1);
    return fault;
  }
}
