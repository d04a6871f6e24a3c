/**
 * Prints the SQL the worker's domain runs for each call the floor mirrors, by running the real
 * domain functions against a recording D1 (no database: every query answers one dummy row), then
 * checks that every statement bench/floor.mjs runs is among them (exit 1 when one is not, i.e.
 * the floor has drifted from the domain and must be re-synced from this output):
 *
 *   npx node --no-warnings --import ./bench/cloudflare-stub.mjs --import tsx bench/sql-capture.ts   (the project's Node 22)
 */
import { openDatabase } from '../src/db/client';
import { authenticateToken } from '../src/access/tokens';
import { loadProjectAccess } from '../src/access/projects';
import { createRun, searchRuns } from '../src/tracking/candidates';
import { logBatch } from '../src/tracking/batch';
import { metricHistoryBulkInterval, metricHistoryJson } from '../src/tracking/metrics';
import { projectExperimentIds } from '../src/tracking/experiments';
import { childCandidateIds, experimentColumnKeys, getExperimentHeader, loadCandidateRows } from '../src/tracking/candidate-table';
import { metricSummaries, relatedCandidates } from '../src/tracking/candidate-detail';
import { getCandidateRun } from '../src/tracking/candidates';
import { countRuns, searchRunIds } from '../src/tracking/search';
import { savedColumns } from '../src/tracking/table-columns';
import { getUser } from '../src/access/users';
import { resolvePackage } from '../src/packages/packages';
import { listDirectory } from '../src/packages/files';
import { loadSweep } from '../src/tracking/sweep';
import { createTrace, searchTraces } from '../src/tracking/traces/traces';
import { traceRowId } from '../src/tracking/traces/visible';
import { w1Run, w6Trace } from './data.mjs';
import { MIRRORED_SQL } from './floor.mjs';

type Call = { batch: boolean; sql: string[] };
let calls: Call[] = [];
const seen = new Set<string>();
const norm = (sql: string) => sql.replace(/\s+/g, ' ').trim();
let many = 1; // how many rows each query answers
const row = { r0: 0, v0: 0.5, r1: 0, v1: 1, r2: 0, v2: '0'.repeat(32), id: 1, experiment_id: 1, lifecycle_stage: 'active', run_id: '0'.repeat(32), user_id: 1, scopes: 'api', revoked: 0, is_blocked: 0, is_admin: 1, access_level: 50, params: '[]', metrics: '[]' };
function statement(sql: string) {
  const s = {
    sql,
    bind: () => s,
    all: async () => (calls.push({ batch: false, sql: [sql] }), { results: Array(many).fill(row), success: true, meta: {} }),
    raw: async () => (calls.push({ batch: false, sql: [sql] }), Array(many).fill(Object.values(row))),
    first: async () => (calls.push({ batch: false, sql: [sql] }), row),
    run: async () => (calls.push({ batch: false, sql: [sql] }), { results: [row], success: true, meta: {} }),
  };
  return s;
}
const d1 = {
  prepare: statement,
  batch: async (list: { sql: string }[]) => (calls.push({ batch: true, sql: list.map((s) => s.sql) }), list.map(() => ({ results: [row], success: true, meta: {} }))),
};
const db = openDatabase(d1 as unknown as D1Database);

async function capture(name: string, fn: () => Promise<unknown>) {
  calls = [];
  try {
    await fn();
  } catch (e) {
    calls.push({ batch: false, sql: [`-- threw: ${(e as Error).message}`] });
  }
  console.log(`\n## ${name}`);
  for (const c of calls) {
    console.log(c.batch ? `-- batch of ${c.sql.length}` : '-- single');
    for (const s of c.sql) {
      seen.add(norm(s));
      console.log(`${norm(s)};`);
    }
  }
}

const runId = '0'.repeat(32);
const { create, batch } = w1Run(0);
await capture('authenticateToken (MLflow API: project by id)', () => authenticateToken(db, 'ftpat-x', '1', 0));
await capture('authenticateToken (UI: project by path)', () => authenticateToken(db, 'ftpat-x', 'root/demo', 0));
await capture('loadProjectAccess', () => loadProjectAccess(db, '1', { user: { id: 1, isAdmin: true } } as never));
await capture('createRun', () => createRun(db, { projectId: 1, userId: 1, username: 'root', experimentId: '1', mlflowUser: create.user_id, runName: create.run_name, startTime: create.start_time }));
await capture('logBatch (W1)', () => logBatch(db, 1, runId, batch));
await capture('searchRuns (W2)', () => searchRuns(db, { experimentIds: [1], filter: "metrics.m0 > 0.5 and params.p0 = 'v1'", orderBy: ['metrics.m1 DESC'], maxResults: 1000 }));
await capture('projectExperimentIds (runs/search route)', () => projectExperimentIds(db, 1, ['1']));
await capture('metricHistoryJson (W3 first page)', () => metricHistoryJson(db, 1, runId, 'loss', { maxResults: 25000 }));
await capture('metricHistoryJson (W3 next page)', () => metricHistoryJson(db, 1, runId, 'loss', { maxResults: 25000, pageToken: btoa(JSON.stringify([24999, 0, 0.5, 0])).replaceAll('=', '') }));
await capture('metricHistoryBulkInterval (W3)', () => metricHistoryBulkInterval(db, 1, { runIds: [runId], key: 'loss', maxResults: 320 }));

