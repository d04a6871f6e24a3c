// Diagnostic: the fixed cost of one request through the stack (HTTP over loopback, Miniflare's
// entry worker, the worker, authentication, project load, flag read), measured on an MLflow
// route that does nothing else: an unknown endpoint under the prefix answers ENDPOINT_NOT_FOUND
// after the whole access chain has run. Printed under the table, not part of W1-W5.
import { summarize } from './stats.mjs';

/** Times `n` sequential no-op requests (wall and worker CPU); the floor runs the same access SQL. */
export async function fixedCost(ctx, n) {
  const path = `${ctx.api.prefix}/api/2.0/mlflow/bench-noop`;
  const ms = [];
  const cpu0 = ctx.worker.cpuMs();
  for (let i = 0; i < n; i++) {
    const r = await ctx.client.request('GET', path);
    if (r.status !== 404) throw new Error(`no-op probe answered ${r.status}`);
    ms.push(r.ms);
  }
  const workerCpuMs = (ctx.worker.cpuMs() - cpu0) / n;
  const floorMs = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    ctx.floor.authenticate();
    floorMs.push(performance.now() - t);
  }
  const ours = summarize(ms);
  const floor = summarize(floorMs);
  ctx.details.fixedCost = { requests: n, ours, workerCpuMsPerRequest: workerCpuMs, floor };
  ctx.notes.push(
    `fixed cost per MLflow request (no-op route: token, project, flag): median ${ours.median.toFixed(1)} ms, worker CPU ${workerCpuMs.toFixed(1)} ms; floor (its access SQL) ${(floor.median * 1000).toFixed(0)} µs`,
  );
}
