// The validation pass: OpenAI format rules over the input, workload classification over the well-formed records,
// then for tool-calling the quality filter and the argument check (per-job flag, not a global one: bug §10.8).
// Every dropped record is counted under the one rule that dropped it. Each record is read in a single pass (what
// the later rules and stages need is noted then): the input is far larger than the CPU cache, so every extra pass
// over it costs a cache miss per object.
import { classification, type WorkloadClassification } from './classify';
import { type DataSplitConfig } from './config';
import { timestampToMs } from './timestamp';
import { NO_TOOL, type CuratedRecord, type LogRecord } from './types';
import {
  checkArguments,
  emptyDropCounts,
  firstChoiceToolCalls,
  formatRule,
  toolCallRule,
  type DropCounts,
  type DropRule,
  type ToolsVerdicts,
} from './validate';

export interface ValidRecords {
  /** Records that passed every rule, in input order. */
  readonly valid: CuratedRecord[];
  readonly wellFormed: number;
  readonly workload: WorkloadClassification;
  /** Counts per rule; `duplicate` is left for dedupe. */
  readonly dropped: DropCounts;
  readonly unreadableTimestamps: number;
}

function interned(strings: Map<string, string>, s: string): string {
  const known = strings.get(s);
  if (known !== undefined) return known;
  strings.set(s, s);
  return s;
}

export function selectValid(records: readonly unknown[], split: DataSplitConfig): ValidRecords {
  const dropped = emptyDropCounts();
  const limits = { maxToolProperties: split.max_tool_properties, maxMessageChars: split.max_message_chars };
  const toolsVerdicts: ToolsVerdicts = new Map();
  // Sized for the whole input and trimmed after: a large array grown push by push is copied at every doubling,
  // into fresh memory each time.
  // Built for the usual case, a tool-calling workload; classification can only be done once all are read.
  const curated = new Array<CuratedRecord>(records.length);
  /** Per well-formed record: the tool-calling rule it breaks (quality filter, then arguments), or null. */
  const toolCallingRules = new Array<DropRule | null>(records.length);
  // One string per tool name: later stages key maps by it, and a lookup with the very string stored as the key is
  // several times faster than one with an equal copy (each logged record carries its own copy).
  const toolNames = new Map<string, string>();
  let wellFormed = 0;
  let toolCallingRecords = 0;
  for (let i = 0; i < records.length; i++) {
    const value = records[i];
    const rule = formatRule(value, limits, toolsVerdicts);
    if (rule !== null) {
      dropped[rule]++;
      continue;
    }
    const record = value as LogRecord;
    const firstCalls = firstChoiceToolCalls(record);
    if (firstCalls.length > 0) toolCallingRecords++;
    const name = firstCalls[0]?.function.name;
    // The arguments are parsed here anyway; what the parse gave is kept for the training lines (as text).
    const callRule = toolCallRule(record);
    const args = callRule === null && split.parse_function_arguments ? checkArguments(record) : null;
    toolCallingRules[wellFormed] = callRule ?? (typeof args === 'string' ? args : null);
    curated[wellFormed] = {
      record,
      parseArguments: split.parse_function_arguments,
      inputIndex: i,
      timeMs: timestampToMs(record.timestamp),
      toolName: typeof name === 'string' ? interned(toolNames, name) : NO_TOOL,
      replyArguments: args === null || typeof args === 'string' ? undefined : args,
    };
    wellFormed++;
  }
  curated.length = wellFormed;

  const workload = classification(toolCallingRecords, wellFormed);
  let valid = curated;
  if (workload.type === 'tool_calling') {
    let kept = 0;
    for (let j = 0; j < wellFormed; j++) {
      const rule = toolCallingRules[j] ?? null;
      if (rule === null) valid[kept++] = valid[j] as CuratedRecord;
      else dropped[rule]++;
    }
    valid.length = kept;
  } else if (split.parse_function_arguments) {
    // No quality filter, and nothing to parse.
    valid = curated.map((r) => ({ ...r, parseArguments: false, replyArguments: undefined }));
  }
  const unreadableTimestamps = valid.reduce((n, r) => n + (Number.isFinite(r.timeMs) ? 0 : 1), 0);
  return { valid, wellFormed, workload, dropped, unreadableTimestamps };
}
