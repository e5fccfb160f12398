// A run's traces from the span files, as text: every trace holding a span tagged flywheel.run_id = the run, each
// span under its parent (across processes: a consumer span sits under the producer span in another service).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SPAN_FILE_SUFFIX } from './file-span-exporter';
import { spanRecordSchema, type SpanRecord } from './span-record';

export const RUN_ID_ATTRIBUTE = 'flywheel.run_id';

export interface SpanFiles {
  readonly spans: SpanRecord[];
  readonly files: number;
  /** Lines that are not span records (a line cut short by a kill, say): skipped, counted. */
  readonly badLines: number;
}

/** Reads every `*.jsonl` span file of `path` (a directory, or one file). A missing path reads as no spans. */
export function readSpanFiles(path: string): SpanFiles {
  if (!existsSync(path)) return { spans: [], files: 0, badLines: 0 };
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((f) => f.endsWith(SPAN_FILE_SUFFIX))
        .sort()
        .map((f) => join(path, f))
    : [path];
  const spans: SpanRecord[] = [];
  let badLines = 0;
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim().length === 0) continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        badLines++;
        continue;
      }
      const parsed = spanRecordSchema.safeParse(json);
      if (parsed.success) spans.push(parsed.data);
      else badLines++;
    }
  }
  return { spans, files: files.length, badLines };
}

export interface TraceNode {
  readonly span: SpanRecord;
  readonly children: TraceNode[];
}

export interface RunTrace {
  readonly traceId: string;
  /** Spans whose parent is not in the files (the trace's root, or spans under a span never exported). */
  readonly roots: TraceNode[];
  readonly spans: readonly SpanRecord[];
  readonly services: readonly string[];
}

/** The traces that contain a span of run `runId`, oldest first, each as a tree. */
export function runTraces(spans: readonly SpanRecord[], runId: string): RunTrace[] {
  const traceIds = new Set(spans.filter((s) => s.attributes[RUN_ID_ATTRIBUTE] === runId).map((s) => s.traceId));
  const byTrace = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    if (!traceIds.has(s.traceId)) continue;
    byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
  }
  return [...byTrace]
    .map(([traceId, members]) => ({
      traceId,
      roots: buildTree(members),
      spans: members,
      services: [...new Set(members.map((s) => s.service))].sort(),
    }))
    .sort((a, b) => earliest(a.spans) - earliest(b.spans));
}

const earliest = (spans: readonly SpanRecord[]): number => Math.min(...spans.map((s) => s.start));

function buildTree(spans: readonly SpanRecord[]): TraceNode[] {
  const nodes = new Map<string, TraceNode>();
  // A span exported twice (a retried export) appears once.
  for (const span of spans) if (!nodes.has(span.spanId)) nodes.set(span.spanId, { span, children: [] });
  const roots: TraceNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.span.parentSpanId === undefined ? undefined : nodes.get(node.span.parentSpanId);
    if (parent === undefined) roots.push(node);
    else parent.children.push(node);
  }
  const byStart = (a: TraceNode, b: TraceNode): number => a.span.start - b.span.start;
  for (const node of nodes.values()) node.children.sort(byStart);
  return roots.sort(byStart);
}

function duration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

const SHOWN_ATTRIBUTES = [
  ['flywheel.candidate', 'candidate'],
  ['flywheel.outcome', 'outcome'],
  ['messaging.consumer.group.name', 'group'],
] as const;

function describe(span: SpanRecord): string {
  const extras = SHOWN_ATTRIBUTES.flatMap(([key, label]) => {
    const v = span.attributes[key];
    return v === undefined ? [] : [`${label}=${String(v)}`];
  });
  const status = span.status === 'error' ? `  ERROR${span.statusMessage ? `: ${span.statusMessage}` : ''}` : '';
  return `${span.service}  ${span.name}  [${span.kind}] ${duration(span.durationMs)}${
    extras.length > 0 ? `  ${extras.join(' ')}` : ''
  }${status}`;
}

/** The traces as indented text, one span a line: service, span name, kind, duration, candidate, outcome. */
export function renderRunTraces(traces: readonly RunTrace[], runId: string): string {
  if (traces.length === 0) return `no spans of run ${runId}`;
  const lines: string[] = [];
  for (const t of traces) {
    const start = earliest(t.spans);
    const end = Math.max(...t.spans.map((s) => s.start + s.durationMs));
    lines.push(
      `trace ${t.traceId}: ${t.spans.length} spans, ${t.services.length} services (${t.services.join(', ')}), ` +
        `${duration(end - start)}`,
    );
    const walk = (node: TraceNode, prefix: string, last: boolean): void => {
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${describe(node.span)}`);
      const next = `${prefix}${last ? '   ' : '│  '}`;
      node.children.forEach((c, i) => walk(c, next, i === node.children.length - 1));
    };
    t.roots.forEach((r, i) => walk(r, '', i === t.roots.length - 1));
  }
  return lines.join('\n');
}
