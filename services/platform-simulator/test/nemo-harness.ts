// A simulator plus a NeMo platform whose every request is recorded.
import { type NemoConfigInput, type Platform, createNemoPlatform } from '@flywheel/platform-clients';
import { type PlatformSimulator, type SimulatorOptionsInput, startPlatformSimulator } from '../src';
import { FAST_WAIT, NO_RETRY_DELAY, SMALL_MODEL, logLines } from './fixtures';

export interface Harness {
  sim: PlatformSimulator;
  platform: Platform;
  requests: { method: string; path: string }[];
}

export async function startHarness(
  sim: SimulatorOptionsInput = {},
  config: Partial<NemoConfigInput> = {},
): Promise<Harness> {
  const simulator = await startPlatformSimulator(sim);
  return { sim: simulator, ...nemoPlatformAt(simulator.url, config) };
}

/** A NeMo platform (all three base URLs on one simulator) whose every request is recorded. */
export function nemoPlatformAt(
  url: string,
  config: Partial<NemoConfigInput> = {},
): { platform: Platform; requests: { method: string; path: string }[] } {
  const requests: { method: string; path: string }[] = [];
  const recording: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    requests.push({ method: init?.method ?? 'GET', path: url.pathname });
    return fetch(input, init);
  };
  const platform = createNemoPlatform(
    {
      nemoBaseUrl: url,
      nimBaseUrl: url,
      datastoreBaseUrl: url,
      namespace: 'dfwbp',
      timeoutMs: 2000,
      retry: NO_RETRY_DELAY,
      wait: FAST_WAIT,
      ...config,
    },
    { fetch: recording },
  );
  return { platform, requests };
}

export const DATASET = { namespace: 'dfwbp', name: 'harness' };

/** A registered dataset with eval and training files, and a customization config for the small model. */
export async function seed(h: { platform: Platform }): Promise<{ namespace: string; name: string }> {
  await h.platform.datasets.ensureNamespace('dfwbp');
  await h.platform.datasets.uploadFile(DATASET, {
    path: 'eval_data.jsonl',
    content: logLines('bfcl-live-simple.jsonl', 0, 10),
  });
  await h.platform.datasets.uploadFile(DATASET, {
    path: 'training/train_data.jsonl',
    content: logLines('bfcl-live-simple.jsonl', 10, 60),
  });
  await h.platform.datasets.registerDataset(DATASET);
  return h.platform.customization.ensureConfig({ baseModel: SMALL_MODEL, target: `${SMALL_MODEL}@2.0`, gpus: 1 });
}

export const HYPER = {
  trainingType: 'sft',
  finetuningType: 'lora',
  epochs: 1,
  batchSize: 10,
  learningRate: 1e-4,
  lora: { adapterDim: 16, adapterDropout: 0.1 },
};

export { FAST_WAIT };
