import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { disconnect, newPage, signIn } from './browser';
import { api, mlflow, seedOwner, unique } from './seed';

let owner: Awaited<ReturnType<typeof seedOwner>>;

beforeAll(async () => {
  owner = await seedOwner();
}, 120_000);

afterAll(disconnect);

/** Logs a trace as the MLflow 3 client does: StartTraceV3, then its spans to the artifact location. */
async function logTrace(experimentId: string, name: string, env: string, question: string) {
  const traceId = `tr-${crypto.randomUUID().replaceAll('-', '')}`;
  const v3 = `/api/v4/projects/${owner.project.id}/ml/mlflow/api/3.0/mlflow/traces`;
  const { trace } = await api(owner.token, 'POST', v3, {
    trace: {
      trace_info: {
        trace_id: traceId,
        trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
        request_time: new Date().toISOString(),
        execution_duration: '0.120s',
        state: 'OK',
        tags: { 'mlflow.traceName': name, env },
        request_preview: JSON.stringify({ question }),
        response_preview: '{"answer": "42"}',
      },
    },
  });
  const ns = Date.now() * 1e6;
  const span = (id: string, parent: string | null, spanName: string, start: number, end: number, inputs: unknown) => ({
    trace_id: 'AAAAAAAAAAAAAAAAAAAAAA==',
    span_id: id,
    parent_span_id: parent,
    name: spanName,
    start_time_unix_nano: ns + start * 1e6,
    end_time_unix_nano: ns + end * 1e6,
    events: [],
    status: { code: 'STATUS_CODE_OK', message: '' },
    attributes: { 'mlflow.spanType': '"UNKNOWN"', 'mlflow.spanInputs': JSON.stringify(inputs), 'mlflow.spanOutputs': '"done"' },
  });
  const spans = { spans: [span('root', null, name, 0, 120, { question }), span('child', 'root', 'retrieve', 10, 60, { query: `search for ${question}`, top_k: 3 })] };
  const location = new URL(trace.trace_info.tags['mlflow.artifactLocation']);
  const res = await fetch(`${inject('origin')}${location.pathname}/traces.json`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'text/plain' },
    body: JSON.stringify(spans),
  });
  expect(res.status).toBe(200);
  return traceId;
}

describe('traces in a browser', () => {
  it("finds a trace by filter, opens it and reads a nested span's inputs", async () => {
    const { experiment_id } = await mlflow(owner.token, owner.project.id)('POST', 'experiments/create', { name: unique('agents-') });
    await logTrace(experiment_id, 'chat', 'prod', 'what is a cat?');
    const wanted = await logTrace(experiment_id, 'research', 'dev', 'what is MLflow?');
    const { context, page } = await newPage();
    await signIn(page, owner.username, owner.password);
    await page.goto(`${owner.projectPath}/-/ml/experiments/${experiment_id}`);
    await page.getByRole('link', { name: 'Traces' }).click();
    await page.waitForURL(/\/traces$/);
    await expect.poll(() => page.locator('#traces tbody tr').count()).toBe(2);

    await page.getByLabel('Filter').fill("tags.env = 'dev'");
    await expect.poll(() => page.locator('#traces tbody tr').count()).toBe(1);
    expect(page.url()).toContain('filter=');
    expect(await page.locator('#traces tbody tr').textContent()).toContain('{"question":"what is MLflow?"}');

    await page.locator('#traces tbody').getByRole('link', { name: 'research' }).click();
    await page.waitForURL(new RegExp(`/-/ml/traces/${wanted}$`));
    expect(await page.locator('h1').textContent()).toBe('research');
    const child = page.locator('li.span[data-span-id="child"]');
    await expect.poll(() => child.locator('pre.json').first().isVisible()).toBe(false);
    await child.locator('summary').first().click();
    const inputs = child.locator('details.fold', { hasText: 'Inputs' }).locator('pre.json');
    await expect.poll(() => inputs.isVisible()).toBe(true);
    expect(JSON.parse((await inputs.textContent()) ?? '')).toEqual({ query: 'search for what is MLflow?', top_k: 3 });
    await context.close();
  });
});
