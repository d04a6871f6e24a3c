// W1 ingest: one experiment; N runs, each `runs/create` then one `runs/log-batch` with 10 params,
// 5 tags and 5 metrics x 20 steps. Runs per second and the median and p95 of each request; first
// one client in sequence, then 8 concurrent clients (the next N runs, same experiment, so W2 and
// W4 later find 2N W1-shaped runs there to grow from).
import { summarize } from '../stats.mjs';
import { floorRuns, logRuns } from './seed.mjs';

/** The experiment W1 logs into (created once; later workloads grow it). */
export async function w1Experiment(ctx) {
  if (!ctx.shared.w1) {
    const { json } = await ctx.api.post('experiments/create', { name: 'bench-w1' });
    ctx.shared.w1 = { experimentId: json.experiment_id, floorExperimentId: ctx.floor.createExperiment('bench-w1'), logged: 0 };
  }
  return ctx.shared.w1;
}

/** Runs `fn`, also measuring the CPU time the worker's processes and this process spent. */
async function withCpu(ctx, fn) {
  const w0 = ctx.worker.cpuMs();
  const c0 = process.cpuUsage();
  const out = await fn();
  const c = process.cpuUsage(c0);
  return { ...out, workerCpuMs: ctx.worker.cpuMs() - w0, selfCpuMs: (c.user + c.system) / 1000 };
}

function rows(ctx, label, ours, floor, runs, { runsTarget, batchTarget } = {}) {
  const rps = (r) => runs / (r.wallMs / 1000);
  const c = summarize(ours.createMs);
  const b = summarize(ours.batchMs);
  const fc = summarize(floor.createMs);
  const fb = summarize(floor.batchMs);
  ctx.row({ id: `w1.${label}.runs_per_s`, workload: `W1 ingest ${label}: runs/s`, unit: 'runs/s', better: 'higher', ours: rps(ours), floor: rps(floor), target: runsTarget });
  ctx.row({ id: `w1.${label}.create_median`, workload: `W1 ${label}: runs/create median`, unit: 'ms', better: 'lower', ours: c.median, floor: fc.median });
  ctx.row({ id: `w1.${label}.create_p95`, workload: `W1 ${label}: runs/create p95`, unit: 'ms', better: 'lower', ours: c.p95, floor: fc.p95 });
  ctx.row({ id: `w1.${label}.batch_median`, workload: `W1 ${label}: log-batch median`, unit: 'ms', better: 'lower', ours: b.median, floor: fb.median, target: batchTarget });
  ctx.row({ id: `w1.${label}.batch_p95`, workload: `W1 ${label}: log-batch p95`, unit: 'ms', better: 'lower', ours: b.p95, floor: fb.p95 });
  ctx.details[`w1.${label}`] = {
    runs,
    wallMs: ours.wallMs,
    create: c,
    logBatch: b,
    // CPU per run barely depends on how loaded the machine is, unlike wall time
    workerCpuMsPerRun: ours.workerCpuMs / runs,
    clientCpuMsPerRun: ours.selfCpuMs / runs,
    floor: { wallMs: floor.wallMs, create: fc, logBatch: fb, cpuMsPerRun: floor.selfCpuMs / runs },
  };
  ctx.notes.push(
    `W1 ${label}: CPU per run — worker processes ${(ours.workerCpuMs / runs).toFixed(1)} ms (+ client ${(ours.selfCpuMs / runs).toFixed(1)} ms), floor ${(floor.selfCpuMs / runs).toFixed(2)} ms`,
  );
}

/** W1 with one client, runs 0..N-1. */
export async function sequential(ctx) {
  const n = ctx.sizes.w1Runs;
  const exp = await w1Experiment(ctx);
  if (exp.logged !== 0) throw new Error('W1 sequential must run first on its experiment');
  const ours = await withCpu(ctx, () => logRuns(ctx.api, exp.experimentId, 0, n, 1));
  const floor = await withCpu(ctx, () => floorRuns(ctx.floor, exp.floorExperimentId, 0, n));
  exp.logged = n;
  rows(ctx, 'sequential', ours, floor, n, { runsTarget: { op: '>=', value: 190 }, batchTarget: { op: '<=', value: 4 } });
}

/** W1 with 8 concurrent clients, runs N..2N-1 (the floor writes the same rows in one process). */
export async function concurrent(ctx) {
  const n = ctx.sizes.w1Runs;
  const exp = await w1Experiment(ctx);
  if (exp.logged !== n) throw new Error('W1 concurrent runs after W1 sequential');
  const ours = await withCpu(ctx, () => logRuns(ctx.api, exp.experimentId, n, 2 * n, 8));
  const floor = await withCpu(ctx, () => floorRuns(ctx.floor, exp.floorExperimentId, n, 2 * n));
  exp.logged = 2 * n;
  rows(ctx, '8 clients', ours, floor, n);
}
