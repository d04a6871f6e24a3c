/**
 * The comparison read model: a few candidates of one experiment side by side (params with the
 * ones that differ, latest metrics with the best of each), their curves per metric sampled on
 * the server, and one metric's latest value across every candidate of the experiment.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { candidates, latestMetrics } from '../db/schema';
import { InvalidInputError } from '../errors';
import { loadCandidateRows, type CandidateRow } from './candidate-table';
import { metricHistoryBulkInterval } from './metrics';
import { decodeMetricValue } from './metric-values';

/** At most this many candidates are compared at once (the curves stay readable). */
export const MAX_COMPARED = 10;
/** Points per candidate and metric in a comparison chart. */
export const CURVE_POINTS = 300;
/** At most this many candidates are drawn in the across-candidates chart (the newest ones): MLflow's largest search page. */
export const MAX_ACROSS = 50_000;

/** Which way a metric improves. */
export type Direction = 'max' | 'min';

// Names that read as something to minimise: losses, errors, distances, perplexity, time taken.
const LOWER_IS_BETTER = /(loss|err|error|mse|mae|rmse|mape|perplexity|ppl|wer|cer|distance|latency|duration|time)(\b|_|$)/i;

/**
 * The default direction of a metric, by its name: lower is better for names that contain a
 * loss, error, mse/mae/rmse/mape, perplexity/ppl, wer/cer, distance, latency, duration or time
 * word; higher is better for everything else (accuracy, f1, auc, precision, recall, ...).
 */
export function defaultDirection(key: string): Direction {
  return LOWER_IS_BETTER.test(key.replaceAll(/[^A-Za-z0-9]+/g, '_')) ? 'min' : 'max';
}

/** Candidate ids from `candidates` query values: each a number or a comma-separated list; unique, in order. */
export function parseCandidateIds(values: string[]): number[] {
  const ids: number[] = [];
  for (const part of values.flatMap((v) => v.split(','))) {
    const text = part.trim();
    if (text === '') continue;
    if (!/^\d{1,15}$/.test(text)) throw new InvalidInputError(`'${text}' is not a candidate id`, 'candidates');
    const id = Number(text);
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** One param row: the value of each compared candidate (undefined when not logged), and whether they differ. */
export type ParamRow = { key: string; values: (string | undefined)[]; differs: boolean };
/** One metric row: the latest values, the direction used, and which columns hold the best value. */
export type MetricRow = { key: string; values: (number | undefined)[]; direction: Direction; best: Set<number> };

/** Candidates side by side. */
export type Comparison = { candidates: CandidateRow[]; params: ParamRow[]; metrics: MetricRow[] };

/**
 * Loads the given candidates (active, of this experiment; others are left out) and lines up
 * their params and latest metrics. `directions` overrides the default direction per metric.
 */
export async function compareCandidates(db: Database, experimentId: number, ids: number[], directions: Map<string, Direction> = new Map()): Promise<Comparison> {
  const rows = await loadCandidateRows(db, ids.slice(0, MAX_COMPARED));
  const found = new Set(
    rows.length === 0
      ? []
      : (
          await db
            .select({ id: candidates.id })
            .from(candidates)
            .where(and(eq(candidates.experimentId, experimentId), eq(candidates.lifecycleStage, 'active'), sql`${candidates.id} IN (SELECT value FROM json_each(${JSON.stringify(rows.map((r) => r.id))}))`))
        ).map((r) => r.id),
  );
  const compared = rows.filter((r) => found.has(r.id));
  const paramKeys = [...new Set(compared.flatMap((r) => [...r.params.keys()]))].sort();
  const metricKeys = [...new Set(compared.flatMap((r) => [...r.metrics.keys()]))].sort();
  const params = paramKeys.map((key) => {
    const values = compared.map((r) => r.params.get(key));
    return { key, values, differs: new Set(values).size > 1 };
  });
  const metrics = metricKeys.map((key) => {
    const values = compared.map((r) => r.metrics.get(key));
    const direction = directions.get(key) ?? defaultDirection(key);
    return { key, values, direction, best: bestColumns(values, direction) };
  });
  return { candidates: compared, params, metrics };
}

/** The columns holding the best value (ties all count); NaN and missing values never win; none when only one value exists. */
function bestColumns(values: (number | undefined)[], direction: Direction): Set<number> {
  const present = values.flatMap((v, i) => (v === undefined || Number.isNaN(v) ? [] : [{ v, i }]));
  if (present.length < 2) return new Set();
  const target = direction === 'max' ? Math.max(...present.map((p) => p.v)) : Math.min(...present.map((p) => p.v));
  return new Set(present.filter((p) => p.v === target).map((p) => p.i));
}

/** A chart's data: the steps, and per candidate its values and their timestamps aligned to them (null = no point). */
export type Curves = { key: string; steps: number[]; series: (number | null)[][]; times: (number | null)[][] };

/**
 * The curves of metric `key` for the given candidates (run ids, in column order), sampled on the
 * server to at most CURVE_POINTS steps each by the bulk-interval sampler; one value per step
 * (the last logged); NaN and ±Infinity become gaps.
 */
export async function metricCurves(db: Database, projectId: number, runIds: string[], key: string): Promise<Curves> {
  const points = await metricHistoryBulkInterval(db, projectId, { runIds, key, maxResults: CURVE_POINTS });
  const perRun = new Map<string, Map<number, { value: number | null; timestamp: number }>>(runIds.map((id) => [id, new Map()]));
  const steps = new Set<number>();
  for (const p of points) {
    perRun.get(p.runId)?.set(p.step, { value: Number.isFinite(p.value) ? p.value : null, timestamp: p.timestamp });
    steps.add(p.step);
  }
  const xs = [...steps].sort((a, b) => a - b);
  const column = (pick: (p: { value: number | null; timestamp: number }) => number | null) => runIds.map((id) => xs.map((s) => {
    const p = perRun.get(id)!.get(s);
    return p ? pick(p) : null;
  }));
  return { key, steps: xs, series: column((p) => p.value), times: column((p) => p.timestamp) };
}

/** One candidate's latest value of a metric, for the across-candidates chart. */
export type LatestPoint = { id: number; name: string; startTime: number; value: number };

/**
 * The latest value of metric `key` of the experiment's active candidates that logged it, oldest
 * first; only the newest MAX_ACROSS are read.
 */
export async function metricAcrossCandidates(db: Database, experimentId: number, key: string): Promise<LatestPoint[]> {
  const rows = await db
    .select({ id: candidates.id, name: candidates.name, runId: candidates.runId, startTime: candidates.startTime, value: latestMetrics.value, isNan: latestMetrics.isNan })
    .from(latestMetrics)
    .innerJoin(candidates, eq(candidates.id, latestMetrics.candidateId))
    .where(and(eq(candidates.experimentId, experimentId), eq(candidates.lifecycleStage, 'active'), eq(latestMetrics.key, key)))
    .orderBy(desc(candidates.startTime), desc(candidates.runId))
    .limit(MAX_ACROSS);
  return rows.reverse().map((r) => ({ id: r.id, name: r.name || r.runId, startTime: r.startTime, value: decodeMetricValue(r.value, r.isNan) }));
}
