// Diagnostic: the fixed cost of one request through the stack (HTTP over loopback, Miniflare's
// entry worker, the worker, authentication, project load, flag read), measured on an MLflow
// route that does nothing else: an unknown endpoint under the prefix answers ENDPOINT_NOT_FOUND
// after the whole access chain has run. Printed under the table, not part of W1-W5.
import { summarize } from './stats.mjs';

/** Median wall time and worker CPU per request of `n` sequential requests to `path`. */
async function timeRequests(ctx, path, n, { auth = true, status }) {
  const ms = [];
  const cpu0 = ctx.worker.cpuMs();
  for (let i = 0; i < n; i++) {
    const r = await ctx.client.request('GET', path, { auth });
    if (r.status !== status) throw new Error(`GET ${path} answered ${r.status}, not ${status}`);
    ms.push(r.ms);
  }
  return { ...summarize(ms), workerCpuMs: (ctx.worker.cpuMs() - cpu0) / n };
}

/**
 * Times `n` sequential no-op requests (wall and worker CPU); the floor runs the same access SQL.
 * Two more probes split the cost: a request the worker answers with no binding call (an
 * anonymous 404 under /api/v4: HTTP, the local runtime, routing), and one with exactly one D1
 * query (`GET /api/v4/user`: the token lookup).
 */
export async function fixedCost(ctx, n) {
  const runtime = await timeRequests(ctx, '/api/v4/bench-nothing', n, { auth: false, status: 404 });
  const oneQuery = await timeRequests(ctx, '/api/v4/user', n, { status: 200 });
  const noop = await timeRequests(ctx, `${ctx.api.prefix}/api/2.0/mlflow/bench-noop`, n, { status: 404 });
  const floorMs = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    ctx.floor.authenticate();
    floorMs.push(performance.now() - t);
  }
  const floor = summarize(floorMs);
  ctx.details.fixedCost = { requests: n, ours: noop, workerCpuMsPerRequest: noop.workerCpuMs, floor, runtime, oneQuery };
  const line = (what, r) => `${what}: median ${r.median.toFixed(1)} ms, worker CPU ${r.workerCpuMs.toFixed(1)} ms`;
  ctx.notes.push(
    `${line('fixed cost per MLflow request (no-op route: token, project, flag)', noop)}; floor (its access SQL) ${(floor.median * 1000).toFixed(0)} µs`,
    `  of which — ${line('no binding call (anonymous 404)', runtime)}; ${line('one D1 query (GET /api/v4/user)', oneQuery)}`,
  );
}
