// `npm run bench [-- --quick] [-- --json <path>] [-- --only w1,w3] [-- --verbose]`
//
// Starts the worker as `npm start` does on a fresh state folder, drives it over loopback with the
// MLflow REST API from this one process, runs the same work on raw node:sqlite (the floor), and
// prints one table: workload, our figure, the floor's, how many times worse than the floor, the
// target. See docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Mlflow } from './client.mjs';
import { startWorker } from './server.mjs';
import { table, writeJson } from './report.mjs';
import { now } from './stats.mjs';
import { fixedCost } from './probe.mjs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 5)) {
  console.error(`bench needs Node >= 22.5 (node:sqlite); this is ${process.version}. Run it with \`npm run bench\`.`);
  process.exit(2);
}
// node:sqlite prints an ExperimentalWarning on first use; the floor knows.
// (before importing the floor)
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  if (String(warning).includes('SQLite')) return;
  return emitWarning.call(process, warning, ...rest);
};
const { Floor } = await import('./floor.mjs');
const w1 = await import('./workloads/w1.mjs');
const w2 = await import('./workloads/w2.mjs');
const w3 = await import('./workloads/w3.mjs');
const w4 = await import('./workloads/w4.mjs');
const w5 = await import('./workloads/w5.mjs');
const w6 = await import('./workloads/w6.mjs');
const w7 = await import('./workloads/w7.mjs');

const MiB = 1024 * 1024;
/** The sizes the issue fixes (full) and a smoke run (quick, under a minute; figures not comparable). */
const SIZES = {
  full: { w1Runs: 2000, w2Runs: 25_000, w2Calls: 10, w3Points: 100_000, w3Repeats: 10, w3BulkCalls: 10, w4Calls: 10, w5Bytes: 200 * MiB, w6Traces: 2000, w6Calls: 10, w7Batches: 25, w7PageCalls: 20, w7Points: 5_000_000, w7Reads: 5 },
  quick: { w1Runs: 20, w2Runs: 60, w2Calls: 3, w3Points: 5000, w3Repeats: 2, w3BulkCalls: 3, w4Calls: 3, w5Bytes: 16 * MiB, w6Traces: 60, w6Calls: 3, w7Batches: 2, w7PageCalls: 3, w7Points: 100_000, w7Reads: 2 },
};

