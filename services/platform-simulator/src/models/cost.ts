// Token usage and latency of a simulated completion: latency grows with model size and output length.
import { type ChatCompletionRequest, type TokenUsage } from '@flywheel/platform-clients';
import { parameterBillions } from './model-profile';
import { type SimulatedAnswer } from './simulated-model';
import { approxTokens } from './tokens';

export function simulatedCost(
  model: string,
  request: ChatCompletionRequest,
  answer: Pick<SimulatedAnswer, 'content' | 'toolCalls'>,
): { usage: TokenUsage; latencyMs: number } {
  const promptTokens = approxTokens(JSON.stringify(request.messages) + JSON.stringify(request.tools ?? []));
  const completionTokens = approxTokens((answer.content ?? '') + JSON.stringify(answer.toolCalls));
  const b = parameterBillions(model);
  const latencyMs = Math.round(15 + b * 1.5 + promptTokens * 0.01 * Math.sqrt(b) + completionTokens * (4 + b * 0.35));
  return {
    usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
    latencyMs,
  };
}
