import { FaultInjector } from '../http/faults';
import { simulatorOptionsSchema } from '../options';
import { PlatformState } from './platform-state';

describe('PlatformState answer identity', () => {
  it('should key a customized model by its base and training records, so two runs training alike answer alike', () => {
    const state = new PlatformState(simulatorOptionsSchema.parse({}), new FaultInjector());
    const add = (name: string, base: string, records: number): void => {
      state.models.set(`dfwbp/${name}`, {
        name,
        namespace: 'dfwbp',
        baseModel: base,
        trainingRecords: records,
        createdAt: 0,
      });
    };
    add('llama-1b-run-a', 'meta/llama-3.2-1b-instruct', 200);
    add('llama-1b-run-b', 'meta/llama-3.2-1b-instruct', 200);
    add('llama-1b-run-c', 'meta/llama-3.2-1b-instruct', 50);

    expect(state.answerIdentityOf('dfwbp/llama-1b-run-a')).toBe(state.answerIdentityOf('dfwbp/llama-1b-run-b'));
    expect(state.answerIdentityOf('dfwbp/llama-1b-run-a')).not.toBe(state.answerIdentityOf('dfwbp/llama-1b-run-c'));
    expect(state.answerIdentityOf('meta/llama-3.2-1b-instruct')).toBe('meta/llama-3.2-1b-instruct');
  });
});
