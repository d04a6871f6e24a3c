import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { setFlag } from '../../../src/flags/flags';
import { AccessLevel } from '../../../src/access/policy';
import { call, callJson, seedMember, seedUser } from '../../helpers';
import { experimentWithRun, mlflowProject, reporterOf } from './mlflow-helpers';

/** A trace info as the MLflow 3.11 client sends it (tracing-requests.jsonl, seq 5). */
function traceInfo(experimentId: string, overrides: Record<string, unknown> = {}) {
  const traceId = `tr-${crypto.randomUUID().replace(/-/g, '')}`;
  return {
    trace_id: traceId,
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
    request_time: '2026-12-03T08:03:08.196Z',
    execution_duration: '0.055s',
    state: 'OK',
    trace_metadata: { 'mlflow.traceInputs': '{"question": "What is MLflow?"}', 'mlflow.user': 'root', 'mlflow.trace_schema.version': '3' },
    tags: { 'mlflow.traceName': 'agent' },
    request_preview: '{"question": "What is MLflow?"}',
    response_preview: '{"answer": "MLflow tracks ML experiments."}',
    ...overrides,
  };
}

/** The spans file the client uploads (seq 7), for a trace id. */
const spansJson = (traceId: string) =>
  JSON.stringify({
    spans: [
      {
        trace_id: 'WZ/aP+ccbHvctPozHQYB3Q==',
        span_id: 'HAG+wJoIUyE=',
        parent_span_id: null,
        name: 'agent',
        start_time_unix_nano: 1796284988196484786,
        end_time_unix_nano: 1796284988251590906,
        events: [],
        status: { code: 'STATUS_CODE_OK', message: '' },
        attributes: { 'mlflow.traceRequestId': JSON.stringify(traceId), 'mlflow.spanInputs': '{"question": "What is MLflow?"}' },
      },
    ],
  });

async function tracingProject() {
  const p = await mlflowProject();
  const { experimentId, runId } = await experimentWithRun(p.api);
  const v3 = p.prefix.replace('/api/2.0/mlflow', '/api/3.0/mlflow');
  const api3 = <T = any>(method: string, path: string, body?: unknown, as: string = p.token) =>
    method === 'GET'
      ? callJson<T>('GET', `${v3}${path}${body ? `?${new URLSearchParams(body as Record<string, string>)}` : ''}`, { token: as })
      : callJson<T>(method, `${v3}${path}`, { token: as, json: body ?? {} });
  const logTrace = async (overrides: Record<string, unknown> = {}) => {
    const res = await api3('POST', '/traces', { trace: { trace_info: traceInfo(experimentId, overrides) } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.trace.trace_info;
  };
  const search = (body: Record<string, unknown>, as?: string) =>
    api3('POST', '/traces/search', { locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } }], ...body }, as);
  return { ...p, experimentId, runId, api3, logTrace, search };
}

/** The path of a trace's file relative to the worker, from its artifact location tag. */
const fileUrl = (info: { tags: Record<string, string> }, file: string) => new URL(`${info.tags['mlflow.artifactLocation']}/${file}`).pathname;

