// What a failed customization says: a code for retry logic and the aggregator (CANCELLED means cancelled, not
// failed), and a message that names the model and the cause.
import { type ErrorInfoV1 } from '@flywheel/contracts';
import {
  PlatformAbortedError,
  PlatformHttpError,
  PlatformJobError,
  PlatformNetworkError,
  PlatformNotFoundError,
  PlatformTimeoutError,
  PlatformUnsupportedError,
} from '@flywheel/platform-clients';

export const FailureCodes = {
  cancelled: 'CANCELLED',
  noTrainDataset: 'NO_TRAIN_DATASET',
  invalidConfig: 'INVALID_CONFIG',
  jobFailed: 'CUSTOMIZATION_FAILED',
  stalled: 'CUSTOMIZATION_STALLED',
  timeout: 'CUSTOMIZATION_TIMEOUT',
  insufficientResources: 'INSUFFICIENT_RESOURCES',
  rejected: 'CUSTOMIZATION_REJECTED',
  outputModelExists: 'OUTPUT_MODEL_EXISTS',
  jobNotFound: 'JOB_NOT_FOUND',
  unsupported: 'UNSUPPORTED',
  platformUnavailable: 'PLATFORM_UNAVAILABLE',
} as const;

/** The platform could not be asked (network, timeout, 429/5xx after the client's own retries): try again later. */
export function isTransient(err: unknown): boolean {
  if (err instanceof PlatformNetworkError || err instanceof PlatformTimeoutError) return true;
  return err instanceof PlatformHttpError && (err.status === 429 || err.status >= 500);
}

/** The Customizer refused a creation because the output model (unique per run) exists, or a live job makes it. */
export function isConflict(err: unknown): boolean {
  return err instanceof PlatformHttpError && err.status === 409;
}

export function isAborted(err: unknown): boolean {
  return err instanceof PlatformAbortedError;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A platform error from creating or polling the job of `model`, as the failure event's error. */
export function failureOf(model: string, err: unknown): ErrorInfoV1 {
  const cause = messageOf(err);
  const info = (code: string, what: string, retryable: boolean): ErrorInfoV1 => ({
    code,
    message: `customization of ${model} ${what}: ${cause}`,
    retryable,
  });
  if (err instanceof PlatformJobError) {
    switch (err.reason) {
      case 'failed':
        return info(FailureCodes.jobFailed, 'failed', true);
      case 'cancelled':
        return info(FailureCodes.cancelled, 'was cancelled at the platform', false);
      case 'stalled':
        return info(FailureCodes.stalled, 'stalled', true);
      case 'timeout':
        return info(FailureCodes.timeout, 'timed out', true);
      case 'insufficient-resources':
        return info(FailureCodes.insufficientResources, 'never started (not enough GPUs)', true);
    }
  }
  if (err instanceof PlatformUnsupportedError) return info(FailureCodes.unsupported, 'is not possible', false);
  if (err instanceof PlatformNotFoundError) return info(FailureCodes.jobNotFound, 'lost its job', true);
  if (isConflict(err)) {
    // Our output model names are unique per run, and the worker re-attaches to a job an earlier attempt of this run
    // left running or completed: a clash still standing means the model was made by something else (or by a job of
    // ours that failed after registering it).
    return info(FailureCodes.outputModelExists, 'could not create its job (output model already exists)', false);
  }
  if (isTransient(err)) return info(FailureCodes.platformUnavailable, 'could not reach the Customizer', true);
  if (err instanceof PlatformHttpError && err.status >= 400 && err.status < 500) {
    return info(FailureCodes.rejected, 'was refused by the Customizer', false);
  }
  return info(FailureCodes.jobFailed, 'failed', true);
}
