// One ICL example rendered as text (inventory §2.8 `format_example`): the request turns, then the expected reply
// and its tool calls as indented JSON. Unlike the blueprint, a null content renders empty (not `None`) and
// multimodal content renders its text parts (not a Python repr).
import { isList, type ChatMessage, type LogRecord, type MessageContent } from '../types';

export interface IclExample {
  /** Tool of the example (`no_tool` for generic records). */
  readonly tool: string;
  readonly text: string;
  /** Estimated tokens of `text`, margin included. */
  readonly tokens: number;
}

export function contentText(content: MessageContent | undefined): string {
  if (typeof content === 'string') return content;
  if (!isList(content)) return '';
  return content.map((p) => (typeof p.text === 'string' ? p.text : `[${p.type ?? 'part'}]`)).join('\n');
}

function turn(m: ChatMessage): string {
  return `${typeof m.role === 'string' ? m.role : 'unknown'}: ${contentText(m.content)}`;
}

export function renderExample(record: LogRecord): string {
  const parts = ['### Example'];
  for (const m of record.request.messages) parts.push(`${turn(m)}\n`);
  parts.push('Expected response:');
  const reply = record.response.choices[0]?.message;
  if (reply) {
    parts.push(turn(reply));
    if (Array.isArray(reply.tool_calls) && reply.tool_calls.length > 0) {
      parts.push('Tool calls:', JSON.stringify(reply.tool_calls, null, 2));
    }
  }
  return parts.join('\n');
}

/** Cheap size proxy used to shortlist candidates before tokenizing: contents plus tool-call arguments. */
export function approximateLength(record: LogRecord): number {
  let n = 0;
  for (const m of record.request.messages) n += m.role.length + contentText(m.content).length + 3;
  const reply = record.response.choices[0]?.message;
  if (reply) {
    n += contentText(reply.content).length;
    for (const c of reply.tool_calls ?? []) {
      const args = c.function.arguments;
      n += c.function.name.length + (typeof args === 'string' ? args.length : (JSON.stringify(args) ?? '').length) + 60;
    }
  }
  return n;
}
