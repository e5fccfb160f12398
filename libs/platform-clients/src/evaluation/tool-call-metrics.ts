// The blueprint's exact-match tool-calling metrics, per sample (0 or 1):
// - function_name_accuracy: the predicted calls name the same functions as the ground truth (as a multiset,
//   order of calls ignored);
// - function_name_and_args_accuracy: additionally each call's arguments are equal after JSON normalisation —
//   key order and whitespace do not matter, types do (5 ≠ "5", 5 = 5.0), arrays keep their order, and a missing
//   or extra argument is a mismatch.
import { canonicalJson, parseArguments } from '../util/canonical-json';

export interface ToolCallLike {
  function: { name: string; arguments: unknown };
}

export function functionNameAccuracy(groundTruth: readonly ToolCallLike[], prediction: readonly ToolCallLike[]): 0 | 1 {
  if (groundTruth.length !== prediction.length) return 0;
  const a = groundTruth.map((c) => c.function.name).sort();
  const b = prediction.map((c) => c.function.name).sort();
  return a.every((name, i) => name === b[i]) ? 1 : 0;
}

export function functionNameAndArgsAccuracy(
  groundTruth: readonly ToolCallLike[],
  prediction: readonly ToolCallLike[],
): 0 | 1 {
  if (groundTruth.length !== prediction.length) return 0;
  const remaining = prediction.map(normalise);
  for (const expected of groundTruth.map(normalise)) {
    if (expected === null) return 0;
    const at = remaining.findIndex((p) => p !== null && p.name === expected.name && p.args === expected.args);
    if (at < 0) return 0;
    remaining.splice(at, 1);
  }
  return 1;
}

function normalise(call: ToolCallLike): { name: string; args: string } | null {
  const args = parseArguments(call.function.arguments);
  return args.ok ? { name: call.function.name, args: canonicalJson(args.value) } : null;
}
