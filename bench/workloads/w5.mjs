// W5 artifacts: a 200 MiB file up through MLflow's multipart artifact protocol (mpu/create, one
// PUT per part to the URL it hands out, mpu/complete) and down through `GET artifacts/<path>`;
// MB/s each way (MB = 2^20 bytes), and the worker's memory during the transfer, read from the OS.
// The floor: the same bytes written to a plain file on the same disk, then read back.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pool } from '../client.mjs';
import { memoryOf } from '../server.mjs';
import { now, summarize } from '../stats.mjs';

const MiB = 1024 * 1024;
/** MLflow's client default part size (MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE, 10 MiB). */
const PART = 10 * MiB;
/** Parts in flight at once (the MLflow client uses a thread pool; 2 per core here). */
const PARTS_IN_FLIGHT = 4;

/** Writes `size` random bytes to `path`; returns their SHA-256. */
function makeFile(path, size) {
  const fd = openSync(path, 'w');
  const hash = createHash('sha256');
  try {
    for (let done = 0; done < size; ) {
      const chunk = randomBytes(Math.min(MiB, size - done));
      hash.update(chunk);
      writeSync(fd, chunk);
      done += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Samples VmRSS of the worker's workerd processes every 20 ms until stopped. */
function sampleMemory(pids) {
  const base = new Map(pids.map((p) => [p, memoryOf(p)?.rss ?? NaN]));
  const peak = new Map(base);
  const timer = setInterval(() => {
    for (const p of pids) {
      const m = memoryOf(p);
      if (m && !(m.rss <= peak.get(p))) peak.set(p, m.rss);
    }
  }, 20);
  return () => {
    clearInterval(timer);
    return pids.map((p) => ({ pid: p, baseRss: base.get(p), peakRss: peak.get(p), growth: peak.get(p) - base.get(p), hwm: memoryOf(p)?.hwm ?? NaN }));
  };
}

/** The artifact path of a run's package, from its artifact_uri. */
function artifactRoot(uri) {
  const at = uri.indexOf('/mlflow-artifacts/artifacts/');
  if (at >= 0) return uri.slice(at + '/mlflow-artifacts/artifacts/'.length).replace(/\/$/, '');
  if (uri.startsWith('mlflow-artifacts:/')) return uri.slice('mlflow-artifacts:/'.length).replace(/^\/+|\/$/g, '');
  throw new Error(`unexpected artifact_uri ${uri}`);
}

/** W5. */
export async function run(ctx) {
  const size = ctx.sizes.w5Bytes;
  const dir = mkdtempSync(join(tmpdir(), 'flaretrack-w5-'));
  try {
    const source = join(dir, 'big.bin');
    const sha = makeFile(source, size);
    const { json: exp } = await ctx.api.post('experiments/create', { name: 'bench-w5' });
    const { json: created } = await ctx.api.post('runs/create', { experiment_id: exp.experiment_id, run_name: 'artifacts', start_time: Date.now(), user_id: 'bench' });
    const root = artifactRoot(created.run.info.artifact_uri);
    const artifacts = `${ctx.api.prefix}/api/2.0/mlflow-artifacts`;
    const origin = new URL(ctx.worker.origin);
    // the one workerd process runs the worker and the local D1/R2/KV simulators
    const pids = ctx.worker.workerdPids();
    const userWorker = pids[0];

    // up: mpu/create -> PUT parts -> mpu/complete
    const numParts = Math.ceil(size / PART);
    let stop = sampleMemory(pids);
    let t0 = now();
    const { json: mpu, ms: createMs } = await ctx.client.json('POST', `${artifacts}/mpu/create/${root}/w5`, { path: source, num_parts: numParts });
    const tParts = now();
    const partMs = [];
    const credentials = mpu.credentials ?? [];
    if (credentials.length !== numParts) throw new Error(`mpu/create handed out ${credentials.length} part URLs for ${numParts} parts`);
    const etags = new Array(numParts);
    await pool(numParts, PARTS_IN_FLIGHT, async (k) => {
      const cred = credentials[k];
      const url = new URL(cred.url, ctx.worker.origin);
      if (url.host !== origin.host) throw new Error(`part URL ${cred.url} is not on the worker's origin`);
      const n = Number(cred.part_number ?? k + 1);
      const start = (n - 1) * PART;
      const length = Math.min(PART, size - start);
      const res = await ctx.client.request('PUT', url.pathname + url.search, {
        auth: false,
        headers: { 'content-length': String(length), ...(cred.headers ?? {}) },
        body: () => createReadStream(source, { start, end: start + length - 1 }),
      });
      const text = res.body.toString('utf8');
      if (res.status !== 200) throw new Error(`PUT part ${n} answered ${res.status}: ${text.slice(0, 300)}`);
      if (!res.headers.etag) throw new Error(`PUT part ${n} answered no ETag`);
      etags[k] = { part_number: n, etag: res.headers.etag, url: cred.url };
      partMs.push(res.ms);
    });
    const partsWallMs = now() - tParts;
    const afterParts = memoryOf(userWorker)?.rss ?? NaN;
    const { ms: completeMs } = await ctx.client.json('POST', `${artifacts}/mpu/complete/${root}/w5`, { path: source, upload_id: mpu.upload_id, parts: etags });
    const upMs = now() - t0;
    const upMem = stop();

    // where the file landed: MLflow's server names it <mpu path>/<basename of body.path>
    let file = `${root}/w5/big.bin`;
    const { json: listing } = await ctx.client.json('GET', `${artifacts}/artifacts`, undefined, { query: { path: `${root}/w5` } });
    const names = (listing.files ?? []).map((f) => f.path);
    let placement = 'as MLflow: <path>/<basename>';
    if (!names.some((n) => n.endsWith('big.bin'))) {
      file = `${root}/w5`;
      placement = 'NOT as MLflow: the file was stored at the mpu path itself, not at <path>/<basename of body.path>';
    }

    // down: one GET, streamed and hashed
    stop = sampleMemory(pids);
    t0 = now();
    const hash = createHash('sha256');
    const down = await ctx.client.request('GET', `${artifacts}/artifacts/${file}`, { sink: (chunk) => hash.update(chunk) });
    const downMs = now() - t0;
    const downMem = stop();
    if (down.status !== 200) throw new Error(`download answered ${down.status}`);
    if (down.bytes !== size) throw new Error(`download gave ${down.bytes} bytes, expected ${size}`);
    if (hash.digest('hex') !== sha) throw new Error('the downloaded bytes differ from the uploaded ones (SHA-256)');

    // diagnosis, not part of W5: the same bytes up in one PUT (an object of one piece) and down
    // again, to tell the cost of a multipart object in the local R2 simulator from ours
    stop = sampleMemory(pids);
    t0 = now();
    const single = await ctx.client.request('PUT', `${artifacts}/artifacts/${root}/w5-single/big.bin`, {
      headers: { 'content-length': String(size) },
      body: () => createReadStream(source),
    });
    const singleUpMs = now() - t0;
    const singleUpMem = stop();
    if (single.status !== 200) throw new Error(`single PUT answered ${single.status}`);
    stop = sampleMemory(pids);
    t0 = now();
    const singleHash = createHash('sha256');
    const singleDown = await ctx.client.request('GET', `${artifacts}/artifacts/${root}/w5-single/big.bin`, { sink: (chunk) => singleHash.update(chunk) });
    const singleDownMs = now() - t0;
    const singleDownMem = stop();
    if (singleDown.bytes !== size || singleHash.digest('hex') !== sha) throw new Error('the single-PUT download differs from the upload');

    // the floor: the same bytes through a plain file on the same disk, in the same parts
    const copy = join(dir, 'floor.bin');
    t0 = now();
    async function* parts() {
      for (let start = 0; start < size; start += PART) yield* createReadStream(source, { start, end: Math.min(size, start + PART) - 1 });
    }
    await pipeline(parts, createWriteStream(copy));
    const floorUpMs = now() - t0;
    t0 = now();
    const floorHash = createHash('sha256');
    await pipeline(createReadStream(copy), floorHash);
    const floorDownMs = now() - t0;
    if (floorHash.digest('hex') !== sha) throw new Error('floor copy differs');

    const mb = size / MiB;
    const worker = (list) => list.find((m) => m.pid === userWorker) ?? list[0];
    const growth = Math.max(worker(upMem).growth, worker(downMem).growth) / MiB;
    ctx.row({ id: 'w5.up', workload: `W5 upload ${mb} MiB (multipart, ${numParts} parts): MB/s`, unit: 'MB/s', better: 'higher', ours: mb / (upMs / 1000), floor: mb / (floorUpMs / 1000), target: { op: '>=', value: 100 }, note: placement.startsWith('NOT') ? placement : undefined });
    ctx.row({ id: 'w5.down', workload: `W5 download ${mb} MiB: MB/s`, unit: 'MB/s', better: 'higher', ours: mb / (downMs / 1000), floor: mb / (floorDownMs / 1000), target: { op: '>=', value: 100 } });
    ctx.row({ id: 'w5.memory', workload: 'W5 worker memory growth during transfer (peak RSS - before)', unit: 'MB', better: 'lower', ours: growth, floor: null, target: { op: '<=', value: 64 } });
    ctx.details.w5 = {
      bytes: size,
      sha256: sha,
      partSize: PART,
      partsInFlight: PARTS_IN_FLIGHT,
      upMs,
      upBreakdown: { createMs, partsWallMs, partMs: summarize(partMs), completeMs, workerRssAfterParts: afterParts },
      downMs,
      floorUpMs,
      floorDownMs,
      userWorkerPid: userWorker,
      placement,
      memoryUp: upMem,
      memoryDown: downMem,
      note: 'download bytes counted and hashed as they stream; RSS sampled every 20 ms',
    };
    ctx.details.w5.singlePut = { upMs: singleUpMs, downMs: singleDownMs, memoryUp: singleUpMem, memoryDown: singleDownMem };
    ctx.notes.push(
      `W5 upload: mpu/create ${createMs.toFixed(0)} ms, ${numParts} parts ${(partsWallMs / 1000).toFixed(1)} s (median part ${summarize(partMs).median.toFixed(0)} ms), mpu/complete ${completeMs.toFixed(0)} ms; worker RSS +${((afterParts - worker(upMem).baseRss) / MiB).toFixed(0)} MB after the parts; memory growth up ${(worker(upMem).growth / MiB).toFixed(0)} MB, down ${(worker(downMem).growth / MiB).toFixed(0)} MB`,
      `W5 diagnosis, the same file in one PUT instead of parts: up ${(mb / (singleUpMs / 1000)).toFixed(1)} MB/s (memory +${(worker(singleUpMem).growth / MiB).toFixed(0)} MB), down ${(mb / (singleDownMs / 1000)).toFixed(1)} MB/s (memory +${(worker(singleDownMem).growth / MiB).toFixed(0)} MB)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
