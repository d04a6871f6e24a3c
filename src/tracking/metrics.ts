/**
 * Reading metric history, from each candidate's history object (metric-history.ts). D1 answers
 * only which runs exist in the project; the points come from the objects, as rows of numbers,
 * and their JSON is written here in the Worker (never by SQL: a 25000-point page is ~2 MB,
 * D1's and Durable Object SQL's limit for one value). Pages walk MLflow's order with a keyset
 * token, so a page costs its own size whatever the history's length; a whole history is read
 * page by page as the answer streams out.
 */
import type { Database } from '../db/client';
import { InvalidInputError } from '../errors';
import { all, first } from './d1';
import { runNotFound, type MetricPoint } from './candidates';
import { BULK_INTERVAL_MAX_RESULTS, BULK_INTERVAL_MAX_RUNS, checkMaxResults } from './limits';
import { decodeMetricValue } from './metric-values';
import { historyOf, type StoredPoint } from './metric-history';
import { copyLegacyHistory } from './history-upgrade';

/** Largest get-history page (MLflow's client asks for 25000); larger asks get pages of this size. */
export const HISTORY_MAX_PAGE = 25000;

function encodeToken(cursor: StoredPoint): string {
  return btoa(JSON.stringify(cursor)).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

function decodeToken(token: string): StoredPoint {
  try {
    const cursor = JSON.parse(atob(token.replaceAll('-', '+').replaceAll('_', '/')));
    if (Array.isArray(cursor) && cursor.length === 4 && cursor.every((n) => typeof n === 'number')) return cursor as StoredPoint;
  } catch {
    // fall through
  }
  throw new InvalidInputError('Invalid page token', 'page_token');
}

/** A stored value as MLflow JSON: shortest round-trip digits; NaN and ±Infinity as strings. */
function valueJson(value: number, isNan: number): string {
  const v = decodeMetricValue(value, isNan);
  return Number.isFinite(v) ? String(v) : `"${v}"`;
}

/** MLflow's JSON metric objects of `points`, comma-separated. */
function pointsJson(quotedKey: string, points: StoredPoint[]): string {
  return points.map(([step, timestamp, value, isNan]) => `{"key":${quotedKey},"value":${valueJson(value, isNan)},"timestamp":${timestamp},"step":${step}}`).join(',');
}

/**
 * Finds run `runId` in the project (RESOURCE_DOES_NOT_EXIST otherwise) and, on an instance
 * upgraded from D1-only history, first moves its points still in D1 to its history object.
 */
async function requireRunHistory(db: Database, projectId: number, runId: string): Promise<void> {
  const run = await first<{ id: number; legacy: number }>(
    db,
    'SELECT id, EXISTS (SELECT 1 FROM metrics WHERE candidate_id = c.id) AS legacy FROM candidates c WHERE run_id = ? AND project_id = ?',
    runId,
    projectId,
  );
  if (!run) throw runNotFound(runId);
  if (run.legacy) await copyLegacyHistory(db, { candidateId: run.id });
}

/** A get-history answer: the page's JSON objects; `rest`, of a whole history longer than a page, yields the others (each led by a comma). */
export type HistoryJson = { items: string; nextPageToken?: string; rest?: AsyncIterable<string> };

/**
 * One page of a run's history of `key`, oldest step first, as the comma-separated MLflow JSON
 * metric objects of the page (`{"key","value","timestamp","step"}`, non-finite values as
 * "NaN" / "Infinity" / "-Infinity"; numbers with the digits that read back as the same
 * double). Without `maxResults` the whole history comes back (as MLflow's server does): the
 * first 25000 points in `items`, the others from `rest` while the answer is sent. With it (at
 * most 25000 a page), `nextPageToken` continues after the page's last point.
 */
export async function metricHistoryJson(
  db: Database,
  projectId: number,
  runId: string,
  key: string,
  opts: { maxResults?: number; pageToken?: string } = {},
): Promise<HistoryJson> {
  if (opts.maxResults !== undefined) checkMaxResults(opts.maxResults);
  const cursor = opts.pageToken ? decodeToken(opts.pageToken) : undefined;
  await requireRunHistory(db, projectId, runId);
  const history = historyOf(runId);
  const quotedKey = JSON.stringify(key);
  // A larger page is cut to the largest one; the token continues it.
  const limit = Math.min(opts.maxResults ?? HISTORY_MAX_PAGE, HISTORY_MAX_PAGE);
  const rows = await history.page(key, limit + 1, cursor);
  const page = rows.slice(0, limit);
  const items = pointsJson(quotedKey, page);
  if (rows.length <= limit) return { items };
  const last = page[page.length - 1];
  if (opts.maxResults !== undefined) return { items, nextPageToken: encodeToken(last) };
  async function* rest(after: StoredPoint): AsyncGenerator<string> {
    for (;;) {
      const more = await history.page(key, HISTORY_MAX_PAGE, after);
      if (more.length === 0) return;
      yield `,${pointsJson(quotedKey, more)}`;
      if (more.length < HISTORY_MAX_PAGE) return;
      after = more[more.length - 1];
    }
  }
  return { items, rest: rest(last) };
}

/** A candidate's whole history of `key` as points (the candidate is already checked). */
export async function candidateMetricHistory(db: Database, candidateId: number, key: string): Promise<MetricPoint[]> {
  const run = await first<{ run_id: string }>(db, 'SELECT run_id FROM candidates WHERE id = ?', candidateId);
  if (!run) return [];
  const history = historyOf(run.run_id);
  const out: MetricPoint[] = [];
  for (let after: StoredPoint | undefined; ; ) {
    const page = await history.page(key, HISTORY_MAX_PAGE, after);
    for (const [step, timestamp, value, isNan] of page) out.push({ key, value: decodeMetricValue(value, isNan), timestamp, step });
    if (page.length < HISTORY_MAX_PAGE) return out;
    after = page[page.length - 1];
  }
}

/** A sampled point with the run it belongs to. */
export type RunMetricPoint = MetricPoint & { runId: string };

/**
 * get-history-bulk-interval: for each run (at most 100, all of the project), at most
 * `maxResults` steps of `key` spread evenly over [startStep, endStep] (default: 0 to the
 * largest step), always keeping each run's first and last step in range, and every point
 * logged at those steps. The range is cut into buckets shared by all runs, so runs that log
 * the same steps are sampled at the same steps. Missing runs are RESOURCE_DOES_NOT_EXIST.
 */
export async function metricHistoryBulkInterval(
  db: Database,
  projectId: number,
  input: { runIds: string[]; key: string; startStep?: number; endStep?: number; maxResults?: number },
): Promise<RunMetricPoint[]> {
  const runIds = [...new Set(input.runIds)];
  if (runIds.length === 0) throw new InvalidInputError("Missing value for required parameter 'run_ids'.", 'run_ids');
  if (runIds.length > BULK_INTERVAL_MAX_RUNS) {
    throw new InvalidInputError(`At most ${BULK_INTERVAL_MAX_RUNS} run_ids may be given; got ${runIds.length}.`, 'run_ids');
  }
  const maxResults = input.maxResults ?? BULK_INTERVAL_MAX_RESULTS;
  checkMaxResults(maxResults, BULK_INTERVAL_MAX_RESULTS);
  if ((input.startStep === undefined) !== (input.endStep === undefined)) {
    throw new InvalidInputError('If either start step or end step are specified, both must be specified.', 'start_step');
  }
  if (input.startStep !== undefined && input.endStep !== undefined && input.startStep > input.endStep) {
    throw new InvalidInputError('end_step must be greater than start_step. ', 'end_step');
  }
  const start = input.startStep ?? 0;
  const end = input.endStep ?? Number.MAX_SAFE_INTEGER;
  const found = await all<{ id: number; run_id: string; legacy: number }>(
    db,
    `SELECT id, run_id, EXISTS (SELECT 1 FROM metrics WHERE candidate_id = c.id) AS legacy
     FROM candidates c WHERE +project_id = ? AND run_id IN (SELECT value FROM json_each(?))`,
    projectId,
    JSON.stringify(runIds),
  );
  if (found.length !== runIds.length) {
    const known = new Set(found.map((r) => r.run_id));
    throw runNotFound(runIds.find((id) => !known.has(id))!);
  }
  for (const run of found) if (run.legacy) await copyLegacyHistory(db, { candidateId: run.id });
  const histories = runIds.map((id) => historyOf(id));
  // Runs sampled together share their buckets: the span from the first step of any to the last of any.
  let span: { lo: number; hi: number } | undefined;
  if (runIds.length > 1) {
    const ranges = (await Promise.all(histories.map((h) => h.range(input.key, start, end, maxResults)))).filter((r) => r !== null);
    if (ranges.length > 0) span = { lo: Math.min(...ranges.map((r) => r.lo)), hi: Math.max(...ranges.map((r) => r.hi)) };
  }
  const sampled = await Promise.all(histories.map((h) => h.sample(input.key, start, end, maxResults, span)));
  return sampled.flatMap((points, i) =>
    points.map(([step, timestamp, value, isNan]) => ({ runId: runIds[i], key: input.key, value: decodeMetricValue(value, isNan), timestamp, step })),
  );
}
