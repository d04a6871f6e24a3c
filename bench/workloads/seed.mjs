// Logging W1-shaped runs, shared by W1 (measured) and by the workloads that only need the rows
// there (W2's 25,000 runs, W4's candidates): each run is `runs/create` then one `runs/log-batch`,
// sent by `concurrency` clients over keep-alive sockets; the floor writes the same rows in order.
import { pool } from '../client.mjs';
import { w1Run } from '../data.mjs';
import { now } from '../stats.mjs';

/**
 * Logs runs `from`..`to`-1 of an experiment through the API with `concurrency` clients in flight.
 * Returns the per-request timings, the wall time, and the run ids by index.
 */
export async function logRuns(api, experimentId, from, to, concurrency) {
  const createMs = [];
  const batchMs = [];
  const runIds = new Map();
  const t0 = now();
  await pool(to - from, concurrency, async (k) => {
    const i = from + k;
    const { create, batch } = w1Run(i);
    const c = await api.post('runs/create', { experiment_id: experimentId, ...create });
    createMs.push(c.ms);
    const runId = c.json.run.info.run_id;
    runIds.set(i, runId);
    const b = await api.post('runs/log-batch', { run_id: runId, ...batch });
    batchMs.push(b.ms);
  });
  return { createMs, batchMs, wallMs: now() - t0, runIds };
}

/**
 * The same runs written by the floor, one after the other. Returns the same timings.
 * `history: false`: their points stay out of the floor's history files (set-up rows that no
 * workload reads back; see Floor.logBatch).
 */
export function floorRuns(floor, experimentId, from, to, { history = true } = {}) {
  const createMs = [];
  const batchMs = [];
  const runIds = new Map();
  let idleMs = 0; // closing idle history files: off the request path, not timed
  const t0 = now();
  for (let i = from; i < to; i++) {
    const { create, batch } = w1Run(i);
    let t = now();
    const run = floor.createRun(experimentId, create);
    createMs.push(now() - t);
    runIds.set(i, run);
    t = now();
    floor.logBatch(run, batch, { history });
    batchMs.push(now() - t);
    idleMs += floor.closeIdleHistories();
  }
  return { createMs, batchMs, wallMs: now() - t0 - idleMs, runIds };
}
