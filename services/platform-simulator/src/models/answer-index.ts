// The teacher's answers, learnt from every uploaded JSONL record `{request, response}`. Keyed by the
// conversation without system messages, so the same prompt with in-context examples still matches.
import {
  type ChatMessage,
  type EvalRecord,
  type ToolCall,
  canonicalJson,
  evalRecordSchema,
} from '@flywheel/platform-clients';

export interface TeacherAnswer {
  content: string | null;
  toolCalls: ToolCall[];
}

export function promptKey(messages: readonly Pick<ChatMessage, 'role' | 'content'>[]): string {
  return canonicalJson(messages.filter((m) => m.role !== 'system').map((m) => [m.role, m.content ?? '']));
}

export class AnswerIndex {
  private readonly answers = new Map<string, TeacherAnswer>();

  /** Indexes every parseable record line; returns how many were indexed. */
  public addJsonl(text: string): number {
    let n = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      const parsed = evalRecordSchema.safeParse(value);
      if (!parsed.success) continue;
      this.add(parsed.data);
      n++;
    }
    return n;
  }

  /** Indexes records parsed already (an uploaded eval file, parsed once for this and for evaluations). */
  public addRecords(records: readonly EvalRecord[]): void {
    for (const record of records) this.add(record);
  }

  public lookup(messages: readonly Pick<ChatMessage, 'role' | 'content'>[]): TeacherAnswer | undefined {
    return this.answers.get(promptKey(messages));
  }

  private add(record: EvalRecord): void {
    const message = record.response.choices[0]?.message;
    this.answers.set(promptKey(record.request.messages), {
      content: message?.content ?? null,
      toolCalls: message?.tool_calls ?? [],
    });
  }

  public get size(): number {
    return this.answers.size;
  }
}
