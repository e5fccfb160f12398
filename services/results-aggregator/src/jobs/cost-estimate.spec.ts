import { estimateCost, pricePer1M, sizePricePer1M } from './cost-estimate';

describe('cost estimate', () => {
  it('should price a model by its size unless a price is configured', () => {
    expect(sizePricePer1M('meta/llama-3.2-1b-instruct')).toBeCloseTo(0.022);
    expect(sizePricePer1M('meta/llama-3.3-70b-instruct')).toBeCloseTo(0.85);
    expect(sizePricePer1M('acme/mystery-model')).toBeNull();
    expect(pricePer1M('meta/llama-3.2-1b-instruct', { 'meta/llama-3.2-1b-instruct': 0.05 })).toBe(0.05);
  });

  it('should cost 1,000 calls from the tokens per call, and the teacher on the same tokens', () => {
    const cost = estimateCost('meta/llama-3.2-1b-instruct', 'meta/llama-3.3-70b-instruct', 1000, {});
    expect(cost.usd_per_1k_calls).toBeCloseTo(0.022);
    expect(cost.teacher_usd_per_1k_calls).toBeCloseTo(0.85);
    expect(cost.savings).toBeCloseTo(1 - 0.022 / 0.85, 3);
  });

  it('should say nothing (null) when the evaluation reported no token counts', () => {
    expect(estimateCost('meta/llama-3.2-1b-instruct', 'meta/llama-3.3-70b-instruct', null, {})).toEqual({
      usd_per_1k_calls: null,
      teacher_usd_per_1k_calls: null,
      savings: null,
    });
  });
});
