// The OpenAI-compatible base URL that serves a model, for candidate.deployed: the NIM proxy's `/v1` on NeMo (it
// routes by model name), the configured endpoint on the OpenAI-compatible backend.
import { type PlatformConfig } from '@flywheel/service-kit';

export function endpointResolver(platform: PlatformConfig): (model: string) => string | null {
  if (platform.backend === 'nemo') {
    const base = `${platform.nemo.nimBaseUrl.replace(/\/+$/, '')}/v1`;
    return () => base;
  }
  const o = platform.openai;
  const all = [...o.endpoints, o.judge, ...(o.embedding === undefined ? [] : [o.embedding])];
  return (model) => all.find((e) => e.model === model)?.baseUrl ?? null;
}
