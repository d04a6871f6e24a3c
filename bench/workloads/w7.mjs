// W7 history objects (docs/benchmarks.md): what a Durable Object per candidate buys.
// - ingest by 8 clients on 8 different candidates against 8 clients on one candidate (log-batch
//   of 1000 points): the aggregate should grow with candidates, not stay flat behind one writer;
// - the Experiment Candidates page (W1's experiment) idle, and while 8 clients log;
// - one big candidate (sizes.w7Points, 5 M in a full run): bytes per point on disk (the object's
//   SQLite file), get-history of 100,000 points (pages of 25000), bulk-interval at 320 points.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { median, now } from '../stats.mjs';
import { w3Batch } from '../data.mjs';

const CLIENTS = 8;
/** The Candidates page's page size (src/ui/candidates.tsx). */
const PER_PAGE = 30;

async function newRun(ctx, experimentId, name) {
  const { json } = await ctx.api.post('runs/create', { experiment_id: experimentId, run_name: name, start_time: Date.now(), user_id: 'bench' });
  return json.run.info.run_id;
}

/** Logs `batches` batches of 1000 from each of CLIENTS clients, client c to runIds[c]; returns points/s. */
async function ingest(ctx, runIds, batches) {
  const t = now();
  await Promise.all(
    runIds.map(async (runId, c) => {
      for (let b = 0; b < batches; b++) {
        await ctx.api.post('runs/log-batch', { run_id: runId, ...w3Batch(c * batches + b) }); // throws unless 2xx
      }
    }),
  );
  return (CLIENTS * batches * 1000) / ((now() - t) / 1000);
}

/** The largest SQLite file under the worker's Durable Object storage, with its WAL, in bytes. */
function largestObjectFile(state) {
  let best = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.includes(`${join('v3', 'do')}`) && e.name.endsWith('.sqlite')) {
        let size = statSync(p).size;
        try {
          size += statSync(`${p}-wal`).size;
        } catch {}
        best = Math.max(best, size);
      }
    }
  };
  walk(state);
  return best;
}