describe('traces: logging and reading', () => {
  it('logs a trace and answers it as MLflow does, with where to put its spans', async () => {
    const { api3, logTrace, experimentId, project } = await tracingProject();
    const logged = await logTrace();
    expect(logged).toMatchObject({
      trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
      request_time: '2026-12-03T08:03:08.196Z',
      execution_duration: '0.055s',
      state: 'OK',
      request_preview: '{"question": "What is MLflow?"}',
      response_preview: '{"answer": "MLflow tracks ML experiments."}',
      trace_metadata: { 'mlflow.user': 'root' },
    });
    expect(logged.tags['mlflow.traceName']).toBe('agent');
    expect(logged.tags['mlflow.artifactLocation']).toBe(
      `http://flaretrack.test/api/v4/projects/${project.id}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/ml_traces/${logged.trace_id}`,
    );
    // The client only uploads spans when this tag is absent.
    expect(logged.tags['mlflow.trace.spansLocation']).toBeUndefined();
    const got = await api3('GET', `/traces/${logged.trace_id}`, { trace_id: logged.trace_id });
    expect(got.status).toBe(200);
    expect(got.body.trace.trace_info).toEqual(logged);
  });

  it('keeps the spans file byte for byte and streams it back', async () => {
    const { logTrace, token } = await tracingProject();
    const logged = await logTrace();
    const spans = spansJson(logged.trace_id);
    const put = await call('PUT', fileUrl(logged, 'traces.json'), { token, body: spans, headers: { 'content-type': 'text/plain' } });
    expect(put.status).toBe(200);
    const got = await call('GET', fileUrl(logged, 'traces.json'), { token });
    expect(got.status).toBe(200);
    expect(await got.text()).toBe(spans);
    const attachment = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
    expect((await call('PUT', fileUrl(logged, 'attachments/5c20bb9d-b15e-4318-8c9b-3622e6ebb66c'), { token, body: attachment })).status).toBe(200);
    const back = await call('GET', fileUrl(logged, 'attachments/5c20bb9d-b15e-4318-8c9b-3622e6ebb66c'), { token });
    expect(new Uint8Array(await back.arrayBuffer())).toEqual(attachment);
  });

  it('streams a spans file of several MiB', async () => {
    const { logTrace, token } = await tracingProject();
    const logged = await logTrace();
    const big = JSON.stringify({ spans: [{ span_id: 'a', attributes: { 'mlflow.spanOutputs': JSON.stringify('x'.repeat(6 * 1024 * 1024)) } }] });
    expect((await call('PUT', fileUrl(logged, 'traces.json'), { token, body: big })).status).toBe(200);
    const got = await call('GET', fileUrl(logged, 'traces.json'), { token });
    expect(got.headers.get('content-length')).toBe(String(big.length));
    expect((await got.text()).length).toBe(big.length);
  });

  it('refuses files a trace does not have, and traces that do not exist', async () => {
    const { logTrace, token, project } = await tracingProject();
    const logged = await logTrace();
    const bad = await callJson('PUT', fileUrl(logged, '..%2Fsecrets'), { token, body: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    const missing = await callJson('GET', `/api/v4/projects/${project.id}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/ml_traces/tr-nope/traces.json`, { token });
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const notYet = await callJson('GET', fileUrl(logged, 'traces.json'), { token });
    expect(notYet.status).toBe(404);
  });

  it('answers a missing trace with RESOURCE_DOES_NOT_EXIST, as get_trace expects', async () => {
    const { api3 } = await tracingProject();
    const res = await api3('GET', '/traces/tr-00000000000000000000000000000000');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Trace with ID 'tr-00000000000000000000000000000000' not found." });
  });

  it('logs the same trace again as an update, merging tags and metadata', async () => {
    const { api3, logTrace } = await tracingProject();
    const first = await logTrace({ tags: { 'mlflow.traceName': 'agent', a: '1' } });
    await api3('POST', '/traces', {
      trace: { trace_info: { ...traceInfo(first.trace_location.mlflow_experiment.experiment_id), trace_id: first.trace_id, state: 'ERROR', tags: { b: '2' } } },
    });
    const got = (await api3('GET', `/traces/${first.trace_id}`)).body.trace.trace_info;
    expect(got.state).toBe('ERROR');
    expect(got.tags).toMatchObject({ a: '1', b: '2', 'mlflow.traceName': 'agent' });
  });

  it('refuses bad trace infos with INVALID_PARAMETER_VALUE and stores nothing', async () => {
    const { api3, experimentId, search } = await tracingProject();
    const bad: [Record<string, unknown>, string][] = [
      [{ state: 'DONE' }, 'state'],
      [{ request_time: 'yesterday' }, 'request_time'],
      [{ execution_duration: '55ms' }, 'execution_duration'],
      [{ trace_id: 'tr/../x' }, 'trace_id'],
      [{ tags: { k: 5 } }, 'tags'],
      [{ trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: '999999' } } }, 'Experiment'],
    ];
    for (const [overrides, word] of bad) {
      const res = await api3('POST', '/traces', { trace: { trace_info: traceInfo(experimentId, overrides) } });
      expect(res.status, word).toBe(overrides.trace_location ? 404 : 400);
      expect(res.body.message, word).toContain(word);
    }
    expect((await search({})).body).toEqual({});
  });
});

