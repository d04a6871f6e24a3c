// W6 traces: ingest and search of MLflow 3 traces, as the MLflow client sends them. Ingest: N
// traces from 4 concurrent clients, each a StartTraceV3 (`POST api/3.0/mlflow/traces`, the info)
// then the spans upload (`PUT .../ml_traces/<id>/traces.json`, about 3 KB); traces/s and the median
// and p95 of each request. Search over those N traces: a filtered page (`tags.env = 'dev' AND
// execution_time_ms > 50`, 100 per page) and the newest page with no filter, each timed K times.
// The floor: the same SQL on node:sqlite, the spans written to a plain file.
import { pool } from '../client.mjs';
import { w6Trace } from '../data.mjs';
import { now, summarize } from '../stats.mjs';

const CLIENTS = 4;
const PAGE = 100;

/** W6. */
export async function run(ctx) {
  const n = ctx.sizes.w6Traces;
  const calls = ctx.sizes.w6Calls;
  const { json } = await ctx.api.post('experiments/create', { name: 'bench-w6' });
  const experimentId = json.experiment_id;
  const floorExperiment = ctx.floor.createExperiment('bench-w6');
  const v3 = `${ctx.api.prefix}/api/3.0/mlflow/traces`;

  const startMs = [];
  const spansMs = [];
  const t0 = now();
  await pool(n, CLIENTS, async (i) => {
    const trace = w6Trace(i, experimentId);
    const started = await ctx.client.json('POST', v3, { trace: { trace_info: trace.info } });
    startMs.push(started.ms);
    const location = new URL(started.json.trace.trace_info.tags['mlflow.artifactLocation']);
    const put = await ctx.client.request('PUT', `${location.pathname}/traces.json`, { body: trace.spans, headers: { 'content-type': 'text/plain' } });
    if (put.status !== 200) throw new Error(`spans upload answered ${put.status}: ${put.body.toString('utf8').slice(0, 300)}`);
    spansMs.push(put.ms);
  });
  const oursWall = now() - t0;

  const floorStart = [];
  const floorSpans = [];
  const f0 = now();
  for (let i = 0; i < n; i++) {
    const trace = w6Trace(i, String(floorExperiment.iid));
    let t = now();
    ctx.floor.startTrace(floorExperiment, trace.info, trace.durationMs);
    floorStart.push(now() - t);
    t = now();
    ctx.floor.putSpans(trace.info.trace_id, trace.spans);
    floorSpans.push(now() - t);
  }
  const floorWall = now() - f0;

  const searches = [
    { label: 'filtered page', body: { filter: "tags.env = 'dev' AND execution_time_ms > 50" }, filtered: true },
    { label: 'newest page', body: {}, filtered: false },
  ];
  const searchResults = {};
  for (const s of searches) {
    const ms = [];
    let count = 0;
    for (let k = 0; k < calls; k++) {
      const res = await ctx.client.json('POST', `${v3}/search`, {
        locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } }],
        max_results: PAGE,
        ...s.body,
      });
      count = res.json.traces?.length ?? 0;
      ms.push(res.ms);
    }
    const floorMs = [];
    let floorCount = 0;
    for (let k = 0; k < calls; k++) {
      const t = now();
      floorCount = ctx.floor.searchTraces(floorExperiment, { filtered: s.filtered, maxResults: PAGE });
      floorMs.push(now() - t);
    }
    if (count !== floorCount) throw new Error(`W6 ${s.label}: the worker found ${count} traces, the floor ${floorCount}`);
    searchResults[s.label] = { ours: summarize(ms), floor: summarize(floorMs), traces: count };
  }

  const start = summarize(startMs);
  const spans = summarize(spansMs);
  ctx.row({ id: 'w6.ingest.traces_per_s', workload: `W6 trace ingest (${CLIENTS} clients): traces/s`, unit: 'traces/s', better: 'higher', ours: n / (oursWall / 1000), floor: n / (floorWall / 1000) });
  ctx.row({ id: 'w6.start_trace_median', workload: 'W6 StartTraceV3 median', unit: 'ms', better: 'lower', ours: start.median, floor: summarize(floorStart).median });
  ctx.row({ id: 'w6.start_trace_p95', workload: 'W6 StartTraceV3 p95', unit: 'ms', better: 'lower', ours: start.p95, floor: summarize(floorStart).p95 });
  ctx.row({ id: 'w6.spans_median', workload: 'W6 spans upload (3 KB) median', unit: 'ms', better: 'lower', ours: spans.median, floor: summarize(floorSpans).median });
  for (const [label, r] of Object.entries(searchResults)) {
    ctx.row({ id: `w6.search.${label.replace(/ /g, '_')}`, workload: `W6 traces/search ${label} (${r.traces} of ${n}) median`, unit: 'ms', better: 'lower', ours: r.ours.median, floor: r.floor.median });
  }
  ctx.details.w6 = { traces: n, clients: CLIENTS, wallMs: oursWall, floorWallMs: floorWall, startTrace: start, spansUpload: spans, search: searchResults };
}
