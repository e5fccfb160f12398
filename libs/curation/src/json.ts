// JSON helpers: JSONL parsing that keeps unparseable lines in-band (so they are counted, not lost) and a canonical
// serialisation (sorted keys) for comparing structured values such as multimodal content.

/** Stands in for a JSONL line that is not valid JSON; validation counts it under `unparseable_json`. */
export class UnparseableLine {
  public constructor(
    public readonly lineNumber: number,
    public readonly error: string,
  ) {}
}

/** One value per non-blank line; blank lines are skipped, bad lines become UnparseableLine. */
export function parseJsonl(text: string): unknown[] {
  const out: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as unknown);
    } catch (err) {
      out.push(new UnparseableLine(i + 1, err instanceof Error ? err.message : String(err)));
    }
  }
  return out;
}

/** JSON with object keys sorted at every level: equal values give equal strings whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const src = v as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(src).sort()) sorted[k] = src[k];
    return sorted;
  });
}

/** The blueprint's file format: one JSON object a line, joined by `\n`, no trailing newline. */
export function toJsonl(lines: readonly string[]): string {
  return lines.join('\n');
}
