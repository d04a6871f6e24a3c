/**
 * Prints the SQL the worker's domain runs for each call the floor mirrors, by running the real
 * domain functions against a recording D1 (no database: every query answers one dummy row).
 * Use it to re-sync bench/floor.mjs after the domain's SQL changes:
 *
 *   npx tsx bench/sql-capture.ts
 */
import { openDatabase } from '../src/db/client';
import { authenticateToken } from '../src/access/tokens';
import { loadProjectAccess } from '../src/access/projects';
import { createRun, searchRuns } from '../src/tracking/candidates';
import { logBatch } from '../src/tracking/batch';
import { metricHistory, metricHistoryBulkInterval } from '../src/tracking/metrics';
import { w1Run } from './data.mjs';

type Call = { batch: boolean; sql: string[] };
let calls: Call[] = [];
const row = { id: 1, experiment_id: 1, lifecycle_stage: 'active', run_id: '0'.repeat(32), user_id: 1, scopes: 'api', revoked: 0, is_blocked: 0, is_admin: 1, access_level: 50 };
function statement(sql: string) {
  const s = {
    sql,
    bind: () => s,
    all: async () => (calls.push({ batch: false, sql: [sql] }), { results: [row], success: true, meta: {} }),
    raw: async () => (calls.push({ batch: false, sql: [sql] }), [Object.values(row)]),
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
    for (const s of c.sql) console.log(`${s.replace(/\s+/g, ' ').trim()};`);
  }
}

const runId = '0'.repeat(32);
const { create, batch } = w1Run(0);
await capture('authenticateToken', () => authenticateToken(db, 'ftpat-x', 0));
await capture('loadProjectAccess', () => loadProjectAccess(db, '1', { user: { id: 1, isAdmin: true } } as never));
await capture('createRun', () => createRun(db, { projectId: 1, userId: 1, username: 'root', experimentId: '1', mlflowUser: create.user_id, runName: create.run_name, startTime: create.start_time }));
await capture('logBatch (W1)', () => logBatch(db, 1, runId, batch));
await capture('searchRuns (W2)', () => searchRuns(db, { experimentIds: [1], filter: "metrics.m0 > 0.5 and params.p0 = 'v1'", orderBy: ['metrics.m1 DESC'], maxResults: 1000 }));
await capture('metricHistory (W3 page)', () => metricHistory(db, 1, runId, 'loss', { maxResults: 25000 }));
await capture('metricHistoryBulkInterval (W3)', () => metricHistoryBulkInterval(db, 1, { runIds: [runId], key: 'loss', maxResults: 320 }));
