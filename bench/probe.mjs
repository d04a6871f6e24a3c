// Diagnostic: the fixed cost of one request through the stack (HTTP over loopback, wrangler's
// proxy workerd, the worker, authentication, project load, flag read), measured on an MLflow
// route that does nothing else: an unknown endpoint under the prefix answers ENDPOINT_NOT_FOUND
// after the whole access chain has run.
import { median, summarize } from './stats.mjs';

/** Times `n` sequential no-op requests; returns a summary and the floor's (auth SQL only). */
export async function fixedCost(ctx, n) {
  const path = `${ctx.api.prefix}/api/2.0/mlflow/bench-noop`;
  const ms = [];
  for (let i = 0; i < n; i++) {
    const r = await ctx.client.request('GET', path);
    if (r.status !== 404) throw new Error(`no-op probe answered ${r.status}`);
    ms.push(r.ms);
  }
  const floorMs = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    ctx.floor.authenticate();
    floorMs.push(performance.now() - t);
  }
  return { ours: summarize(ms), floor: summarize(floorMs), median: median(ms) };
}
