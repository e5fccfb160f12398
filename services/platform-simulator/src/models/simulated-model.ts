// A simulated chat model. For a prompt the teacher answered in an uploaded dataset it gives the teacher's
// answer with probability = skill (a seeded draw per model and prompt), otherwise a wrong answer of the right
// shape: another tool, a changed or missing argument, or a degraded paraphrase. Unknown prompts get a generic
// answer (a schema-shaped call of the first tool, or a hedged sentence).
import {
  type ChatCompletionRequest,
  type ToolCall,
  type ToolDefinition,
  parseArguments,
} from '@flywheel/platform-clients';
import { type AnswerIndex } from './answer-index';
import { fnv1a, unitDraw } from './hash';
import { ICL_BONUS, hasInContextExamples } from './model-profile';

export interface SimulatedAnswer {
  content: string | null;
  toolCalls: ToolCall[];
  /** Whether the teacher's answer was given (for the simulator's own bookkeeping). */
  correct: boolean;
}

export interface AnswerContext {
  model: string;
  skill: number;
  seed: number;
  index: AnswerIndex;
}

export function simulateAnswer(request: ChatCompletionRequest, ctx: AnswerContext): SimulatedAnswer {
  const skill = Math.min(0.99, ctx.skill + (hasInContextExamples(request.messages) ? ICL_BONUS : 0));
  const known = ctx.index.lookup(request.messages);
  const key = JSON.stringify(request.messages.map((m) => m.content ?? ''));
  if (!known) return genericAnswer(request, key);
  if (unitDraw(ctx.seed, ctx.model, key) < skill)
    return { content: known.content, toolCalls: known.toolCalls, correct: true };
  const variant = fnv1a(`${ctx.seed}:${ctx.model}:${key}:wrong`);
  if (known.toolCalls.length > 0) {
    return {
      content: null,
      toolCalls: known.toolCalls.map((c, i) => (i === 0 ? wrongCall(c, request.tools ?? [], variant) : c)),
      correct: false,
    };
  }
  return { content: paraphrase(known.content ?? '', variant), toolCalls: [], correct: false };
}

function wrongCall(call: ToolCall, tools: readonly ToolDefinition[], variant: number): ToolCall {
  const parsed = parseArguments(call.function.arguments);
  const args = parsed.ok ? { ...parsed.value } : {};
  const keys = Object.keys(args);
  const others = tools.map((t) => t.function.name).filter((n) => n !== call.function.name);
  const mode = variant % 3;
  if (mode === 0 || keys.length === 0) {
    const name =
      others.length > 0 ? (others[variant % others.length] ?? `${call.function.name}_v2`) : `${call.function.name}_v2`;
    return { ...call, function: { name, arguments: JSON.stringify(args) } };
  }
  const key = keys[variant % keys.length] ?? '';
  if (mode === 1 || keys.length === 1) args[key] = perturb(args[key]);
  else delete args[key];
  return { ...call, function: { name: call.function.name, arguments: JSON.stringify(args) } };
}

function perturb(value: unknown): unknown {
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'string')
    return value === '' ? 'unknown' : `${value.split(' ').slice(0, -1).join(' ') || value} approx`;
  if (Array.isArray(value)) return value.slice(0, -1);
  return null;
}

function paraphrase(text: string, variant: number): string {
  const sentences = text.split(/(?<=[.!?\n])\s*/).filter((s) => s.trim() !== '');
  const kept = sentences.filter((_, i) => (variant >> i) % 3 !== 0 || i === 0);
  const body = kept.join(' ').replace(/(\d+)(?!.*\d)/s, (n) => String(Number(n) + 1 + (variant % 5)));
  return `Let me think about this. ${body}`;
}

function genericAnswer(request: ChatCompletionRequest, key: string): SimulatedAnswer {
  const tool = request.tools?.[0];
  if (tool && request.tool_choice !== 'none') {
    const schema = tool.function.parameters ?? {};
    const props = (schema.properties ?? {}) as Record<string, { type?: string }>;
    const required = Array.isArray(schema.required) ? (schema.required as string[]) : Object.keys(props);
    const args: Record<string, unknown> = {};
    for (const name of required) args[name] = placeholder(props[name]?.type);
    return {
      content: null,
      toolCalls: [
        {
          id: `call_${fnv1a(key).toString(16)}`,
          type: 'function',
          function: { name: tool.function.name, arguments: JSON.stringify(args) },
        },
      ],
      correct: false,
    };
  }
  const last = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  return {
    content: `I am not certain, but regarding "${last.slice(0, 60)}": it depends on the details.`,
    toolCalls: [],
    correct: false,
  };
}

function placeholder(type: string | undefined): unknown {
  switch (type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    case 'string':
    case undefined:
      return 'value';
    default:
      return 'value';
  }
}
