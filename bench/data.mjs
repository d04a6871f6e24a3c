// The rows every workload logs, generated deterministically from the run's index, so the worker
// and the node:sqlite floor hold the same values whatever order the concurrent clients send them in.

/** A small fast PRNG (mulberry32): floats in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fixed base of every logged timestamp (ms), so that runs are ordered by index. */
export const T0 = Date.UTC(2026, 0, 1);

/** W1's shape: 10 params, 5 tags, 5 metrics x 20 steps per run. */
export const W1_SHAPE = { params: 10, tags: 5, metrics: 5, steps: 20 };

/**
 * One W1 run, by its index in the experiment: `runs/create` fields and the `runs/log-batch` body
 * (without run_id): params p0..p9 with values v0..v4, tags t0..t4, metrics m0..m4 x steps 0..19,
 * values uniform in [0, 1).
 */
export function w1Run(i) {
  const rand = prng(0x5eed0000 + i);
  const start = T0 + i * 1000;
  const params = [];
  for (let p = 0; p < W1_SHAPE.params; p++) params.push({ key: `p${p}`, value: `v${Math.floor(rand() * 5)}` });
  const tags = [];
  for (let t = 0; t < W1_SHAPE.tags; t++) tags.push({ key: `t${t}`, value: `tag-${Math.floor(rand() * 1e6)}` });
  const metrics = [];
  for (let m = 0; m < W1_SHAPE.metrics; m++) {
    for (let s = 0; s < W1_SHAPE.steps; s++) metrics.push({ key: `m${m}`, value: rand(), timestamp: start + s, step: s });
  }
  return { create: { run_name: `run-${i}`, start_time: start, user_id: 'bench' }, batch: { params, tags, metrics } };
}

/** W3's metric: the points of batch `b` (1000 a batch) of one metric `loss`, steps b*1000 .. b*1000+999. */
export function w3Batch(b, size = 1000) {
  const rand = prng(0x3e770000 + b);
  const metrics = [];
  for (let k = 0; k < size; k++) {
    const step = b * size + k;
    metrics.push({ key: 'loss', value: rand(), timestamp: T0 + step, step });
  }
  return { metrics };
}

/**
 * What W2's search must answer over W1 runs 0..n-1: the run names with latest m0 > 0.5 and
 * p0 = 'v1', by latest m1 descending, at most `limit`. (Latest = step 19, the largest step.)
 */
export function w2Expected(n, limit) {
  const hits = [];
  for (let i = 0; i < n; i++) {
    const { create, batch } = w1Run(i);
    const latest = (key) => batch.metrics.filter((m) => m.key === key).reduce((a, b) => (b.step > a.step ? b : a)).value;
    if (latest('m0') > 0.5 && batch.params[0].value === 'v1') hits.push({ name: create.run_name, m1: latest('m1') });
  }
  hits.sort((a, b) => b.m1 - a.m1);
  return { total: hits.length, names: hits.slice(0, limit).map((h) => h.name) };
}

/** The name of the run among W1 runs 0..n-1 with the largest latest value of metric `key`. */
export function w1Top(n, key) {
  let best = null;
  for (let i = 0; i < n; i++) {
    const { create, batch } = w1Run(i);
    const latest = batch.metrics.filter((m) => m.key === key).reduce((a, b) => (b.step > a.step ? b : a)).value;
    if (!best || latest > best.value) best = { name: create.run_name, value: latest };
  }
  return best?.name ?? null;
}

/**
 * One W6 trace, by index: the StartTraceV3 body's trace_info (as the MLflow 3 client sends it:
 * 8 metadata keys, 2 tags, previews) and its `traces.json` (3 spans, about 3 KB). Every fourth is
 * tagged env=dev, every tenth is an ERROR; durations 1..200 ms.
 */
export function w6Trace(i, experimentId) {
  const rand = prng(0x7ace0000 + i);
  const traceId = `tr-${(0x10000000 + i).toString(16)}${'0'.repeat(24)}`;
  const durationMs = 1 + Math.floor(rand() * 200);
  const question = `question ${i}: ${'why '.repeat(20)}`;
  const info = {
    trace_id: traceId,
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
    request_time: new Date(T0 + i * 1000).toISOString(),
    execution_duration: `${(durationMs / 1000).toFixed(3)}s`,
    state: i % 10 === 9 ? 'ERROR' : 'OK',
    trace_metadata: {
      'mlflow.traceInputs': JSON.stringify({ question }),
      'mlflow.traceOutputs': JSON.stringify({ answer: `answer ${i}` }),
      'mlflow.source.name': '/home/bench/agent.py',
      'mlflow.source.type': 'LOCAL',
      'mlflow.user': 'bench',
      'mlflow.trace_schema.version': '3',
      'mlflow.trace.sizeBytes': '3000',
      'mlflow.trace.session': `session-${i % 50}`,
    },
    tags: { 'mlflow.traceName': 'agent', env: i % 4 === 0 ? 'dev' : 'prod' },
    request_preview: JSON.stringify({ question }),
    response_preview: JSON.stringify({ answer: `answer ${i}` }),
  };
  const start = (T0 + i * 1000) * 1e6;
  const span = (id, parent, name, offset, inputs, outputs) => ({
    trace_id: 'AAAAAAAAAAAAAAAAAAAAAA==',
    span_id: id,
    parent_span_id: parent,
    name,
    start_time_unix_nano: start + offset,
    end_time_unix_nano: start + durationMs * 1e6 - offset,
    events: [],
    status: { code: 'STATUS_CODE_OK', message: '' },
    attributes: { 'mlflow.traceRequestId': JSON.stringify(traceId), 'mlflow.spanType': '"UNKNOWN"', 'mlflow.spanInputs': JSON.stringify(inputs), 'mlflow.spanOutputs': JSON.stringify(outputs) },
  });
  const spans = JSON.stringify({
    spans: [
      span('AAAAAAAAAAE=', null, 'agent', 0, { question }, { answer: `answer ${i}` }),
      span('AAAAAAAAAAI=', 'AAAAAAAAAAE=', 'retrieve', 1000, { query: question }, [{ doc_id: 'd1', text: 'x'.repeat(600) }]),
      span('AAAAAAAAAAM=', 'AAAAAAAAAAE=', 'call_llm', 2000, { prompt: `Context: ${'x'.repeat(600)}\nQ: ${question}` }, { text: `answer ${i}`, usage: { prompt_tokens: 120, completion_tokens: 6 } }),
    ],
  });
  return { info, spans, durationMs };
}
