// The report's cost estimate: what 1,000 calls of the workload would cost on a model, from the tokens the candidate
// used per call in its evaluation and a price per million tokens. Prices are configured per model
// (AGGREGATOR_PRICES); a model not listed is priced by its size, which is the first-order driver of serving cost
// (GPUs per replica). The teacher is priced on the candidate's own token counts, so the two are comparable.
import { parameterCountOf } from '../projection/recommendation';

/** USD per 1M tokens of a model without a configured price: 0.01 + 0.012 × billions of parameters. */
export function sizePricePer1M(modelName: string): number | null {
  const b = parameterCountOf(modelName);
  return Number.isFinite(b) ? round(0.01 + 0.012 * b, 6) : null;
}

export function pricePer1M(modelName: string, prices: Readonly<Record<string, number>>): number | null {
  return prices[modelName] ?? sizePricePer1M(modelName);
}

export interface CostEstimate {
  /** USD per 1,000 calls on the candidate; null without token counts or a price. */
  readonly usd_per_1k_calls: number | null;
  /** USD per 1,000 of the same calls on the teacher. */
  readonly teacher_usd_per_1k_calls: number | null;
  /** 1 − candidate / teacher: the share of the cost saved by switching. */
  readonly savings: number | null;
}

export function estimateCost(
  modelName: string,
  teacherModel: string,
  meanTokens: number | null,
  prices: Readonly<Record<string, number>>,
): CostEstimate {
  const price = pricePer1M(modelName, prices);
  const teacherPrice = pricePer1M(teacherModel, prices);
  if (meanTokens === null) return { usd_per_1k_calls: null, teacher_usd_per_1k_calls: null, savings: null };
  const per1k = (p: number | null): number | null => (p === null ? null : round((p * meanTokens * 1000) / 1e6, 6));
  const usd = per1k(price);
  const teacherUsd = per1k(teacherPrice);
  return {
    usd_per_1k_calls: usd,
    teacher_usd_per_1k_calls: teacherUsd,
    savings: usd === null || teacherUsd === null || teacherUsd === 0 ? null : round(1 - usd / teacherUsd, 4),
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
