import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { AccessLevel } from '../../src/access/policy';
import { setFlag } from '../../src/flags/flags';
import { createAssessment } from '../../src/tracking/traces/assessments';
import { putTraceFile } from '../../src/tracking/traces/spans';
import { createTrace } from '../../src/tracking/traces/traces';
import { db, seedMember, seedProject, seedUser } from '../helpers';
import { getPage, signIn } from './helpers';
import { seedCandidate, seedExperiment } from './seed';

const XSS = '<img src=x onerror=alert(1)>';

const bytes = (text: string) => new Response(text).body!;

/** Spans as the MLflow client writes them: agent → retrieve, agent → call_llm → tool. */
function spansOf(traceId: string) {
  const ns = 1_796_284_988_000_000_000;
  const span = (id: string, parent: string | null, name: string, start: number, end: number, attributes: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    trace_id: 'WZ/aP+ccbHvctPozHQYB3Q==',
    span_id: id,
    parent_span_id: parent,
    name,
    start_time_unix_nano: ns + start * 1e6,
    end_time_unix_nano: ns + end * 1e6,
    events: [],
    status: { code: 'STATUS_CODE_OK', message: '' },
    attributes: Object.fromEntries(Object.entries({ 'mlflow.traceRequestId': traceId, ...attributes }).map(([k, v]) => [k, JSON.stringify(v)])),
    ...extra,
  });
  return JSON.stringify({
    spans: [
      span('c', 'a', 'call_llm', 20, 90, { 'mlflow.spanType': 'LLM', 'mlflow.spanInputs': { prompt: 'Q: What is MLflow?' }, model: 'gpt-demo' }),
      span('a', null, 'agent', 0, 100, { 'mlflow.spanType': 'AGENT', 'mlflow.spanInputs': { question: 'What is MLflow?' }, 'mlflow.spanOutputs': { answer: XSS } }),
      span('b', 'a', 'retrieve', 5, 15, { 'mlflow.spanType': 'RETRIEVER', 'mlflow.spanInputs': { query: 'nested input' } }),
      span('d', 'c', 'tool', 30, 40, { 'mlflow.spanType': 'TOOL', 'mlflow.spanInputs': { deep: 'the deepest input' } }, {
        events: [{ name: 'exception', time_unix_nano: ns + 35e6, attributes: { 'exception.message': 'boom' } }],
        status: { code: 'STATUS_CODE_ERROR', message: 'ValueError: boom' },
      }),
    ],
  });
}

async function setup() {
  const { user, token } = await seedUser();
  const project = await seedProject(user.id);
  const experiment = await seedExperiment(project.id, 'agents');
  const browser = await signIn(token);
  const candidate = await seedCandidate(experiment, { name: 'run-with-traces' });
  const log = async (name: string, opts: { state?: 'OK' | 'ERROR'; tags?: Record<string, string>; metadata?: Record<string, string>; time?: number } = {}) => {
    const info = await createTrace(db(), project.id, {
      traceId: `tr-${crypto.randomUUID().replaceAll('-', '')}`,
      experimentId: String(experiment.iid),
      requestTime: opts.time ?? 1_796_284_988_000,
      executionTime: 100,
      state: opts.state ?? 'OK',
      requestPreview: `{"question": "${name}?"}`,
      responsePreview: XSS,
      tags: { 'mlflow.traceName': name, ...opts.tags },
      metadata: opts.metadata ?? {},
    });
    await putTraceFile(db(), env.ARTIFACTS, project.id, info.traceId, 'traces.json', bytes(spansOf(info.traceId)), undefined, 'text/plain');
    return info;
  };
  const base = `/${project.namespace}/${project.path}/-/ml`;
  return { user, project, experiment, browser, candidate, log, base };
}

