// The simulated LLM judge: tool calls by structural comparison (the rubric's rules: exact names, every
// ground-truth key present, short values exact, long text by word overlap), chat answers by word overlap
// scaled to 1–10 (a different final number caps the score).
import {
  type ChatMessage,
  JUDGE_TAGS,
  SIMILARITY_JUDGE_RUBRIC,
  TOOL_CALL_JUDGE_RUBRIC,
  canonicalJson,
  parseArguments,
  taggedBlock,
} from '@flywheel/platform-clients';

/** The judge's reply when the messages are one of our judge prompts, else null. */
export function judgeReply(messages: readonly ChatMessage[]): string | null {
  const system = messages.find((m) => m.role === 'system')?.content ?? '';
  const user = messages.find((m) => m.role === 'user')?.content ?? '';
  if (system === TOOL_CALL_JUDGE_RUBRIC) {
    const rating = rateToolCalls(
      parse(taggedBlock(user, JUDGE_TAGS.groundTruth)),
      parse(taggedBlock(user, JUDGE_TAGS.prediction)),
    );
    return `RATING: ${rating}\nEXPLANATION: ${rating === 1 ? 'The prediction matches the ground truth.' : 'The prediction misses the ground truth.'}`;
  }
  if (system === SIMILARITY_JUDGE_RUBRIC) {
    return String(
      rateSimilarity(taggedBlock(user, JUDGE_TAGS.reference) ?? '', taggedBlock(user, JUDGE_TAGS.candidate) ?? ''),
    );
  }
  return null;
}

function parse(text: string | null): unknown {
  try {
    return text === null ? null : (JSON.parse(text) as unknown);
  } catch {
    return null;
  }
}

interface CallShape {
  name: string;
  args: Record<string, unknown>;
}

function calls(value: unknown): CallShape[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const out: CallShape[] = [];
  for (const c of value) {
    const fn = (c as { function?: { name?: unknown; arguments?: unknown } } | null)?.function;
    if (!fn || typeof fn.name !== 'string') return null;
    const args = parseArguments(fn.arguments);
    if (!args.ok) return null;
    out.push({ name: fn.name, args: args.value });
  }
  return out;
}

export function rateToolCalls(groundTruth: unknown, prediction: unknown): 0 | 1 {
  const expected = calls(groundTruth);
  const predicted = calls(prediction);
  if (!expected || !predicted || expected.length !== predicted.length) return 0;
  return expected.every((e, i) => {
    const p = predicted[i];
    return (
      p !== undefined &&
      p.name === e.name &&
      Object.entries(e.args).every(([k, v]) => k in p.args && sameValue(v, p.args[k]))
    );
  })
    ? 1
    : 0;
}

function sameValue(expected: unknown, actual: unknown): boolean {
  if (typeof expected === 'string' && typeof actual === 'string' && expected.split(/\s+/).length > 4) {
    return overlap(expected, actual) >= 0.6; // long natural-language values: meaning, not wording
  }
  return canonicalJson(expected) === canonicalJson(actual);
}

function words(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
}

function overlap(a: string, b: string): number {
  const wa = words(a);
  const wb = words(b);
  if (wa.size === 0 && wb.size === 0) return 1;
  let shared = 0;
  for (const w of wa) if (wb.has(w)) shared++;
  return shared / (wa.size + wb.size - shared);
}

function finalNumber(text: string): string | null {
  const m = /(-?\d[\d,]*(?:\.\d+)?)(?!.*\d)/s.exec(text);
  return m?.[1]?.replace(/,/g, '') ?? null;
}

export function rateSimilarity(reference: string, candidate: string): number {
  if (candidate.trim() === '') return 1;
  if (reference.trim() === candidate.trim()) return 10;
  let score = 1 + Math.round(9 * overlap(reference, candidate));
  const a = finalNumber(reference);
  if (a !== null && a !== finalNumber(candidate)) score = Math.min(score, 5);
  return Math.max(1, Math.min(10, score));
}
