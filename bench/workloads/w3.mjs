// W3 history: one run with 100,000 points of one metric, logged through `runs/log-batch` in
// batches of 1000 (ingest points/s); `metrics/get-history` fetching all points, paging with
// max_results 25000; `metrics/get-history-bulk-interval` for 320 points.
import { w3Batch } from '../data.mjs';
import { median, now, summarize } from '../stats.mjs';

/** W3's run (created once; W4's Candidate Detail page shows it). */
export async function w3Run(ctx) {
  if (!ctx.shared.w3) {
    const { json: exp } = await ctx.api.post('experiments/create', { name: 'bench-w3' });
    const { json } = await ctx.api.post('runs/create', { experiment_id: exp.experiment_id, run_name: 'history', start_time: Date.now(), user_id: 'bench' });
    const floorExp = ctx.floor.createExperiment('bench-w3');
    const floorRun = ctx.floor.createRun(floorExp, { run_name: 'history', start_time: Date.now(), user_id: 'bench' });
    ctx.shared.w3 = { experimentId: exp.experiment_id, run: json.run.info, floorExp, floorRun, points: 0 };
  }
  return ctx.shared.w3;
}

/** Fetches every point through get-history pages of `pageSize`; returns the points and request count. */
async function fetchAll(api, runId, pageSize, maxPages) {
  let token;
  let points = 0;
  let requests = 0;
  let lastStep = -1;
  let ordered = true;
  let bytes = 0;
  for (let page = 0; page < maxPages; page++) {
    const query = { run_id: runId, run_uuid: runId, metric_key: 'loss', max_results: String(pageSize) };
    if (token) query.page_token = token;
    const r = await api.get('metrics/get-history', query);
    requests++;
    bytes += r.bytes;
    for (const m of r.json.metrics ?? []) {
      if (Number(m.step) <= lastStep) ordered = false;
      lastStep = Number(m.step);
      points++;
    }
    token = r.json.next_page_token;
    if (!token) break;
  }
  return { points, requests, ordered, bytes };
}

/** W3. */
export async function run(ctx) {
  const total = ctx.sizes.w3Points;
  const batches = total / 1000;
  const w3 = await w3Run(ctx);
  const runId = w3.run.run_id;

  // ingest, one client, batches of 1000 points
  const batchMs = [];
  let t0 = now();
  for (let b = 0; b < batches; b++) {
    const r = await ctx.api.post('runs/log-batch', { run_id: runId, ...w3Batch(b) });
    batchMs.push(r.ms);
  }
  const ingestMs = now() - t0;
  t0 = now();
  for (let b = 0; b < batches; b++) ctx.floor.logBatch(w3.floorRun, w3Batch(b));
  const floorIngestMs = now() - t0;
  w3.points = total;
  ctx.row({ id: 'w3.ingest', workload: 'W3 ingest (log-batch of 1000): points/s', unit: 'points/s', better: 'higher', ours: total / (ingestMs / 1000), floor: total / (floorIngestMs / 1000), target: { op: '>=', value: 85_000 } });

  // every point, paged by 25000
  const repeats = ctx.sizes.w3Repeats;
  const allMs = [];
  let all;
  for (let k = 0; k < repeats; k++) {
    const t = now();
    all = await fetchAll(ctx.api, runId, 25_000, Math.ceil(total / 25_000) + 2);
    allMs.push(now() - t);
  }
  const floorAllMs = [];
  let floorPoints = 0;
  for (let k = 0; k < repeats; k++) {
    const t = now();
    floorPoints = ctx.floor.getHistoryAll(w3.floorRun, 'loss', 25_000);
    floorAllMs.push(now() - t);
  }
  const allOk = all.points === total && all.ordered;
  ctx.row({
    id: 'w3.history_all',
    workload: `W3 get-history, all ${total.toLocaleString('en-US')} points (pages of 25000): median of ${repeats}`,
    unit: 'ms',
    better: 'lower',
    ours: median(allMs),
    floor: median(floorAllMs),
    target: { op: '<=', value: 600 },
    note: allOk ? undefined : `WRONG ANSWER: ${all.points} points${all.ordered ? '' : ', out of step order'}`,
  });

  // 320 sampled points
  const bulkMs = [];
  let bulk;
  for (let k = 0; k < ctx.sizes.w3BulkCalls; k++) {
    bulk = await ctx.api.get('metrics/get-history-bulk-interval', { run_ids: runId, metric_key: 'loss', max_results: '320' });
    bulkMs.push(bulk.ms);
  }
  const floorBulkMs = [];
  let floorBulk = 0;
  for (let k = 0; k < ctx.sizes.w3BulkCalls; k++) {
    const t = now();
    floorBulk = ctx.floor.bulkInterval([w3.floorRun], 'loss', 320);
    floorBulkMs.push(now() - t);
  }
  const sampled = bulk.json.metrics?.length ?? 0;
  ctx.row({
    id: 'w3.bulk_interval',
    workload: `W3 get-history-bulk-interval, 320 points: median of ${ctx.sizes.w3BulkCalls}`,
    unit: 'ms',
    better: 'lower',
    ours: median(bulkMs),
    floor: median(floorBulkMs),
    target: { op: '<=', value: 30 },
    note: sampled > 0 && sampled <= 320 ? undefined : `WRONG ANSWER: ${sampled} points`,
  });
  ctx.details.w3 = {
    points: total,
    ingest: { wallMs: ingestMs, batch: summarize(batchMs), floorWallMs: floorIngestMs },
    historyAll: { ours: summarize(allMs), floor: summarize(floorAllMs), requests: all.requests, bytes: all.bytes, points: all.points, ordered: all.ordered, floorPoints },
    bulkInterval: { ours: summarize(bulkMs), floor: summarize(floorBulkMs), points: sampled, bytes: bulk.bytes, floorPoints: floorBulk },
  };
}