describe('traces pages', () => {
  it("lists an experiment's traces with previews, status, latency and tags, and filters them", async () => {
    const { experiment, browser, log, base } = await setup();
    const ok = await log('answer', { tags: { env: 'dev' }, time: 1_796_284_988_000 });
    const failed = await log('crash', { state: 'ERROR', time: 1_796_284_999_000 });
    const list = `${base}/experiments/${experiment.iid}/traces`;
    const res = await getPage(browser, list);
    expect(res.status).toBe(200);
    const html = await res.text();
    // Newest first, with previews as text, status, latency, tags
    expect(html.indexOf(failed.traceId)).toBeLessThan(html.indexOf(ok.traceId));
    expect(html).toContain('{&quot;question&quot;: &quot;answer?&quot;}');
    expect(html).not.toContain(XSS);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('class="status trace-ERROR"');
    expect(html).toContain('100ms');
    expect(html).toContain('env: dev');
    // The experiment's page links here
    expect(await (await getPage(browser, `${base}/experiments/${experiment.iid}`)).text()).toContain(`href="${list}"`);

    const filtered = await (await getPage(browser, `${list}?filter=${encodeURIComponent("status = 'ERROR'")}`, { htmx: true })).text();
    expect(filtered).toContain(failed.traceId);
    expect(filtered).not.toContain(ok.traceId);
    expect(filtered).not.toContain('<html');
    const byTag = await (await getPage(browser, `${list}?filter=${encodeURIComponent("tags.env = 'dev'")}`)).text();
    expect(byTag).toContain(ok.traceId);
    expect(byTag).not.toContain(failed.traceId);

    const bad = await getPage(browser, `${list}?filter=${encodeURIComponent("colour = 'red'")}`);
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain('unknown attribute');
    expect(badHtml).toContain('class="alert filter-error"');
  });

  it('pages through many traces', async () => {
    const { experiment, browser, log, base } = await setup();
    for (let i = 0; i < 32; i++) await log(`t${i}`, { time: 1_796_284_988_000 + i * 1000 });
    const first = await (await getPage(browser, `${base}/experiments/${experiment.iid}/traces`)).text();
    expect(first).toContain('>t31<');
    expect(first).not.toContain('>t1<');
    const next = /href="([^"]*page_token=[^"]*)"[^>]*rel="next"/.exec(first)?.[1];
    expect(next).toBeTruthy();
    const second = await (await getPage(browser, next!.replaceAll('&amp;', '&'))).text();
    expect(second).toContain('>t1<');
    expect(second).toContain('>t0<');
    expect(second).not.toContain('>t31<');
  });

  it('shows a trace: the span tree in order with a waterfall, each span folded with its inputs, events, assessments and links', async () => {
    const { browser, log, base, candidate, project } = await setup();
    const t = await log('agent', { metadata: { 'mlflow.sourceRun': candidate.runId, 'mlflow.modelId': 'm-0123456789abcdef0123456789abcdef' } });
    await createAssessment(db(), project.id, t.traceId, {
      assessment_name: 'helpful',
      source: { source_type: 'HUMAN', source_id: 'alice' },
      feedback: { value: true },
      rationale: XSS,
    });
    const res = await getPage(browser, `${base}/traces/${t.traceId}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    // Tree order: agent, retrieve, call_llm, tool (children after their parent, siblings by start)
    const order = ['agent', 'retrieve', 'call_llm', 'tool'].map((n) => html.indexOf(`<span class="span-name">${n}</span>`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain('class="span indent-2" data-span-id="d" data-depth="2"');
    // The waterfall: call_llm starts at 20% of the trace and takes 70% of it
    expect(html).toContain('<rect class="bar" x="200.0" y="0" width="700.0" height="10"');
    // No inline styles: the CSP would drop them
    expect(html).not.toMatch(/style="/);
    // Inputs as JSON text; untrusted outputs escaped; the error span and its event
    expect(html).toContain('&quot;deep&quot;: &quot;the deepest input&quot;');
    expect(html).not.toContain(XSS);
    expect(html).toContain('ValueError: boom');
    expect(html).toContain('exception');
    // Attributes other than MLflow's own
    expect(html).toContain('<dt>model</dt>');
    // Assessments, run and logged model
    expect(html).toContain('helpful');
    expect(html).toContain(`href="/${project.namespace}/${project.path}/-/ml/candidates/${candidate.id}"`);
    expect(html).toContain('/-/ml/logged-models/m-0123456789abcdef0123456789abcdef');
  });

  it('is 404 for a missing trace, a non-member, and with the flag off; reporters see it', async () => {
    const { browser, log, base, project } = await setup();
    const t = await log('agent');
    expect((await getPage(browser, `${base}/traces/tr-missing`)).status).toBe(404);
    const reporter = await seedUser();
    await seedMember(project.id, reporter.user.id, AccessLevel.reporter);
    expect((await getPage(await signIn(reporter.token), `${base}/traces/${t.traceId}`)).status).toBe(200);
    const outsider = await seedUser();
    expect((await getPage(await signIn(outsider.token), `${base}/traces/${t.traceId}`)).status).toBe(404);
    await setFlag(env.FLAGS, 'ml_experiment_tracking', false, project.id);
    expect((await getPage(browser, `${base}/traces/${t.traceId}`)).status).toBe(404);
  });
});
