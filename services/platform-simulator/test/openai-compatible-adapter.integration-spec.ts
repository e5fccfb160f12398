// The same port contracts through the OpenAI-compatible adapters (pre-existing endpoints, local evaluation
// engine, datasets in a directory) against the simulator's `/v1` endpoints.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAICompatiblePlatform } from '@flywheel/platform-clients';
import { startPlatformSimulator } from '../src';
import { describePlatformContract } from './contract/platform-contract';
import { EMBEDDING_MODEL, NO_RETRY_DELAY, SMALL_MODEL, TEACHER_MODEL } from './fixtures';

describePlatformContract('OpenAI-compatible adapter', async () => {
  const sim = await startPlatformSimulator({ servedModels: [SMALL_MODEL, TEACHER_MODEL, EMBEDDING_MODEL] });
  const v1 = `${sim.url}/v1`;
  const datasetsDir = mkdtempSync(join(tmpdir(), 'flywheel-openai-datasets-'));
  const platform = createOpenAICompatiblePlatform({
    endpoints: [{ model: SMALL_MODEL, baseUrl: v1 }],
    judge: { model: TEACHER_MODEL, baseUrl: v1, apiKey: 'not-needed' },
    embedding: { model: EMBEDDING_MODEL, baseUrl: v1 },
    evaluation: { concurrency: 4, pollIntervalMs: 5 },
    datasetsDir,
    timeoutMs: 5000,
    retry: NO_RETRY_DELAY,
  });
  return {
    platform,
    sim,
    judge: { kind: 'endpoint', baseUrl: v1, model: TEACHER_MODEL },
    namespace: 'local',
    sampleLatency: true,
    customization: false,
    stop: async () => {
      await sim.stop();
      rmSync(datasetsDir, { recursive: true, force: true });
    },
  };
});