export async function run(ctx) {
  const { json: exp } = await ctx.api.post('experiments/create', { name: 'bench-w7' });
  const batches = ctx.sizes.w7Batches;
  const floorExp = ctx.floor.createExperiment('bench-w7');

  // 8 clients, 8 candidates / one candidate
  const many = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => newRun(ctx, exp.experiment_id, `spread-${c}`)));
  const spread = await ingest(ctx, many, batches);
  const one = await newRun(ctx, exp.experiment_id, 'shared');
  const shared = await ingest(ctx, Array(CLIENTS).fill(one), batches);
  const floorRun = ctx.floor.createRun(floorExp, { run_name: 'f', start_time: Date.now(), user_id: 'bench' });
  let t = now();
  for (let b = 0; b < CLIENTS * batches; b++) ctx.floor.logBatch(floorRun, w3Batch(b));
  const floorRate = (CLIENTS * batches * 1000) / ((now() - t) / 1000);
  ctx.row({ id: 'w7.ingest_8_candidates', workload: 'W7 ingest, 8 clients on 8 candidates: points/s', unit: 'points/s', better: 'higher', ours: spread, floor: floorRate });
  ctx.row({ id: 'w7.ingest_1_candidate', workload: 'W7 ingest, 8 clients on 1 candidate: points/s', unit: 'points/s', better: 'higher', ours: shared, floor: floorRate });

  // the Candidates page (W1's experiment, sorted by m1 as W4's first page), idle and under 8 logging clients
  const w1 = ctx.shared.w1;
  const pagePath = `/${ctx.project.path_with_namespace}/-/ml/experiments/${w1.experimentId}?sort=${encodeURIComponent('metric:m1')}`;
  const getPage = async () => {
    const r = await ctx.client.request('GET', pagePath, { headers: { accept: 'text/html' } });
    if (r.status !== 200) throw new Error(`the Candidates page answered ${r.status}`);
    return r.ms;
  };
  const idle = [];
  for (let k = 0; k < ctx.sizes.w7PageCalls; k++) idle.push(await getPage());
  const loaded = [];
  let logging = true;
  const writers = Array.from({ length: CLIENTS }, async (_, c) => {
    for (let b = 0; logging; b++) await ctx.api.post('runs/log-batch', { run_id: many[c], ...w3Batch(10_000 + c * 1000 + b) });
  });
  for (let k = 0; k < ctx.sizes.w7PageCalls; k++) loaded.push(await getPage());
  logging = false;
  await Promise.all(writers);
  const floorPage = median(Array.from({ length: 5 }, () => ctx.floor.candidatesPage(w1.floorExperimentId, { sortMetric: 'm1', perPage: PER_PAGE, skip: 0 }).ms));
  ctx.row({ id: 'w7.page_idle', workload: 'W7 Candidates page p50, idle', unit: 'ms', better: 'lower', ours: median(idle), floor: floorPage });
  ctx.row({ id: 'w7.page_loaded', workload: 'W7 Candidates page p50, 8 clients logging', unit: 'ms', better: 'lower', ours: median(loaded), floor: floorPage });

  // one big candidate
  const total = ctx.sizes.w7Points;
  const big = await newRun(ctx, exp.experiment_id, 'big');
  const per = total / 1000 / 4;
  t = now();
  await Promise.all(
    [0, 1, 2, 3].map(async (c) => {
      for (let b = 0; b < per; b++) await ctx.api.post('runs/log-batch', { run_id: big, ...w3Batch(c * per + b) });
    }),
  );
  const bigIngest = total / ((now() - t) / 1000);
  const bytes = largestObjectFile(ctx.worker.state);
  const floorBig = ctx.floor.createRun(floorExp, { run_name: 'big', start_time: Date.now(), user_id: 'bench' });
  for (let b = 0; b < total / 1000; b++) ctx.floor.logBatch(floorBig, w3Batch(b));
  const floorHistory = ctx.floor.history(floorBig);
  floorHistory.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  const floorBytes = statSync(floorHistory.file).size;
  ctx.row({ id: 'w7.big_ingest', workload: `W7 ingest into one ${total.toLocaleString('en-US')}-point candidate, 4 clients: points/s`, unit: 'points/s', better: 'higher', ours: bigIngest, floor: null });
  ctx.row({ id: 'w7.bytes_per_point', workload: 'W7 bytes per point on disk (history object file)', unit: 'B', better: 'lower', ours: bytes / total, floor: floorBytes / total, target: { op: '<=', value: 42.5 } });

  // get-history of 100,000 points (4 pages of 25000) and bulk-interval at 320
  const reads = ctx.sizes.w7Reads;
  const histMs = [];
  let got = 0;
  for (let k = 0; k < reads; k++) {
    const t0 = now();
    let token;
    got = 0;
    for (let p = 0; p < 4; p++) {
      const r = await ctx.api.get('metrics/get-history', { run_id: big, metric_key: 'loss', max_results: '25000', ...(token ? { page_token: token } : {}) });
      got += r.json.metrics?.length ?? 0;
      token = r.json.next_page_token;
    }
    histMs.push(now() - t0);
  }
  const floorHistMs = [];
  for (let k = 0; k < reads; k++) {
    const t0 = now();
    let after = null;
    for (let p = 0; p < 4; p++) {
      ctx.floor.authenticate();
      const rows = floorHistory.page('loss', 25_001, after).slice(0, 25_000);
      after = rows[rows.length - 1];
    }
    floorHistMs.push(now() - t0);
  }
  ctx.row({ id: 'w7.history_100k', workload: 'W7 get-history of 100,000 points of the big candidate (4 pages)', unit: 'ms', better: 'lower', ours: median(histMs), floor: median(floorHistMs), note: got === 100_000 ? undefined : `WRONG ANSWER: ${got} points` });
  const bulkMs = [];
  let sampled = 0;
  for (let k = 0; k < reads; k++) {
    const r = await ctx.api.get('metrics/get-history-bulk-interval', { run_ids: big, metric_key: 'loss', max_results: '320' });
    bulkMs.push(r.ms);
    sampled = r.json.metrics?.length ?? 0;
  }
  const floorBulkMs = [];
  for (let k = 0; k < reads; k++) {
    const t0 = now();
    ctx.floor.bulkInterval([floorBig], 'loss', 320);
    floorBulkMs.push(now() - t0);
  }
  ctx.row({ id: 'w7.bulk_320', workload: 'W7 get-history-bulk-interval at 320 points of the big candidate', unit: 'ms', better: 'lower', ours: median(bulkMs), floor: median(floorBulkMs), note: sampled === 320 ? undefined : `WRONG ANSWER: ${sampled} points` });
  ctx.details.w7 = { clients: CLIENTS, batches, spread, shared, floorRate, idle, loaded, total, bytes, floorBytes, histMs, bulkMs };
}
