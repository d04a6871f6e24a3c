// W2 search: over W1's runs, `runs/search` with filter `metrics.m0 > 0.5 and params.p0 = 'v1'`,
// order_by ["metrics.m1 DESC"], max_results 1000: the median of 10 calls; then the same once the
// experiment holds 25,000 runs (grown with W1-shaped runs logged by 8 concurrent clients).
import { w2Expected } from '../data.mjs';
import { median, now, summarize } from '../stats.mjs';
import { floorRuns, logRuns } from './seed.mjs';
import { w1Experiment } from './w1.mjs';

/** W2's request, fixed. */
export const W2_SEARCH = { filter: "metrics.m0 > 0.5 and params.p0 = 'v1'", order_by: ['metrics.m1 DESC'], max_results: 1000 };

async function measure(ctx, label, runs, target) {
  const exp = ctx.shared.w1;
  const expected = w2Expected(runs, W2_SEARCH.max_results);
  const ms = [];
  let answer;
  for (let k = 0; k < ctx.sizes.w2Calls; k++) {
    const r = await ctx.api.post('runs/search', { experiment_ids: [exp.experimentId], ...W2_SEARCH });
    ms.push(r.ms);
    answer = r;
  }
  const names = (answer.json.runs ?? []).map((r) => r.info.run_name);
  const correct = names.length === expected.names.length && names.every((n, i) => n === expected.names[i]);
  const floorMs = [];
  let floorIds = [];
  for (let k = 0; k < ctx.sizes.w2Calls; k++) {
    const t = now();
    floorIds = ctx.floor.searchRuns(exp.floorExperimentId, W2_SEARCH);
    floorMs.push(now() - t);
  }
  ctx.row({
    id: `w2.${runs}`,
    workload: `W2 search, ${runs.toLocaleString('en-US')} runs: median of ${ctx.sizes.w2Calls}`,
    unit: 'ms',
    better: 'lower',
    ours: median(ms),
    floor: median(floorMs),
    target,
    note: correct ? undefined : `WRONG ANSWER: ${names.length} runs, expected ${expected.names.length}`,
  });
  ctx.details[`w2.${runs}`] = {
    ours: summarize(ms),
    floor: summarize(floorMs),
    matches: expected.total,
    returned: names.length,
    floorReturned: floorIds.length,
    correct,
    responseBytes: answer.bytes,
    nextPageToken: Boolean(answer.json.next_page_token),
  };
}

/** W2 over the 2000 runs of W1 sequential. */
export async function small(ctx) {
  const exp = ctx.shared.w1;
  if (!exp || exp.logged !== ctx.sizes.w1Runs) throw new Error('W2 needs W1 sequential first');
  await measure(ctx, 'small', exp.logged, { op: '<=', value: 80 });
}

/** Grows W1's experiment to the large size with 8 clients (the floor likewise), then W2 again. */
export async function large(ctx) {
  const exp = await w1Experiment(ctx);
  const total = ctx.sizes.w2Runs;
  if (exp.logged < total) {
    const ours = await logRuns(ctx.api, exp.experimentId, exp.logged, total, 8);
    const floor = floorRuns(ctx.floor, exp.floorExperimentId, exp.logged, total);
    ctx.details['w2.seed'] = {
      how: 'W1-shaped runs (runs/create + one log-batch each) sent by 8 concurrent keep-alive clients',
      runs: total - exp.logged,
      wallMs: ours.wallMs,
      runsPerS: (total - exp.logged) / (ours.wallMs / 1000),
      floorWallMs: floor.wallMs,
    };
    exp.logged = total;
  }
  await measure(ctx, 'large', total, { op: '<=', value: 250 });
}
