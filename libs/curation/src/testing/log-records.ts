// Log record builders for tests: a tool-calling record and a generic chat record, with just enough variation
// (tool name, user text, timestamp) to exercise classes, dedupe and ordering.
import { type LogRecord } from '../types';

export { deepFreeze } from '../deep-freeze';

let counter = 0;

export interface ToolRecordOptions {
  readonly tool?: string;
  readonly user?: string;
  readonly timestamp?: number | string;
  readonly args?: string | Record<string, unknown>;
  readonly workloadId?: string;
  readonly clientId?: string;
}

export function toolCallRecord(options: ToolRecordOptions = {}): LogRecord {
  const n = counter++;
  const tool = options.tool ?? 'get_weather';
  return {
    timestamp: options.timestamp ?? 1767225600 + n,
    workload_id: options.workloadId ?? 'agent.tools',
    client_id: options.clientId ?? 'tests',
    request: {
      model: 'teacher',
      messages: [{ role: 'user', content: options.user ?? `call ${tool} for case ${n}` }],
      tools: [
        {
          type: 'function',
          function: {
            name: tool,
            description: `The ${tool} tool.`,
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      ],
    },
    response: {
      id: `chatcmpl-${n}`,
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: `call_${n}`,
                type: 'function',
                function: { name: tool, arguments: options.args ?? '{"city": "Paris"}' },
              },
            ],
          },
        },
      ],
    },
  };
}

export function chatRecord(options: { user?: string; reply?: string; timestamp?: number | string } = {}): LogRecord {
  const n = counter++;
  return {
    timestamp: options.timestamp ?? 1767225600 + n,
    workload_id: 'agent.chat',
    client_id: 'tests',
    request: {
      model: 'teacher',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: options.user ?? `question ${n}` },
      ],
    },
    response: {
      choices: [
        { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: options.reply ?? `answer ${n}` } },
      ],
    },
  };
}

/** `count` tool-calling records spread over `tools` tools, round-robin. */
export function toolCallRecords(count: number, tools: readonly string[]): LogRecord[] {
  return Array.from({ length: count }, (_, i) => toolCallRecord({ tool: tools[i % tools.length] as string }));
}
