// LLM-as-judge score parsing (bug §10.1): the blueprint's `(\d)` read a 10 as 1. The whole first integer is taken
// (a fraction like 7.5 keeps its integer part) and clamped to the 1–10 scale; no number at all is null, not 0.
// It lives here until the evaluation library exists, because the judged records are curation's eval records.

const SCORE = /(?:^|[^\d.])(\d+)(?:\.\d+)?(?!\d)/;

export function parseJudgeScore(text: string, min = 1, max = 10): number | null {
  const m = SCORE.exec(text);
  if (!m?.[1]) return null;
  const n = Number.parseInt(m[1], 10);
  return Math.min(max, Math.max(min, n));
}
