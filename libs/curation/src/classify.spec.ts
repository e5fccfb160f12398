import { classifyWorkload } from './classify';
import { chatRecord, toolCallRecord } from './testing/log-records';

describe('classifyWorkload', () => {
  it('is tool-calling when any record has tool calls, and reports a mixed workload', () => {
    const c = classifyWorkload([chatRecord(), toolCallRecord(), chatRecord()]);
    expect(c).toEqual({ type: 'tool_calling', tool_calling_records: 1, generic_records: 2, mixed: true });
  });

  it('is generic without tool calls', () => {
    expect(classifyWorkload([chatRecord(), chatRecord()])).toEqual({
      type: 'generic',
      tool_calling_records: 0,
      generic_records: 2,
      mixed: false,
    });
  });

  it('treats an empty tool_calls list as no tool calls', () => {
    const r = toolCallRecord();
    const empty = { ...r, response: { choices: [{ message: { role: 'assistant', content: 'hi', tool_calls: [] } }] } };
    expect(classifyWorkload([empty]).type).toBe('generic');
  });
});
