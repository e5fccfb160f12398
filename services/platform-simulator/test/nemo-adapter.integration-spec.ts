// The port contracts through the NeMo adapters against the simulator's NeMo endpoints.
import { createNemoPlatform } from '@flywheel/platform-clients';
import { startPlatformSimulator } from '../src';
import { describePlatformContract } from './contract/platform-contract';
import { FAST_WAIT, NO_RETRY_DELAY, TEACHER_MODEL } from './fixtures';

describePlatformContract('NeMo adapter', async () => {
  const sim = await startPlatformSimulator();
  const platform = createNemoPlatform({
    nemoBaseUrl: sim.url,
    nimBaseUrl: sim.url,
    datastoreBaseUrl: sim.url,
    namespace: 'dfwbp',
    timeoutMs: 5000,
    retry: NO_RETRY_DELAY,
    wait: FAST_WAIT,
  });
  return {
    platform,
    sim,
    judge: { kind: 'platform', model: TEACHER_MODEL },
    namespace: 'dfwbp',
    sampleLatency: false,
    customization: true,
    stop: () => sim.stop(),
  };
});
