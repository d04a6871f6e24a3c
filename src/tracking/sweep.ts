/**
 * The sweep read model: for the candidates of an experiment that a filter matches (the same
 * filter language as the candidates table), the values of a few params and metrics, for the
 * parallel-coordinates and scatter views. At most SWEEP_LINES candidates are returned: the best
 * SWEEP_BEST by the colour metric always, then an even sample of the rest in that order, so the
 * shape of a sweep of any size reads from one small answer.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { InvalidInputError } from '../errors';
import { defaultDirection, type Direction } from './comparison';
import { decodeMetricValue } from './metric-values';
import { searchRunIds } from './search';
import { MAX_RUNS_PAGE } from './search/runs';
import { quote } from './search/lexer';

/** At most this many candidates are drawn in a sweep view. */
export const SWEEP_LINES = 2000;
/** The best candidates by the colour metric, always among those drawn. */
export const SWEEP_BEST = 200;
/** At most this many axes (params and metrics) in one view. */
export const MAX_AXES = 24;

/** One axis of a sweep view: a param or a metric of the candidates. */
export type SweepAxis = { kind: 'param' | 'metric'; key: string };

/** One drawn candidate: its values in axis order (null when not logged; NaN and ±Infinity as null). */
export type SweepLine = { id: number; name: string; values: (number | string | null)[] };

/** A sweep view's data. */
export type Sweep = {
  axes: SweepAxis[];
  /** Candidates the filter matched. */
  matched: number;
  /** The metric the lines are ordered and coloured by, and which way it improves. */
  colorBy?: { key: string; direction: Direction };
  lines: SweepLine[];
};

/** What to draw: the experiment, its filter, the axes and the colour metric. */
export type SweepRequest = { experimentId: number; filter?: string; axes: SweepAxis[]; colorBy?: string; direction?: Direction };

/**
 * The sweep of an experiment's active candidates matching `filter`. Ordered best first by
 * `colorBy` (NaN and missing last) when given, else newest first. A malformed filter is an
 * InvalidInputError naming its column.
 */
export async function loadSweep(db: Database, request: SweepRequest): Promise<Sweep> {
  const colorBy = request.colorBy ? { key: request.colorBy, direction: request.direction ?? defaultDirection(request.colorBy) } : undefined;
  // the colour metric is always an axis (the last one when not chosen)
  const axes = uniqueAxes(colorBy ? [...request.axes, { kind: 'metric', key: colorBy.key }] : request.axes);
  if (axes.length > MAX_AXES) throw new InvalidInputError(`at most ${MAX_AXES} axes can be drawn at once`, 'axis');
  const orderBy = colorBy ? [`metrics.${quote(colorBy.key, '`')} ${colorBy.direction === 'max' ? 'DESC' : 'ASC'}`] : undefined;
  const { ids } = await searchRunIds(db, { experimentIds: [request.experimentId], filter: request.filter, orderBy, viewType: 'ACTIVE_ONLY', maxResults: MAX_RUNS_PAGE });
  const drawn = sample(ids, SWEEP_LINES, colorBy ? SWEEP_BEST : 0);
  return { axes, matched: ids.length, colorBy, lines: await loadLines(db, drawn, axes) };
}

/** `keep` first ids, then evenly spaced ones from the rest, `limit` in all, in the given order. */
export function sample<T>(ids: T[], limit: number, keep: number): T[] {
  if (ids.length <= limit) return ids;
  const head = ids.slice(0, keep);
  const rest = ids.slice(keep);
  const room = limit - head.length;
  const stride = rest.length / room;
  return [...head, ...Array.from({ length: room }, (_, i) => rest[Math.floor(i * stride)])];
}

function uniqueAxes(axes: SweepAxis[]): SweepAxis[] {
  const seen = new Set<string>();
  return axes.filter((a) => {
    const id = `${a.kind}:${a.key}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

type LineRow = { id: number; name: string; run_id: string; params: string; metrics: string };

/** The candidates' names and axis values, one row per candidate (params and metrics as JSON arrays), in `ids` order. */
async function loadLines(db: Database, ids: number[], axes: SweepAxis[]): Promise<SweepLine[]> {
  if (ids.length === 0) return [];
  const paramKeys = JSON.stringify(axes.filter((a) => a.kind === 'param').map((a) => a.key));
  const metricKeys = JSON.stringify(axes.filter((a) => a.kind === 'metric').map((a) => a.key));
  const rows = await db.all<LineRow>(sql`SELECT c.id, c.name, c.run_id,
    (SELECT json_group_array(json_array(p.key, p.value)) FROM candidate_params p WHERE p.candidate_id = c.id AND p.key IN (SELECT value FROM json_each(${paramKeys}))) AS params,
    (SELECT json_group_array(json_array(m.key, m.value, m.is_nan)) FROM latest_metrics m WHERE m.candidate_id = c.id AND m.key IN (SELECT value FROM json_each(${metricKeys}))) AS metrics
    FROM json_each(${JSON.stringify(ids)}) AS picked JOIN candidates c ON c.id = picked.value ORDER BY picked.key`);
  const position = new Map(axes.map((a, i) => [`${a.kind}:${a.key}`, i]));
  return rows.map((r) => {
    const values: (number | string | null)[] = axes.map(() => null);
    for (const [key, value] of JSON.parse(r.params) as [string, string][]) values[position.get(`param:${key}`)!] = paramValue(value);
    for (const [key, value, isNan] of JSON.parse(r.metrics) as [string, number, number][]) {
      const v = decodeMetricValue(value, isNan);
      values[position.get(`metric:${key}`)!] = Number.isFinite(v) ? v : null;
    }
    return { id: r.id, name: r.name || r.run_id, values };
  });
}

/** A param as a number when it reads as one (learning rates, layer counts), else its text. */
function paramValue(value: string): number | string {
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : value;
}
