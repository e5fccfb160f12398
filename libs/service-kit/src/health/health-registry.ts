// Liveness and readiness as named checks. Each dependency registers one (e.g. "log-store" → "connecting, attempt 3");
// the endpoints report every check with its detail, so "not ready" always says why. A check that throws or takes
// longer than its timeout counts as failing, with that as the detail.

export interface CheckResult {
  /** Whether this dependency lets the service do its work now. */
  readonly ok: boolean;
  /** One line for operators: state, attempt, last error. */
  readonly detail: string;
}

export type HealthCheck = () => CheckResult | Promise<CheckResult>;

export interface HealthReport {
  readonly status: 'ok' | 'unavailable';
  readonly checks: Readonly<Record<string, CheckResult>>;
}

interface Registered {
  readonly check: HealthCheck;
  readonly timeoutMs: number;
}

const DEFAULT_TIMEOUT_MS = 2000;

export class HealthRegistry {
  private readonly liveness = new Map<string, Registered>();
  private readonly readiness = new Map<string, Registered>();

  /** Failing liveness means "restart me" (e.g. a consumer that crashed for good). Use sparingly. */
  public addLivenessCheck(name: string, check: HealthCheck, timeoutMs = DEFAULT_TIMEOUT_MS): void {
    add(this.liveness, name, { check, timeoutMs });
  }

  /** Failing readiness means "do not send me work yet" (a dependency is connecting or down). */
  public addReadinessCheck(name: string, check: HealthCheck, timeoutMs = DEFAULT_TIMEOUT_MS): void {
    add(this.readiness, name, { check, timeoutMs });
  }

  public live(): Promise<HealthReport> {
    return report(this.liveness);
  }

  public ready(): Promise<HealthReport> {
    return report(this.readiness);
  }
}

function add(map: Map<string, Registered>, name: string, entry: Registered): void {
  if (map.has(name)) throw new RangeError(`health check '${name}' is registered twice`);
  map.set(name, entry);
}

async function report(map: ReadonlyMap<string, Registered>): Promise<HealthReport> {
  const entries = await Promise.all([...map].map(async ([name, r]) => [name, await run(r)] as const));
  const checks = Object.fromEntries(entries);
  return { status: entries.every(([, c]) => c.ok) ? 'ok' : 'unavailable', checks };
}

async function run({ check, timeoutMs }: Registered): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `check timed out after ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch (err) {
    return { ok: false, detail: `check failed: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    clearTimeout(timer);
  }
}
