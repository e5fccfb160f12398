import {
  PlatformHttpError,
  PlatformJobError,
  PlatformNetworkError,
  PlatformUnsupportedError,
} from '@flywheel/platform-clients';
import { failureOf, isTransient } from './failures';

const M = 'meta/llama-3.2-1b-instruct';

describe('failureOf', () => {
  it.each([
    [new PlatformJobError('customizer.waitForCompletion', 'failed', 'CUDA OOM'), 'CUSTOMIZATION_FAILED', true],
    [new PlatformJobError('customizer.waitForCompletion', 'cancelled', 'status cancelled'), 'CANCELLED', false],
    [new PlatformJobError('customizer.waitForCompletion', 'stalled', 'no progress'), 'CUSTOMIZATION_STALLED', true],
    [new PlatformJobError('customizer.waitForCompletion', 'timeout', 'late'), 'CUSTOMIZATION_TIMEOUT', true],
    [
      new PlatformJobError('customizer.waitForCompletion', 'insufficient-resources', 'NotEnoughResources'),
      'INSUFFICIENT_RESOURCES',
      true,
    ],
    [new PlatformHttpError('customizer.createJob', 409, 'Conflict', 'exists'), 'OUTPUT_MODEL_EXISTS', false],
    [new PlatformHttpError('customizer.createJob', 422, 'Unprocessable', 'bad'), 'CUSTOMIZATION_REJECTED', false],
    [new PlatformHttpError('customizer.createJob', 503, 'Unavailable', ''), 'PLATFORM_UNAVAILABLE', true],
    [new PlatformNetworkError('customizer.createJob', new Error('ECONNREFUSED')), 'PLATFORM_UNAVAILABLE', true],
    [new PlatformUnsupportedError('endpoints.createJob', 'needs NeMo'), 'UNSUPPORTED', false],
  ])('%s → %s', (err, code, retryable) => {
    const info = failureOf(M, err);
    expect(info).toMatchObject({ code, retryable });
    // The message names the model and keeps the platform's own words.
    expect(info.message).toContain(`customization of ${M}`);
    expect(info.message).toContain(err.message);
  });

  it('counts only unreachable-platform errors as transient', () => {
    expect(isTransient(new PlatformHttpError('c', 429, 'Too Many', ''))).toBe(true);
    expect(isTransient(new PlatformHttpError('c', 404, 'Not Found', ''))).toBe(false);
    expect(isTransient(new Error('boom'))).toBe(false);
  });
});
