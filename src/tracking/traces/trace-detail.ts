/**
 * The read model of a trace's page: its info, its spans as a tree in start order (each with its
 * depth, its offset and duration within the trace, and its inputs, outputs, other attributes and
 * events decoded from MLflow's JSON texts), and the runs and logged model it belongs to.
 */
import type { Database } from '../../db/client';
import { all, first } from '../d1';
import { readSpans, type Span } from './spans';
import { getTraceInfo, MODEL_ID_METADATA, SOURCE_RUN_METADATA, type TraceInfo } from './traces';

/** A decoded span attribute value (MLflow stores each as JSON text). */
export type Decoded = { json: unknown } | { text: string };

/** One span as the page shows it. */
export type SpanView = {
  spanId: string;
  name: string;
  depth: number;
  type: string;
  status: string;
  statusMessage: string;
  /** From the trace's first span start, in ms. */
  offsetMs: number;
  /** Null while the span has not ended. */
  durationMs: number | null;
  inputs?: Decoded;
  outputs?: Decoded;
  attributes: { key: string; value: Decoded }[];
  events: { name: string; offsetMs: number; attributes: Record<string, unknown> }[];
};

/** A run the trace belongs to: where it was logged, or linked later. */
export type TraceRun = { runId: string; candidateId: number | null; name: string | null; how: 'logged in' | 'linked' };

export type TraceDetail = { info: TraceInfo; experimentName: string; spans: SpanView[]; totalMs: number; runs: TraceRun[]; modelId: string | null };

const INPUTS = 'mlflow.spanInputs';
const OUTPUTS = 'mlflow.spanOutputs';
const TYPE = 'mlflow.spanType';
const HIDDEN = new Set([INPUTS, OUTPUTS, TYPE, 'mlflow.traceRequestId']);

/** An attribute's JSON text decoded; text that is not JSON stays text. */
export function decode(value: unknown): Decoded {
  if (typeof value !== 'string') return { json: value };
  try {
    return { json: JSON.parse(value) };
  } catch {
    return { text: value };
  }
}

/** Spans in tree order: each parent before its children, siblings by start time; orphans (and cycles) at the root. */
export function spanTree(spans: Span[]): { span: Span; depth: number }[] {
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map<string | null, Span[]>();
  for (const s of spans) {
    const parent = s.parent_span_id && ids.has(s.parent_span_id) && s.parent_span_id !== s.span_id ? s.parent_span_id : null;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  for (const list of children.values()) list.sort((a, b) => a.start_time_unix_nano - b.start_time_unix_nano);
  const out: { span: Span; depth: number }[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number) => {
    for (const s of children.get(parent) ?? []) {
      if (seen.has(s.span_id)) continue;
      seen.add(s.span_id);
      out.push({ span: s, depth });
      walk(s.span_id, depth + 1);
    }
  };
  walk(null, 0);
  // Spans only reachable through a cycle of parents: shown from the earliest, not dropped.
  for (const s of [...spans].sort((a, b) => a.start_time_unix_nano - b.start_time_unix_nano)) {
    if (seen.has(s.span_id)) continue;
    seen.add(s.span_id);
    out.push({ span: s, depth: 0 });
    walk(s.span_id, 1);
  }
  return out;
}

/** Everything a trace's page shows. */
export async function getTraceDetail(db: Database, bucket: R2Bucket, projectId: number, traceId: string): Promise<TraceDetail> {
  const info = await getTraceInfo(db, projectId, traceId);
  const [spans, linked, experiment] = await Promise.all([
    readSpans(bucket, projectId, info.id),
    all<{ run_id: string }>(db, `SELECT run_id FROM trace_run_links WHERE trace_id = ? ORDER BY rowid`, info.id),
    first<{ name: string }>(db, `SELECT name FROM experiments WHERE id = ?`, info.experimentRowId),
  ]);
  const tree = spanTree(spans);
  const start = Math.min(...spans.map((s) => s.start_time_unix_nano));
  const end = Math.max(...spans.map((s) => s.end_time_unix_nano ?? s.start_time_unix_nano));
  const totalMs = spans.length ? (end - start) / 1e6 : 0;
  const views = tree.map(({ span, depth }): SpanView => {
    const type = decode(span.attributes[TYPE]);
    return {
      spanId: span.span_id,
      name: span.name,
      depth,
      type: 'json' in type && typeof type.json === 'string' ? type.json : 'UNKNOWN',
      status: span.status.code.replace(/^STATUS_CODE_/, ''),
      statusMessage: span.status.message,
      offsetMs: (span.start_time_unix_nano - start) / 1e6,
      durationMs: span.end_time_unix_nano === null ? null : (span.end_time_unix_nano - span.start_time_unix_nano) / 1e6,
      inputs: INPUTS in span.attributes ? decode(span.attributes[INPUTS]) : undefined,
      outputs: OUTPUTS in span.attributes ? decode(span.attributes[OUTPUTS]) : undefined,
      attributes: Object.entries(span.attributes)
        .filter(([key]) => !HIDDEN.has(key))
        .map(([key, value]) => ({ key, value: decode(value) })),
      events: span.events.map((e) => ({
        name: String(e.name),
        offsetMs: (Number(e.time_unix_nano) - start) / 1e6,
        attributes: typeof e.attributes === 'object' && e.attributes !== null ? e.attributes : {},
      })),
    };
  });
  const runIds = [
    ...(info.metadata[SOURCE_RUN_METADATA] ? [{ runId: info.metadata[SOURCE_RUN_METADATA], how: 'logged in' as const }] : []),
    ...linked.map((l) => ({ runId: l.run_id, how: 'linked' as const })),
  ];
  const candidates = runIds.length
    ? await all<{ id: number; run_id: string; name: string }>(
        db,
        `SELECT id, run_id, name FROM candidates WHERE project_id = ?1 AND run_id IN (SELECT value FROM json_each(?2))`,
        projectId,
        JSON.stringify(runIds.map((r) => r.runId)),
      )
    : [];
  const runs = runIds.map((r) => {
    const candidate = candidates.find((c) => c.run_id === r.runId);
    return { ...r, candidateId: candidate?.id ?? null, name: candidate?.name ?? null };
  });
  return { info, experimentName: experiment?.name ?? `Experiment ${info.experimentId}`, spans: views, totalMs, runs, modelId: info.metadata[MODEL_ID_METADATA] ?? null };
}
