import {
  PlatformAbortedError,
  PlatformArgumentError,
  PlatformHttpError,
  PlatformJobError,
  PlatformNetworkError,
  PlatformNotFoundError,
} from '@flywheel/platform-clients';
import { deployFailure, isAbort } from './deploy-failure';

const MODEL = 'meta/llama-3.2-1b-instruct';

describe('deployFailure', () => {
  it('gives up on a deployment the platform reports failed, naming the model and the cause', () => {
    const f = deployFailure(MODEL, new PlatformJobError('deployments.waitUntilReady', 'failed', 'CrashLoopBackOff'));
    expect(f.tryAgain).toBe(false);
    expect(f.error.code).toBe('DEPLOYMENT_FAILED');
    expect(f.error.message).toContain(MODEL);
    expect(f.error.message).toContain('CrashLoopBackOff');
  });

  it('tries again when the platform is unreachable or the deployment vanished', () => {
    expect(deployFailure(MODEL, new PlatformNetworkError('deployments.get', new Error('ECONNREFUSED'))).tryAgain).toBe(
      true,
    );
    const vanished = deployFailure(MODEL, new PlatformNotFoundError('deployments.waitUntilReady', 'deployment'));
    expect(vanished).toMatchObject({ tryAgain: true, error: { code: 'DEPLOYMENT_VANISHED' } });
    expect(deployFailure(MODEL, new PlatformHttpError('deployments.create', 503, 'Unavailable', '')).tryAgain).toBe(
      true,
    );
  });

  it('does not retry what the platform refuses or cannot do', () => {
    expect(
      deployFailure(MODEL, new PlatformHttpError('deployments.create', 422, 'Unprocessable', 'bad gpu')),
    ).toMatchObject({ tryAgain: false, error: { code: 'PLATFORM_REJECTED', retryable: false } });
    expect(
      deployFailure(MODEL, new PlatformArgumentError('endpoints.deploy', `model ${MODEL} is not configured`)),
    ).toMatchObject({ tryAgain: false, error: { code: 'MODEL_NOT_DEPLOYABLE' } });
    expect(deployFailure(MODEL, new PlatformJobError('x', 'timeout', 'after 6 h'))).toMatchObject({
      tryAgain: false,
      error: { code: 'DEPLOYMENT_TIMEOUT', retryable: true },
    });
  });

  it('recognises an abort', () => {
    expect(isAbort(new PlatformAbortedError('deployments.waitUntilReady'))).toBe(true);
    expect(isAbort(new Error('boom'))).toBe(false);
  });
});
