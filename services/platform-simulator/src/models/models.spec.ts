import { embed } from './embeddings';
import { TEACHER_SKILL, loraSkill, modelSkill, parameterBillions, sizeSkill } from './model-profile';
import { rateSimilarity, rateToolCalls } from './simulated-judge';

describe('simulated models', () => {
  it('reads the size from the model id', () => {
    expect(parameterBillions('meta/llama-3.2-1b-instruct')).toBe(1);
    expect(parameterBillions('meta/llama-3.3-70b-instruct')).toBe(70);
    expect(parameterBillions('acme/mystery')).toBe(7);
  });

  it('orders skill by size, LoRA saturates toward the teacher', () => {
    expect(sizeSkill(1)).toBeLessThan(sizeSkill(8));
    expect(sizeSkill(8)).toBeLessThan(sizeSkill(70));
    const base = sizeSkill(1);
    expect(loraSkill(base, 0, 100)).toBe(base);
    expect(loraSkill(base, 50, 100)).toBeLessThan(loraSkill(base, 300, 100));
    expect(loraSkill(base, 1000, 100)).toBeCloseTo(TEACHER_SKILL, 3);
    const ctx = { teacherModel: 'meta/llama-3.3-70b-instruct', saturation: 100, customized: () => undefined };
    expect(modelSkill('meta/llama-3.3-70b-instruct', ctx)).toBe(TEACHER_SKILL);
  });

  it('embeds deterministically, similar texts nearer', () => {
    const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * (b[i] ?? 0), 0);
    const a = embed('reset my password please', 128);
    expect(embed('reset my password please', 128)).toEqual(a);
    expect(dot(a, a)).toBeCloseTo(1, 6);
    expect(dot(a, embed('please reset the password', 128))).toBeGreaterThan(
      dot(a, embed('weather in Oslo tomorrow', 128)),
    );
  });

  it('judges tool calls structurally and chat by overlap', () => {
    const gt = [{ function: { name: 'f', arguments: '{"x":1,"q":"find cheap hotels near the station tonight"}' } }];
    expect(
      rateToolCalls(gt, [
        { function: { name: 'f', arguments: '{"q":"find cheap hotels near the station tonight please","x":1}' } },
      ]),
    ).toBe(1);
    expect(
      rateToolCalls(gt, [
        { function: { name: 'f', arguments: '{"x":2,"q":"find cheap hotels near the station tonight"}' } },
      ]),
    ).toBe(0);
    expect(rateToolCalls(gt, [])).toBe(0);
    expect(rateSimilarity('So the answer is\n#### 18', 'So the answer is\n#### 18')).toBe(10);
    expect(rateSimilarity('So the answer is\n#### 18', 'So the answer is\n#### 19')).toBeLessThanOrEqual(5);
    expect(rateSimilarity('anything', '')).toBe(1);
  });
});
