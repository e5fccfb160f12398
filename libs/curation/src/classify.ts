// Workload classification (inventory §2.3): tool-calling when any record's first choice carries tool calls. The
// blueprint then silently dropped every record without tool calls; here the split is counted and a mixed workload
// is reported, so the minority's fate is visible.
import { firstChoiceToolCalls } from './validate';
import { type LogRecord, type WorkloadType } from './types';

export interface WorkloadClassification {
  readonly type: WorkloadType;
  readonly tool_calling_records: number;
  readonly generic_records: number;
  /** Both kinds present: in a tool-calling workload the generic records are dropped under `no_tool_calls`. */
  readonly mixed: boolean;
}

export function classifyWorkload(records: readonly LogRecord[]): WorkloadClassification {
  let toolCalling = 0;
  for (const record of records) if (firstChoiceToolCalls(record).length > 0) toolCalling++;
  return classification(toolCalling, records.length);
}

/** The classification from counts: `toolCalling` of `total` records have tool calls in their first choice. */
export function classification(toolCalling: number, total: number): WorkloadClassification {
  const generic = total - toolCalling;
  return {
    type: toolCalling > 0 ? 'tool_calling' : 'generic',
    tool_calling_records: toolCalling,
    generic_records: generic,
    mixed: toolCalling > 0 && generic > 0,
  };
}
