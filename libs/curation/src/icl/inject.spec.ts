import { chatRecord, deepFreeze, toolCallRecord } from '../testing/log-records';
import { type IclExample } from './example';
import { fitExamples, ICL_PREAMBLE, injectExamples } from './inject';

const ex = (tool: string, tokens: number): IclExample => ({ tool, text: `${tool}-${tokens}`, tokens });

describe('fitting and injection', () => {
  it('takes examples round-robin across groups and stops at the first that does not fit', () => {
    const groups = [
      [ex('a', 10), ex('a', 50)],
      [ex('b', 10), ex('b', 10)],
    ];
    expect(fitExamples(groups, 1000).map((e) => e.text)).toEqual(['a-10', 'b-10', 'a-50', 'b-10']);
    // a-10 + b-10 (+1 separator each) = 22; a-50 would need 73 > 40: stop, even though b-10 would fit.
    expect(fitExamples(groups, 40).map((e) => e.text)).toEqual(['a-10', 'b-10']);
    expect(fitExamples(groups, 5)).toEqual([]);
  });

  it('prepends to an existing system message, copying the record', () => {
    const record = deepFreeze(chatRecord());
    const out = injectExamples(record, [ex('a', 1), ex('b', 1)]);
    expect(out.request.messages[0]?.content).toBe(`${ICL_PREAMBLE}\n\na-1\n\nb-1\n\nBe brief.`);
    expect(record.request.messages[0]?.content).toBe('Be brief.');
    expect(out.response).toBe(record.response);
  });

  it('inserts a system message when there is none, and leaves the record alone without examples', () => {
    const record = toolCallRecord();
    const out = injectExamples(record, [ex('a', 1)]);
    expect(out.request.messages[0]).toEqual({ role: 'system', content: `${ICL_PREAMBLE}\n\na-1` });
    expect(out.request.messages.slice(1)).toEqual(record.request.messages);
    expect(injectExamples(record, [])).toBe(record);
  });
});
