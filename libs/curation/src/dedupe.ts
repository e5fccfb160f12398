// Deduplication (inventory §2.5, bug §10.29): records with the same user turns are one query; the newest copy is
// kept. Keys are canonical JSON, so multimodal (array) content dedupes too instead of being waved through, and a
// record without user turns is keyed on its whole conversation rather than always kept.
import { canonicalJson } from './json';
import { type ChatMessage, type CuratedRecord } from './types';

function hasContent(content: ChatMessage['content']): boolean {
  if (typeof content === 'string') return content.length > 0;
  return Array.isArray(content) && content.length > 0;
}

/**
 * The dedupe key of a conversation: its non-empty user turns in order, or every message when it has none. A single
 * plain-text user turn (the common case) is its own key, held by reference instead of copied; composite keys carry
 * a prefix and live in a separate set, so the two kinds never collide.
 */
export function dedupeKey(messages: readonly ChatMessage[]): { readonly single: boolean; readonly key: string } {
  let user: unknown[] | null = null;
  let only: string | null = null;
  let plain = true;
  for (const m of messages) {
    if (m.role !== 'user' || !hasContent(m.content)) continue;
    if (typeof m.content !== 'string') plain = false;
    if (user === null && only === null && typeof m.content === 'string') {
      only = m.content;
      continue;
    }
    user ??= only === null ? [] : [only];
    user.push(m.content);
  }
  if (user === null && only !== null) return { single: true, key: only };
  if (user === null) {
    return {
      single: false,
      key: `all:${canonicalJson(messages.map((m) => [m.role, m.content ?? null, m.tool_calls ?? null]))}`,
    };
  }
  // Plain-string turns skip the canonicalising replacer.
  return { single: false, key: `user:${plain ? JSON.stringify(user) : canonicalJson(user)}` };
}

/**
 * Positions of `records` newest first: timestamp descending; equal (or unreadable) timestamps keep input order.
 * Logs usually arrive in time order (either way): that is detected in one pass and the comparison sort skipped.
 */
export function newestFirstOrder(records: readonly CuratedRecord[]): Int32Array {
  let descending = true;
  let ascending = true;
  for (let i = 1; i < records.length && (descending || ascending); i++) {
    const prev = (records[i - 1] as CuratedRecord).timeMs;
    const cur = (records[i] as CuratedRecord).timeMs;
    if (!(prev > cur)) descending = false;
    if (!(prev < cur)) ascending = false;
  }
  const n = records.length;
  const order = new Int32Array(n);
  if (descending || ascending) {
    for (let i = 0; i < n; i++) order[i] = ascending ? n - 1 - i : i;
    return order;
  }
  order.forEach((_, i) => (order[i] = i));
  return order.sort((i, j) => {
    const a = records[i] as CuratedRecord;
    const b = records[j] as CuratedRecord;
    return b.timeMs - a.timeMs || a.inputIndex - b.inputIndex;
  });
}

export interface DedupeResult {
  /** Survivors, newest first. */
  readonly kept: CuratedRecord[];
  readonly duplicates: number;
}

export function dedupe(records: readonly CuratedRecord[]): DedupeResult {
  const singles = new Set<string>();
  const composites = new Set<string>();
  // Sized for all and trimmed after (no copy at every doubling of a large array).
  const kept = new Array<CuratedRecord>(records.length);
  let n = 0;
  for (const i of newestFirstOrder(records)) {
    const r = records[i] as CuratedRecord;
    const { single, key } = dedupeKey(r.record.request.messages);
    const seen = single ? singles : composites;
    if (seen.has(key)) continue;
    seen.add(key);
    kept[n++] = r;
  }
  kept.length = n;
  return { kept, duplicates: records.length - n };
}
