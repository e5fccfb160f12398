// LLM-judge prompts (the blueprint's two rubrics) and the parsers of their replies. The blocks are tagged so
// any judge — and the platform simulator's simulated judge — can tell task, reference and candidate apart.

import { type ChatMessage } from '../ports/chat-client';

export const TOOL_CALL_JUDGE_RUBRIC = `You are an expert judge of function calls made by an AI assistant.
Compare the predicted tool calls with the ground-truth tool calls.
Rate 0 if the prediction is null, empty or not valid JSON.
The function name must match exactly. Arguments must be a JSON object (or a string that parses to one).
Every ground-truth argument key must be present in the prediction: short identifiers, numbers and enums must
match exactly; long natural-language values need only match in meaning.
Any miss gives 0; otherwise 1.
Answer in exactly this format:
RATING: <0 or 1>
EXPLANATION: <one sentence>`;

export const SIMILARITY_JUDGE_RUBRIC = `You are an expert judge comparing a candidate answer with a reference answer to the same task.
Rate their similarity with an integer from 1 to 10:
10 = same meaning, wording may differ; 8-9 = same key information, one minor detail off;
6-7 = rough overlap, several points missing or altered; 4-5 = related but the core content is mostly wrong;
2-3 = largely irrelevant or incorrect; 1 = completely irrelevant or empty.
Answer with the integer only.`;

export const JUDGE_TAGS = {
  groundTruth: 'ground_truth',
  prediction: 'prediction',
  task: 'task',
  reference: 'reference',
  candidate: 'candidate',
} as const;

function block(tag: string, body: string): string {
  return `<${tag}>\n${body}\n</${tag}>`;
}

export function toolCallJudgeMessages(groundTruth: unknown, prediction: unknown): ChatMessage[] {
  return [
    { role: 'system', content: TOOL_CALL_JUDGE_RUBRIC },
    {
      role: 'user',
      content: `${block(JUDGE_TAGS.groundTruth, JSON.stringify(groundTruth))}\n${block(JUDGE_TAGS.prediction, JSON.stringify(prediction))}`,
    },
  ];
}

export function similarityJudgeMessages(task: unknown, reference: string, candidate: string): ChatMessage[] {
  return [
    { role: 'system', content: SIMILARITY_JUDGE_RUBRIC },
    {
      role: 'user',
      content: [
        block(JUDGE_TAGS.task, JSON.stringify(task)),
        block(JUDGE_TAGS.reference, reference),
        block(JUDGE_TAGS.candidate, candidate),
      ].join('\n'),
    },
  ];
}

/** The text between `<tag>` and `</tag>`, or null. */
export function taggedBlock(text: string, tag: string): string | null {
  const start = text.indexOf(`<${tag}>\n`);
  const end = text.lastIndexOf(`\n</${tag}>`);
  if (start < 0 || end < start) return null;
  return text.slice(start + tag.length + 3, end);
}

/** `RATING: 0|1` anywhere in the reply; anything else is unparseable (null). */
export function parseRating(reply: string | null): 0 | 1 | null {
  const m = /RATING:\s*\**\s*(\d+)/i.exec(reply ?? '');
  if (!m) return null;
  const n = Number(m[1]);
  return n === 0 || n === 1 ? n : null;
}

/**
 * The first whole integer 1–10 in the reply. The blueprint's `(\d)` regex read `10` as `1` (§10.1); here `10`
 * is 10, and `0` or `11` are not scores.
 */
export function parseSimilarity(reply: string | null): number | null {
  const m = /(?<![\d.])(10|[1-9])(?![\d.])/.exec(reply ?? '');
  return m ? Number(m[1]) : null;
}