describe('traces: size limits', () => {
  it('refuses a trace info over 1 MB with RESOURCE_LIMIT_EXCEEDED and stores nothing (D1 takes no value over 2 MB)', async () => {
    const { api3, experimentId, search } = await tracingProject();
    const huge = traceInfo(experimentId, { trace_metadata: { 'mlflow.traceInputs': 'x'.repeat(1024 * 1024 + 1) } });
    const res = await api3('POST', '/traces', { trace: { trace_info: huge } });
    expect(res.status).toBe(413);
    expect(res.body.error_code).toBe('RESOURCE_LIMIT_EXCEEDED');
    expect((await search({})).body).toEqual({});
  });

  it("refuses tags beyond MLflow's limits (key 250, value 8000 characters)", async () => {
    const { api, logTrace } = await tracingProject();
    const t = await logTrace();
    const long = await api('PATCH', `/traces/${t.trace_id}/tags`, { key: 'k', value: 'v'.repeat(8001) });
    expect(long.status).toBe(400);
    expect(long.body.message).toContain('8000');
    expect((await api('PATCH', `/traces/${t.trace_id}/tags`, { key: 'k'.repeat(251), value: 'v' })).status).toBe(400);
    expect((await api('PATCH', `/traces/${t.trace_id}/tags`, { key: 'k', value: 'v'.repeat(8000) })).status).toBe(200);
  });
});

