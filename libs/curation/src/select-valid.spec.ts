import { DEFAULT_CURATION_CONFIG, type DataSplitConfig } from './config';
import { selectValid } from './select-valid';
import { chatRecord, toolCallRecord } from './testing/log-records';
import { type LogRecord } from './types';

const split: DataSplitConfig = DEFAULT_CURATION_CONFIG.data_split_config;

describe('selectValid', () => {
  it('keeps valid records in input order with their facts, and counts each drop under its rule', () => {
    const records: unknown[] = [
      toolCallRecord({ tool: 'a', timestamp: 20 }),
      42,
      toolCallRecord({ args: '{"city": ' }),
      chatRecord(),
      toolCallRecord({ tool: 'b', timestamp: 'not a date' }),
    ];
    const out = selectValid(records, split);
    expect(out.workload).toMatchObject({ type: 'tool_calling', mixed: true });
    expect(out.wellFormed).toBe(4);
    expect(out.valid.map((r) => [r.inputIndex, r.toolName, r.timeMs, r.parseArguments])).toEqual([
      [0, 'a', 20_000, true],
      [4, 'b', Number.NEGATIVE_INFINITY, true],
    ]);
    expect(out.dropped).toMatchObject({ not_an_object: 1, unparseable_arguments: 1, no_tool_calls: 1 });
    expect(out.unreadableTimestamps).toBe(1);
  });

  it('applies the per-job argument flag: unparseable arguments pass and nothing is parsed when it is off', () => {
    const out = selectValid([toolCallRecord({ args: '{"city": ' })], { ...split, parse_function_arguments: false });
    expect(out.valid.map((r) => r.parseArguments)).toEqual([false]);
  });

  it('a generic workload has no quality filter and parses nothing', () => {
    const laterChoiceCalls: LogRecord = {
      ...chatRecord(),
      response: {
        choices: [
          { message: { role: 'assistant', content: 'hi' } },
          toolCallRecord({ args: '{"city": ' }).response.choices[0]!,
        ],
      },
    };
    const out = selectValid([chatRecord(), laterChoiceCalls], split);
    expect(out.workload.type).toBe('generic');
    expect(out.valid.map((r) => [r.toolName, r.parseArguments])).toEqual([
      ['no_tool', false],
      ['no_tool', false],
    ]);
  });
});
