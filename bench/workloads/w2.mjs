// W2 search: over W1's runs, `runs/search` with filter `metrics.m0 > 0.5 and params.p0 = 'v1'`,
// order_by ["metrics.m1 DESC"], max_results 1000: the median of 10 calls; then the same once the
// experiment holds 25,000 runs (grown with W1-shaped runs logged by 8 concurrent clients).
import { w1Run, w2Expected } from '../data.mjs';
import { Floor } from '../floor.mjs';
import { startWorker } from '../server.mjs';
import { median, now, summarize } from '../stats.mjs';
import { floorRuns, logRuns } from './seed.mjs';
import { w1Experiment } from './w1.mjs';

/** W2's request, fixed. */
export const W2_SEARCH = { filter: "metrics.m0 > 0.5 and params.p0 = 'v1'", order_by: ['metrics.m1 DESC'], max_results: 1000 };

async function measure(ctx, runs, target) {
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
  await measure(ctx, exp.logged, { op: '<=', value: 80 });
}

/** Grows W1's experiment to the large size with 8 clients (the floor likewise), then W2 again. */
export async function large(ctx) {
  const exp = await w1Experiment(ctx);
  const total = ctx.sizes.w2Runs;
  if (exp.logged < total) {
    const from = exp.logged;
    const ours = ctx.seed === 'direct' ? await seedDirect(ctx, exp, from, total) : await logRuns(ctx.api, exp.experimentId, from, total, 8);
    // the floor's copy of these rows is set-up, not measured: no fsync per transaction meanwhile
    ctx.floor.db.exec('PRAGMA synchronous = OFF');
    const floor = floorRuns(ctx.floor, exp.floorExperimentId, from, total, { history: false });
    ctx.floor.db.exec('PRAGMA synchronous = FULL');
    ctx.details['w2.seed'] = {
      how:
        ctx.seed === 'direct'
          ? "--seed direct: worker stopped; the runs written into its local D1 file with runs/create's and log-batch's own statements (bench/floor.mjs; their points not in history objects, which no workload reads); worker restarted"
          : 'W1-shaped runs (runs/create + one log-batch each) sent by 8 concurrent keep-alive clients',
      runs: total - from,
      wallMs: ours.wallMs,
      runsPerS: (total - from) / (ours.wallMs / 1000),
      floorWallMs: floor.wallMs,
    };
    exp.logged = total;
  }
  await measure(ctx, total, { op: '<=', value: 250 });
}

/**
 * `--seed direct`: stops the worker, writes runs `from`..`to`-1 into its local D1 file with the
 * statements runs/create and log-batch run (the floor's mirrors), and starts it again on the
 * same state folder and port. For machines where 50,000 requests take too long; the D1 rows are
 * the same ones the API would write. The points are not in the runs' history objects (their
 * storage is named by workerd's own id hashing): nothing reads these runs' histories.
 */
async function seedDirect(ctx, exp, from, to) {
  const t0 = now();
  const old = ctx.worker;
  await old.stop({ keepState: true });
  const writer = new Floor({ attach: { file: old.d1File(), projectId: ctx.project.id } });
  try {
    const experiment = { iid: Number(exp.experimentId) };
    for (let i = from; i < to; i++) {
      const { create, batch } = w1Run(i);
      writer.logBatch(writer.createRun(experiment, create), batch);
    }
  } finally {
    writer.close();
  }
  ctx.log(`seeded ${to - from} runs directly in ${((now() - t0) / 1000).toFixed(1)} s; restarting the worker`);
  ctx.worker = await startWorker({ reuse: old });
  ctx.client.reset();
  return { wallMs: now() - t0 };
}
