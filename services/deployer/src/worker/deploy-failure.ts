// Turns what a platform call threw into the error of candidate.deploy-failed (a code and a message naming the model
// and why) and into our own decision: try again (the platform was unreachable, the deployment vanished) or give up.
import { type ErrorInfoV1 } from '@flywheel/contracts';
import {
  PlatformAbortedError,
  PlatformArgumentError,
  PlatformHttpError,
  PlatformJobError,
  PlatformNotFoundError,
  PlatformUnsupportedError,
  describe,
} from '@flywheel/platform-clients';

export interface DeployFailure {
  readonly error: ErrorInfoV1;
  /** Worth another attempt by the deployer itself (bounded by DEPLOYER_DEPLOY_ATTEMPTS). */
  readonly tryAgain: boolean;
}

export function isAbort(err: unknown): boolean {
  return err instanceof PlatformAbortedError || (err instanceof Error && err.name === 'AbortError');
}

export function deployFailure(model: string, err: unknown): DeployFailure {
  const why = describe(err);
  const fail = (code: string, retryable: boolean, tryAgain: boolean, what = 'failed'): DeployFailure => ({
    error: { code, message: `deployment of ${model} ${what}: ${why}`, retryable },
    tryAgain,
  });
  if (err instanceof PlatformJobError) {
    switch (err.reason) {
      case 'failed':
        return fail('DEPLOYMENT_FAILED', false, false);
      case 'cancelled':
        return fail('DEPLOYMENT_CANCELLED', true, false, 'was cancelled on the platform');
      case 'timeout':
      case 'stalled':
        return fail('DEPLOYMENT_TIMEOUT', true, false, 'did not become ready');
      case 'insufficient-resources':
        return fail('INSUFFICIENT_RESOURCES', true, false, 'found no free GPUs on the platform');
    }
  }
  if (err instanceof PlatformNotFoundError) return fail('DEPLOYMENT_VANISHED', true, true, 'disappeared');
  if (err instanceof PlatformArgumentError || err instanceof PlatformUnsupportedError) {
    return fail('MODEL_NOT_DEPLOYABLE', false, false, 'is not possible');
  }
  if (err instanceof PlatformHttpError && err.status >= 400 && err.status < 500 && err.status !== 429) {
    return fail('PLATFORM_REJECTED', false, false, 'was refused by the platform');
  }
  return fail('PLATFORM_UNAVAILABLE', true, true);
}