describe('traces: search', () => {
  it('filters on status, tags, metadata, name, times and run, and orders and pages', async () => {
    const { api3, logTrace, search, runId, api, experimentId } = await tracingProject();
    const a = await logTrace({ request_time: '2026-01-01T00:00:01.000Z', execution_duration: '0.010s', tags: { 'mlflow.traceName': 'alpha', env: 'dev' } });
    const b = await logTrace({ request_time: '2026-01-01T00:00:02.000Z', execution_duration: '1.500s', state: 'ERROR', tags: { 'mlflow.traceName': 'beta' } });
    const c = await logTrace({
      request_time: '2026-01-01T00:00:03.000Z',
      execution_duration: '0s',
      tags: { 'mlflow.traceName': 'gamma' },
      trace_metadata: { 'mlflow.sourceRun': runId, 'mlflow.trace.session': 'session-1' },
    });
    const ids = async (body: Record<string, unknown>) => {
      const res = await search(body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body.traces ?? []).map((t: { trace_id: string }) => t.trace_id);
    };
    expect(await ids({})).toEqual([c.trace_id, b.trace_id, a.trace_id]);
    expect(await ids({ filter: "status = 'OK'" })).toEqual([c.trace_id, a.trace_id]);
    expect(await ids({ filter: "trace.status = 'ERROR'" })).toEqual([b.trace_id]);
    expect(await ids({ filter: "tags.env = 'dev'" })).toEqual([a.trace_id]);
    expect(await ids({ filter: "name = 'beta'" })).toEqual([b.trace_id]);
    expect(await ids({ filter: "metadata.`mlflow.trace.session` = 'session-1'" })).toEqual([c.trace_id]);
    expect(await ids({ filter: `attribute.run_id = '${runId}'` })).toEqual([c.trace_id]);
    expect(await ids({ filter: 'execution_time_ms > 5' })).toEqual([b.trace_id, a.trace_id]);
    expect(await ids({ filter: `timestamp_ms >= ${Date.parse('2026-01-01T00:00:02.000Z')}` })).toEqual([c.trace_id, b.trace_id]);
    expect(await ids({ filter: "name = 'alpha' OR name = 'gamma'", order_by: ['timestamp_ms ASC'] })).toEqual([a.trace_id, c.trace_id]);
    expect(await ids({ order_by: ['execution_time_ms DESC'] })).toEqual([b.trace_id, a.trace_id, c.trace_id]);

    // link-to-run adds a trace to a run's traces.
    const other = await api('POST', '/runs/create', { experiment_id: experimentId, start_time: 1 });
    const otherRun = other.body.run.info.run_id;
    expect((await api('POST', '/traces/link-to-run', { trace_ids: [a.trace_id, b.trace_id], run_id: otherRun })).status).toBe(200);
    expect(await ids({ filter: `run_id = '${otherRun}'` })).toEqual([b.trace_id, a.trace_id]);

    // Paging: the client asks for two, then follows the token.
    const first = await search({ max_results: 2, order_by: ['timestamp_ms DESC'] });
    expect(first.body.traces.map((t: { trace_id: string }) => t.trace_id)).toEqual([c.trace_id, b.trace_id]);
    expect(first.body.next_page_token).toBeTruthy();
    const second = await search({ max_results: 2, order_by: ['timestamp_ms DESC'], page_token: first.body.next_page_token });
    expect(second.body.traces.map((t: { trace_id: string }) => t.trace_id)).toEqual([a.trace_id]);
    expect(second.body.next_page_token).toBeUndefined();

    // The deprecated experiment_ids field works too.
    const old = await api3('POST', '/traces/search', { experiment_ids: [experimentId], filter: "status = 'ERROR'" });
    expect(old.body.traces.map((t: { trace_id: string }) => t.trace_id)).toEqual([b.trace_id]);
  });

  it('filters on feedback', async () => {
    const { api3, logTrace, search } = await tracingProject();
    const good = await logTrace();
    const bad = await logTrace();
    const feedback = (traceId: string, value: unknown) =>
      api3('POST', `/traces/${traceId}/assessments`, { assessment: { assessment_name: 'helpful', trace_id: traceId, source: { source_type: 'HUMAN', source_id: 'a' }, feedback: { value } } });
    await feedback(good.trace_id, true);
    await feedback(bad.trace_id, false);
    const res = await search({ filter: "feedback.helpful = 'true'" });
    expect(res.body.traces.map((t: { trace_id: string }) => t.trace_id)).toEqual([good.trace_id]);
  });

  it('answers a bad filter, order_by or token with INVALID_PARAMETER_VALUE naming the problem', async () => {
    const { search } = await tracingProject();
    const cases: [Record<string, unknown>, string][] = [
      [{ filter: "colour = 'red'" }, "unknown attribute 'colour'"],
      [{ filter: "status > 'OK'" }, 'status does not take >'],
      [{ filter: 'timestamp_ms = abc' }, 'Invalid filter'],
      [{ order_by: ['metadata.x DESC'] }, 'order_by'],
      [{ page_token: 'garbage!' }, 'page_token'],
      [{ max_results: 100000 }, 'max_results'],
    ];
    for (const [body, words] of cases) {
      const res = await search(body);
      expect(res.status, words).toBe(400);
      expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(res.body.message).toContain(words);
    }
  });
});

