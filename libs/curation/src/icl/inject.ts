// Fitting examples into one eval record's budget and writing them into its system message (inventory §2.8
// `_inject_icl_examples`). The budget belongs to the target model: its context length minus reserved tokens minus
// the record itself (the blueprint used one global length, overflowing small models — bug §10.18). The preamble
// and separators are counted too, so the final prompt stays inside the budget.
import { isList, type ChatMessage, type LogRecord } from '../types';
import { type IclExample } from './example';

export const ICL_PREAMBLE =
  'You are a helpful assistant that can answer questions and use tools. ' +
  'Here are some examples of how to respond to user queries:';

/** Tokens for the `\n\n` between blocks, counted once per example. */
const SEPARATOR_TOKENS = 1;

/** Round-robin over the groups (the next example of each in turn); stops at the first one that does not fit. */
export function fitExamples(groups: readonly (readonly IclExample[])[], available: number): IclExample[] {
  const fitted: IclExample[] = [];
  let used = 0;
  const longest = groups.reduce((m, g) => Math.max(m, g.length), 0);
  for (let round = 0; round < longest; round++) {
    for (const g of groups) {
      const e = g[round];
      if (!e) continue;
      const cost = e.tokens + SEPARATOR_TOKENS;
      if (used + cost > available) return fitted;
      fitted.push(e);
      used += cost;
    }
  }
  return fitted;
}

/** The record with the examples in its system message (rewritten if present, else inserted first); a copy. */
export function injectExamples(record: LogRecord, examples: readonly IclExample[]): LogRecord {
  if (examples.length === 0) return record;
  const block = `${ICL_PREAMBLE}\n\n${examples.map((e) => e.text).join('\n\n')}`;
  const messages = record.request.messages;
  const at = messages.findIndex((m) => m.role === 'system');
  let next: ChatMessage[];
  if (at === -1) {
    next = [{ role: 'system', content: block }, ...messages];
  } else {
    const system = messages[at] as ChatMessage;
    const original = system.content;
    let content: ChatMessage['content'];
    if (isList(original)) content = [{ type: 'text', text: block }, ...original];
    else if (typeof original === 'string' && original.length > 0) content = `${block}\n\n${original}`;
    else content = block;
    next = messages.slice();
    next[at] = { ...system, content };
  }
  return { ...record, request: { ...record.request, messages: next } };
}
