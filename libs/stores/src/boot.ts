// Connection state of one store. A backend that is down at boot is retried with bounded exponential backoff and
// reported through health(); after the last attempt connect() rejects with a retryable StoreError so the service
// stays up, reports "not ready" and can call connect() again — never a crash loop.
import { type BootRetryConfig } from './config';
import { errorText, StoreError, type StoreBackend } from './errors';

export type StoreState = 'idle' | 'connecting' | 'ready' | 'unavailable' | 'closed';

export interface StoreHealth {
  readonly backend: StoreBackend;
  readonly state: StoreState;
  /** True when the store answers: connected and, for network backends, the last ping succeeded. */
  readonly ready: boolean;
  /** Connection attempts made by the current or last connect(). */
  readonly attempts: number;
  readonly lastError: string | null;
}

/** What every adapter offers beside its port. */
export interface StoreLifecycle {
  readonly backend: StoreBackend;
  /** Opens the backend and creates schema/indexes (idempotent); retries per the boot config. */
  connect(): Promise<void>;
  /** Current state; pings a network backend (with its timeout) when connected. */
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

export type Sleep = (ms: number) => Promise<void>;

export const defaultSleep: Sleep = (ms) =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

export function backoffMs(retry: BootRetryConfig, attempt: number): number {
  return Math.min(retry.backoffMaxMs, retry.backoffBaseMs * 2 ** (attempt - 1));
}

export class BootState {
  private state: StoreState = 'idle';
  private attempts = 0;
  private lastError: string | null = null;
  private pending: Promise<void> | undefined;

  public constructor(
    private readonly backend: StoreBackend,
    private readonly retry: BootRetryConfig,
    private readonly sleep: Sleep = defaultSleep,
  ) {}

  public get isReady(): boolean {
    return this.state === 'ready';
  }

  // A getter, not `this.state === 'closed'` inline: close() may run while boot() awaits, which the compiler's
  // narrowing cannot see.
  private get closed(): boolean {
    return this.state === 'closed';
  }

  /** Runs `attempt` until it succeeds or the attempts run out; concurrent callers share one boot. */
  public connect(attempt: () => void | Promise<void>): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    this.pending ??= this.boot(attempt).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async boot(attempt: () => void | Promise<void>): Promise<void> {
    this.state = 'connecting';
    this.attempts = 0;
    for (;;) {
      this.attempts += 1;
      try {
        await attempt();
        if (this.closed) throw new StoreError('connect', this.backend, 'unavailable', 'closed while connecting');
        this.state = 'ready';
        this.lastError = null;
        return;
      } catch (err) {
        this.lastError = errorText(err);
        if (this.closed) throw new StoreError('connect', this.backend, 'unavailable', 'closed while connecting');
        if (this.attempts >= this.retry.maxAttempts) {
          this.state = 'unavailable';
          throw new StoreError(
            'connect',
            this.backend,
            'unavailable',
            `gave up after ${this.attempts} attempts: ${this.lastError}`,
            { cause: err },
          );
        }
      }
      await this.sleep(backoffMs(this.retry, this.attempts));
    }
  }

  /** Guards every operation: a store that is not connected fails fast with a retryable error. */
  public requireReady(operation: string): void {
    if (this.state !== 'ready') {
      throw new StoreError(operation, this.backend, 'unavailable', `store is ${this.state}, not ready`);
    }
  }

  public markClosed(): void {
    this.state = 'closed';
  }

  /** Snapshot; `probeError` is the failure of a liveness ping just made, if any. */
  public health(probeError?: string): StoreHealth {
    return {
      backend: this.backend,
      state: this.state,
      ready: this.state === 'ready' && probeError === undefined,
      attempts: this.attempts,
      lastError: probeError ?? this.lastError,
    };
  }
}