describe('traces: tags, assessments, deletion', () => {
  it('sets and deletes trace tags (the v2 endpoints, key in the body)', async () => {
    const { api, api3, logTrace } = await tracingProject();
    const t = await logTrace();
    expect((await api('PATCH', `/traces/${t.trace_id}/tags`, { key: 'reviewed', value: 'yes' })).status).toBe(200);
    expect((await api3('GET', `/traces/${t.trace_id}`)).body.trace.trace_info.tags.reviewed).toBe('yes');
    expect((await api('DELETE', `/traces/${t.trace_id}/tags`, { key: 'reviewed' })).status).toBe(200);
    expect((await api3('GET', `/traces/${t.trace_id}`)).body.trace.trace_info.tags.reviewed).toBeUndefined();
    const again = await api('DELETE', `/traces/${t.trace_id}/tags`, { key: 'reviewed' });
    expect(again.status).toBe(404);
    expect((await api('PATCH', '/traces/tr-missing/tags', { key: 'k', value: 'v' })).status).toBe(404);
    expect((await api('PATCH', `/traces/${t.trace_id}/tags`, { key: '', value: 'v' })).status).toBe(400);
  });

  it('links prompt versions to a trace in its mlflow.linkedPrompts tag, each once', async () => {
    const { api, api3, logTrace } = await tracingProject();
    const t = await logTrace();
    const link = (versions: unknown) => api('POST', '/traces/link-prompts', { trace_id: t.trace_id, prompt_versions: versions });
    expect((await link([{ name: 'qa-prompt', version: '1' }])).status).toBe(200);
    expect((await link([{ name: 'qa-prompt', version: '1' }, { name: 'qa-prompt', version: 2 }])).status).toBe(200);
    const tags = (await api3('GET', `/traces/${t.trace_id}`)).body.trace.trace_info.tags;
    expect(JSON.parse(tags['mlflow.linkedPrompts'])).toEqual([
      { name: 'qa-prompt', version: '1' },
      { name: 'qa-prompt', version: '2' },
    ]);
    expect((await api('POST', '/traces/link-prompts', { trace_id: 'tr-missing', prompt_versions: [] })).status).toBe(404);
  });

  it('logs, reads, updates, overrides and deletes feedback and expectations', async () => {
    const { api3, logTrace } = await tracingProject();
    const t = await logTrace();
    const path = `/traces/${t.trace_id}/assessments`;
    // Seq 66 and 72 of the recording.
    const helpful = await api3('POST', path, {
      assessment: {
        assessment_name: 'helpful',
        trace_id: t.trace_id,
        source: { source_type: 'HUMAN', source_id: 'alice@example.com' },
        create_time: '2026-12-03T08:04:02.710Z',
        last_update_time: '2026-12-03T08:04:02.710Z',
        feedback: { value: true },
        valid: true,
      },
    });
    expect(helpful.status).toBe(200);
    const helpfulId: string = helpful.body.assessment.assessment_id;
    expect(helpfulId).toMatch(/^a-[0-9a-f]{32}$/);
    expect(helpful.body.assessment).toEqual({
      assessment_id: helpfulId,
      assessment_name: 'helpful',
      trace_id: t.trace_id,
      source: { source_type: 'HUMAN', source_id: 'alice@example.com' },
      create_time: '2026-12-03T08:04:02.710Z',
      last_update_time: '2026-12-03T08:04:02.710Z',
      feedback: { value: true },
      valid: true,
    });
    const expected = await api3('POST', path, {
      assessment: { assessment_name: 'expected_answer', trace_id: t.trace_id, source: { source_type: 'HUMAN', source_id: 'a' }, expectation: { value: 'MLflow is an MLOps platform.' }, metadata: { difficulty: 'easy' } },
    });
    const expectedId: string = expected.body.assessment.assessment_id;
    expect((await api3('GET', `${path}/${helpfulId}`)).body.assessment.feedback).toEqual({ value: true });

    // Seq 75: update_mask in camelCase.
    const updated = await api3('PATCH', `${path}/${helpfulId}`, {
      assessment: { assessment_id: helpfulId, assessment_name: 'helpful', trace_id: t.trace_id, feedback: { value: false }, rationale: 'Missed the point' },
      update_mask: 'assessmentName,feedback,rationale',
    });
    expect(updated.body.assessment).toMatchObject({ feedback: { value: false }, rationale: 'Missed the point', source: { source_type: 'HUMAN' }, create_time: '2026-12-03T08:04:02.710Z' });
    expect(updated.body.assessment.last_update_time).not.toBe('2026-12-03T08:04:02.710Z');

    // override_feedback: a new assessment that overrides the old one, which turns invalid.
    const override = await api3('POST', path, {
      assessment: { assessment_name: 'helpful', trace_id: t.trace_id, source: { source_type: 'HUMAN', source_id: 'b' }, feedback: { value: true }, overrides: helpfulId },
    });
    const overrideId = override.body.assessment.assessment_id;
    let info = (await api3('GET', `/traces/${t.trace_id}`)).body.trace.trace_info;
    expect(info.assessments.map((a: { assessment_id: string; valid: boolean }) => [a.assessment_id, a.valid])).toEqual([
      [helpfulId, false],
      [expectedId, true],
      [overrideId, true],
    ]);
    expect(info.assessments[1]).toMatchObject({ expectation: { value: 'MLflow is an MLOps platform.' }, metadata: { difficulty: 'easy' } });

    // Deleting the override makes the original valid again; the deleted one is gone.
    expect((await api3('DELETE', `${path}/${overrideId}`, { trace_id: t.trace_id, assessment_id: overrideId })).status).toBe(200);
    info = (await api3('GET', `/traces/${t.trace_id}`)).body.trace.trace_info;
    expect(info.assessments.map((a: { valid: boolean }) => a.valid)).toEqual([true, true]);
    const gone = await api3('GET', `${path}/${overrideId}`);
    expect(gone.status).toBe(404);
    expect(gone.body.message).toBe(`Assessment with ID '${overrideId}' not found for trace '${t.trace_id}'`);
  });

  it('refuses malformed assessments', async () => {
    const { api3, logTrace } = await tracingProject();
    const t = await logTrace();
    const path = `/traces/${t.trace_id}/assessments`;
    const cases: [Record<string, unknown>, string][] = [
      [{ feedback: { value: 1 } }, 'assessment_name'],
      [{ assessment_name: 'x' }, 'exactly one of feedback and expectation'],
      [{ assessment_name: 'x', feedback: { value: 1 }, expectation: { value: 2 } }, 'exactly one'],
      [{ assessment_name: 'x', feedback: { value: 1 }, metadata: { a: 1 } }, 'metadata'],
      [{ assessment_name: 'x', feedback: { value: 1 }, overrides: 'a-missing' }, 'a-missing'],
    ];
    for (const [assessment, words] of cases) {
      const res = await api3('POST', path, { assessment });
      expect(res.status, words).toBeGreaterThanOrEqual(400);
      expect(res.status, words).toBeLessThan(500);
      expect(res.body.message, words).toContain(words);
    }
    expect((await api3('GET', `/traces/${t.trace_id}`)).body.trace.trace_info.assessments).toBeUndefined();
  });

  it('deletes traces by id and by time, with their spans', async () => {
    const { api, logTrace, search, experimentId, token, project } = await tracingProject();
    const old1 = await logTrace({ request_time: '2026-01-01T00:00:01.000Z' });
    const old2 = await logTrace({ request_time: '2026-01-01T00:00:02.000Z' });
    const recent = await logTrace({ request_time: '2026-06-01T00:00:00.000Z' });
    const kept = await logTrace({ request_time: '2026-07-01T00:00:00.000Z' });
    await call('PUT', fileUrl(old1, 'traces.json'), { token, body: spansJson(old1.trace_id) });
    const before = await env.ARTIFACTS.list({ prefix: `projects/${project.id}/traces/` });
    expect(before.objects).toHaveLength(1);
    const byTime = await api('POST', '/traces/delete-traces', { experiment_id: experimentId, max_timestamp_millis: Date.parse('2026-03-01T00:00:00Z'), max_traces: 1 });
    expect(byTime.body).toEqual({ traces_deleted: 1 });
    expect((await env.ARTIFACTS.list({ prefix: `projects/${project.id}/traces/` })).objects).toHaveLength(0);
    const byId = await api('POST', '/traces/delete-traces', { experiment_id: experimentId, request_ids: [old2.trace_id, recent.trace_id, 'tr-unknown'] });
    expect(byId.body).toEqual({ traces_deleted: 2 });
    expect((await search({})).body.traces.map((t: { trace_id: string }) => t.trace_id)).toEqual([kept.trace_id]);
    const neither = await api('POST', '/traces/delete-traces', { experiment_id: experimentId });
    expect(neither.status).toBe(400);
    expect(neither.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('hides the traces of a deleted experiment and shows them again on restore', async () => {
    const { api, api3, logTrace, search, experimentId } = await tracingProject();
    const t = await logTrace();
    await api('POST', '/experiments/delete', { experiment_id: experimentId });
    expect((await api3('GET', `/traces/${t.trace_id}`)).status).toBe(404);
    expect((await search({})).body).toEqual({});
    const refused = await api3('POST', '/traces', { trace: { trace_info: traceInfo(experimentId) } });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('deleted');
    await api('POST', '/experiments/restore', { experiment_id: experimentId });
    expect((await api3('GET', `/traces/${t.trace_id}`)).status).toBe(200);
  });

  it('removes the traces and their spans with the project', async () => {
    const { logTrace, token, project } = await tracingProject();
    const t = await logTrace();
    await call('PUT', fileUrl(t, 'traces.json'), { token, body: spansJson(t.trace_id) });
    expect((await env.ARTIFACTS.list({ prefix: `projects/${project.id}/traces/` })).objects).toHaveLength(1);
    expect((await call('DELETE', `/api/v4/projects/${project.id}`, { token })).status).toBe(202);
    expect((await env.ARTIFACTS.list({ prefix: `projects/${project.id}/traces/` })).objects).toHaveLength(0);
    const rows = await env.DB.prepare('SELECT COUNT(*) AS n FROM traces WHERE project_id = ?').bind(project.id).first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });
});

describe('traces: access', () => {
  it('lets reporters read, not write; outsiders and the flag off get 404', async () => {
    const { api, api3, logTrace, search, project, experimentId } = await tracingProject();
    const t = await logTrace();
    const reporter = await reporterOf(project.id);
    expect((await api3('GET', `/traces/${t.trace_id}`, undefined, reporter)).status).toBe(200);
    expect((await search({}, reporter)).body.traces).toHaveLength(1);
    const writes: [string, string, unknown, boolean][] = [
      ['POST', '/traces', { trace: { trace_info: traceInfo(experimentId) } }, true],
      ['POST', `/traces/${t.trace_id}/assessments`, { assessment: { assessment_name: 'x', feedback: { value: 1 } } }, true],
      ['PATCH', `/traces/${t.trace_id}/tags`, { key: 'k', value: 'v' }, false],
      ['POST', '/traces/delete-traces', { experiment_id: experimentId, request_ids: [t.trace_id] }, false],
    ];
    for (const [method, path, body, v3] of writes) {
      const res = v3 ? await api3(method, path, body, reporter) : await api(method, path, body, reporter);
      expect(res.status, path).toBe(403);
      expect(res.body.error_code).toBe('PERMISSION_DENIED');
    }
    expect((await call('PUT', fileUrl(t, 'traces.json'), { token: reporter, body: '{}' })).status).toBe(403);
    const readOnly = await seedUser({ scopes: ['read_api'] });
    await seedMember(project.id, readOnly.user.id, AccessLevel.developer);
    expect((await search({}, readOnly.token)).status).toBe(200);
    expect((await api(`PATCH`, `/traces/${t.trace_id}/tags`, { key: 'k', value: 'v' }, readOnly.token)).status).toBe(403);
    const { token: outsider } = await seedUser();
    const hidden = await api3('GET', `/traces/${t.trace_id}`, undefined, outsider);
    expect(hidden.status).toBe(404);
    expect((await call('GET', fileUrl(t, 'traces.json'), { token: outsider })).status).toBe(404);
    await setFlag(env.FLAGS, 'ml_experiment_tracking', false, project.id);
    expect((await api3('GET', `/traces/${t.trace_id}`)).status).toBe(404);
    expect((await search({})).status).toBe(404);
  });
});