// W4: Experiment Candidates (src/ui/candidates.tsx) sorted by metric m1, first and a later page
const uiSearch = { experimentIds: [1], orderBy: ['metrics.`m1` DESC'], viewType: 'ACTIVE_ONLY' as const, maxResults: 30 };
await capture('loadProjectAccess by path (UI pages)', () => loadProjectAccess(db, 'root/demo', { user: { id: 1, isAdmin: true } } as never));
await capture('getExperimentHeader (W4)', () => getExperimentHeader(db, 1, 1));
await capture('experimentColumnKeys (W4: the page reads the newest 1000 candidates)', () => experimentColumnKeys(db, 1, { recent: 1000 }));
await capture('searchRunIds (W4 first page)', () => searchRunIds(db, uiSearch));
many = 31; // a full page and one more: the search hands out a next-page token
const first = await searchRunIds(db, uiSearch);
many = 1;
await capture('searchRunIds (W4 later page)', () => searchRunIds(db, { ...uiSearch, pageToken: first.nextPageToken }));
await capture('loadCandidateRows (W4)', () => loadCandidateRows(db, [1, 2, 3]));
await capture("countRuns (W4: the table's total)", () => countRuns(db, { experimentIds: [1], orderBy: uiSearch.orderBy, viewType: 'ACTIVE_ONLY' }));
await capture("childCandidateIds (W4: nested runs under the page's parents)", () => childCandidateIds(db, 1, [1, 2, 3]));
await capture("savedColumns (W4: the user's remembered columns)", () => savedColumns(db, 1, 1));
// W4: Candidate Detail (src/ui/candidate.tsx) and its chart data
await capture('getCandidateRun (W4 detail)', () => getCandidateRun(db, 1, 1));
await capture('metricSummaries (W4 detail)', () => metricSummaries(db, 1));
await capture('relatedCandidates (W4 detail)', () => relatedCandidates(db, { projectId: 1, experimentId: 1, runId }, undefined));
await capture('getUser (W4 detail)', () => getUser(db, 1));
await capture('resolvePackage + listDirectory (W4 detail: its artifact browser)', async () => listDirectory(db, (await resolvePackage(db, 1, 'ml_candidate_1', '-'))!, ''));
await capture('metricHistoryBulkInterval (W4 chart, 300 points)', () => metricHistoryBulkInterval(db, 1, { runIds: [runId], key: 'loss', maxResults: 300 }));
// W4: the sweep page (src/ui/sweep.tsx) over the 25,000 candidates, coloured by m1
await capture('loadSweep (W4 sweep)', () => loadSweep(db, { experimentId: 1, axes: [{ kind: 'param', key: 'p0' }, { kind: 'metric', key: 'm0' }], colorBy: 'm1' }));

// W6: traces (src/tracking/traces/traces.ts): StartTraceV3, the spans upload's lookup, two searches
const trace = w6Trace(0, '1');
const traceInput = {
  traceId: trace.info.trace_id,
  experimentId: '1',
  requestTime: Date.parse(trace.info.request_time),
  executionTime: trace.durationMs,
  state: trace.info.state as 'OK',
  requestPreview: trace.info.request_preview,
  responsePreview: trace.info.response_preview,
  tags: trace.info.tags,
  metadata: trace.info.trace_metadata,
};
await capture('createTrace (W6)', () => createTrace(db, 1, traceInput));
await capture('traceRowId (W6 spans upload)', () => traceRowId(db, 1, trace.info.trace_id));
await capture('searchTraces (W6 filtered)', () => searchTraces(db, 1, { experimentIds: ['1'], filter: "tags.env = 'dev' AND execution_time_ms > 50", maxResults: 100 }));
await capture('searchTraces (W6 newest page)', () => searchTraces(db, 1, { experimentIds: ['1'], maxResults: 100 }));

let drift = 0;
for (const [name, list] of Object.entries(MIRRORED_SQL)) {
  for (const sql of list) {
    if (!seen.has(norm(sql))) {
      drift++;
      console.error(`\nDRIFT: bench/floor.mjs's ${name} runs SQL the domain no longer runs:\n  ${norm(sql).slice(0, 300)}`);
    }
  }
}
console.log(drift ? `\n${drift} floor statement(s) out of step with the domain` : '\nthe floor runs the same SQL as the domain');
process.exit(drift ? 1 : 0);