/** The steps in order; later ones reuse what earlier ones logged (see docs/benchmarks.md). */
const STEPS = [
  { name: 'W1 sequential', workload: 'w1', run: w1.sequential },
  { name: 'W2 over W1 runs', workload: 'w2', run: w2.small },
  { name: 'W1 8 clients', workload: 'w1', run: w1.concurrent },
  { name: 'W2 over 25,000 runs', workload: 'w2', run: w2.large },
  { name: 'W3 history', workload: 'w3', run: w3.run },
  { name: 'W4 pages', workload: 'w4', run: w4.run },
  { name: 'W5 artifacts', workload: 'w5', run: w5.run },
  { name: 'W6 traces', workload: 'w6', run: w6.run },
  { name: 'W7 history objects', workload: 'w7', run: w7.run },
];
/** What a workload needs logged before it. */
const NEEDS = { w1: [], w2: ['w1'], w3: [], w4: ['w1', 'w2', 'w3'], w5: [], w6: [], w7: ['w1'] };

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    only: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    seed: { type: 'string', default: 'api' },
  },
});
const sizes = { ...(args.quick ? SIZES.quick : SIZES.full) };
// diagnosis only (e.g. does the worker's memory grow with the file?): BENCH_W5_MIB=64
if (process.env.BENCH_W5_MIB) sizes.w5Bytes = Number(process.env.BENCH_W5_MIB) * MiB;
// W7's big candidate, smaller on a slow machine (a multiple of 4000): BENCH_W7_POINTS=1000000
if (process.env.BENCH_W7_POINTS) sizes.w7Points = Number(process.env.BENCH_W7_POINTS);
if (!['api', 'direct'].includes(args.seed)) {
  console.error("--seed: 'api' (default: through runs/create + log-batch) or 'direct' (into the stopped worker's D1 file)");
  process.exit(2);
}
let selected = new Set(['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7']);
if (args.only) {
  selected = new Set();
  for (const w of args.only.split(',').map((s) => s.trim().toLowerCase())) {
    if (!NEEDS[w]) {
      console.error(`--only: unknown workload '${w}' (w1..w7)`);
      process.exit(2);
    }
    selected.add(w);
    for (const n of NEEDS[w]) selected.add(n);
  }
}

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);
const git = (...a) => {
  try {
    return execFileSync('git', a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
};

const started = now();
const meta = {
  date: new Date().toISOString(),
  mode: args.quick ? 'quick' : 'full',
  commit: git('rev-parse', '--short', 'HEAD'),
  branch: git('rev-parse', '--abbrev-ref', 'HEAD'),
  dirty: Boolean(git('status', '--porcelain')),
  node: process.version,
  cpus: cpus().length,
  loadavgStart: loadavg(),
  sizes,
  workloads: [...selected],
};

log(`starting the worker (npm start's way) — ${meta.mode} run, ${meta.cpus} cores, load ${meta.loadavgStart.map((l) => l.toFixed(2)).join(' ')}`);
meta.seed = args.seed;
const ctx = { worker: await startWorker({ verbose: args.verbose }) };
meta.startupMs = ctx.worker.startupMs;
log(`worker up at ${ctx.worker.origin} in ${(ctx.worker.startupMs / 1000).toFixed(1)} s`);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the worker`);
    await ctx.worker.stop();
    process.exit(130);
  });
}

const client = new Client(ctx.worker.origin, ctx.worker.token, { sockets: 16 });
const floor = new Floor();
const rows = [];
const details = {};
const failures = [];
const notes = [];
try {
  const { json: projects } = await client.json('GET', '/api/v4/projects');
  const project = projects.find((p) => p.path_with_namespace === 'root/demo');
  if (!project) throw new Error('the bootstrap did not create root/demo');
  Object.assign(ctx, {
    api: new Mlflow(client, project.id),
    client,
    floor,
    sizes,
    seed: args.seed,
    project,
    shared: {},
    details,
    notes,
    log,
    row: (r) => rows.push(r),
  });
  await fixedCost(ctx, args.quick ? 50 : 200).catch((e) => notes.push(`fixed-cost probe failed: ${e.message}`));
  for (const step of STEPS) {
    if (!selected.has(step.workload)) continue;
    // let socket events queued while the floor held the event loop run first
    await new Promise((r) => setTimeout(r, 20));
    const t = now();
    log(`${step.name} ...`);
    try {
      await step.run(ctx);
      log(`${step.name} done in ${((now() - t) / 1000).toFixed(1)} s`);
      // the figures so far, in case a later step fails or the run is stopped
      if (args.json) writeJson(resolve(args.json), { meta: { ...meta, partial: true, failures, notes }, rows, details });
    } catch (e) {
      failures.push({ step: step.name, error: String(e?.message ?? e) });
      rows.push({ id: `${step.workload}.failed`, workload: `${step.name}: FAILED (see below)`, unit: '', better: 'lower', ours: null, floor: null });
      log(`${step.name} FAILED after ${((now() - t) / 1000).toFixed(1)} s: ${e?.stack ?? e}`);
      const tail = ctx.worker.log().slice(-1500).trim();
      if (tail) log(`worker's stderr (tail):\n${tail}`);
    }
  }
} finally {
  client.close();
  floor.close();
  await ctx.worker.stop();
}
meta.wallMs = now() - started;
meta.loadavgEnd = loadavg();

const lines = [
  `flaretrack bench — ${meta.mode} run, ${meta.commit ?? '?'}${meta.dirty ? '+dirty' : ''} (${meta.branch}), ${meta.date}, node ${meta.node}, ${meta.cpus} cores, load ${meta.loadavgStart[0].toFixed(2)} → ${meta.loadavgEnd[0].toFixed(2)}`,
  '× floor = how many times worse than raw node:sqlite: ours/floor for times, floor/ours for rates.',
  ...(args.quick ? ['QUICK run: smaller sizes (smoke test); figures are not comparable with the targets.'] : []),
  '',
  ...table(rows),
];
for (const r of rows.filter((r) => r.note)) lines.push(`  ${r.workload}: ${r.note}`);
for (const n of notes) lines.push(`  ${n}`);
for (const f of failures) lines.push(`  FAILED ${f.step}: ${f.error}`);
lines.push('', `total ${(meta.wallMs / 1000).toFixed(0)} s (worker start ${(meta.startupMs / 1000).toFixed(1)} s)`);
console.log(lines.join('\n'));
if (args.json) {
  writeJson(resolve(args.json), { meta: { ...meta, failures, notes }, rows, details });
  log(`figures written to ${resolve(args.json)}`);
}
process.exit(failures.length > 0 ? 1 : 0);
