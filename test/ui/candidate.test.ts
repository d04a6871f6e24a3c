import { describe, expect, it } from 'vitest';
import { seedProject, seedUser } from '../helpers';
import { getPage, signIn } from './helpers';
import { seedCandidate, seedExperiment, seedSignedInExperiment } from './seed';

const XSS = '<script>alert(1)</script>';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';

async function setup() {
  const { user, project, experiment, browser, ml } = await seedSignedInExperiment('my experiment');
  const base = `${ml}/candidates`;
  return { user, project, experiment, browser, base };
}

describe('Candidate Detail', () => {
  it('shows the run id, status, times, duration, user, experiment, parent and children, source, CI job', async () => {
    const { experiment, browser, base, project } = await setup();
    const parent = await seedCandidate(experiment, { name: 'parent-run' });
    const c = await seedCandidate(experiment, {
      name: 'child-run',
      user: 'carol',
      startTime: 1_700_000_000_000,
      tags: {
        'mlflow.parentRunId': parent.runId,
        'mlflow.source.name': 'train.py',
        'mlflow.source.type': 'LOCAL',
        'gitlab.CI_JOB_ID': '4242',
        'gitlab.CI_JOB_URL': 'https://gitlab.example.com/g/p/-/jobs/4242',
        'gitlab.CI_PIPELINE_URL': 'javascript:alert(1)',
      },
    });
    const grandchild = await seedCandidate(experiment, { name: 'grandchild', tags: { 'mlflow.parentRunId': c.runId } });
    const res = await getPage(browser, `${base}/${c.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<code id="run-id">${c.runId}</code>`);
    expect(html).toContain('data-copy-target="run-id"');
    expect(html).toContain('status-FINISHED');
    expect(html).toContain('2023-11-14 22:13:20 UTC');
    expect(html).toContain('<dd id="candidate-duration">1m 5s</dd>');
    expect(html).toContain('carol');
    expect(html).toContain(`href="/${project.namespace}/${project.path}/-/ml/experiments/${experiment.iid}">my experiment</a>`);
    expect(html).toContain(`href="${base}/${parent.id}">parent-run</a>`);
    expect(html).toContain(`href="${base}/${grandchild.id}">grandchild</a>`);
    expect(html).toContain('<code>train.py</code>');
    expect(html).toContain('href="https://gitlab.example.com/g/p/-/jobs/4242"');
    expect(html).not.toContain('href="javascript:');
    expect(html).toMatch(/<nav class="crumbs"[^]*>my experiment<\/a>[^]*<span aria-current="page">child-run<\/span>/);
  });

  it('lists params, tags and metrics (latest, min, max, last step) and escapes every value', async () => {
    const { experiment, browser, base } = await setup();
    const c = await seedCandidate(experiment, {
      name: XSS,
      params: { [XSS]: XSS, lr: '0.01' },
      tags: { [XSS]: XSS },
      metrics: { loss: [3, 1.23456789, Number.NaN, 2], [XSS]: [Infinity] },
    });
    const html = await (await getPage(browser, `${base}/${c.id}`)).text();
    expect(html).not.toContain(XSS);
    expect(html.split(ESCAPED).length - 1).toBeGreaterThanOrEqual(6); // title, h1, crumb, param key+value, tag key+value, metric
    expect(html).toMatch(/>loss<\/a><\/td><td class="num"><span title="2">2<\/span><\/td><td class="num"><span title="1.23456789">1.2346<\/span><\/td><td class="num"><span title="3">3<\/span><\/td><td class="num">3<\/td>/);
    // The chart's points travel in the page (sampled on the server; NaN is a gap).
    // the chart's points with when each was logged (the seed logs step i at 1700000000000 + i), for the wall-time axis
    expect(html).toContain('data-points="{&quot;key&quot;:&quot;loss&quot;,&quot;steps&quot;:[0,1,2,3],&quot;values&quot;:[3,1.23456789,null,2],&quot;times&quot;:[1700000000000,1700000000001,1700000000002,1700000000003]}"');
    // with JavaScript off, the chart's place says the latest value and links to the data
    expect(html).toMatch(/<p class="chart-status muted">Latest <span title="2">2<\/span> at step 3, from 4 sampled points · <a href="[^"]*\/metrics\.json\?key=loss">the data \(JSON\)<\/a>/);
    expect(html).toContain('src="/assets/vendor/uPlot.iife.min.js"');
  });

  it('serves each metric history sampled to a few hundred points for its chart', async () => {
    const { experiment, browser, base } = await setup();
    const points = Array.from({ length: 1000 }, (_, i) => Math.sin(i / 50));
    points[10] = Number.NaN;
    const c = await seedCandidate(experiment, { metrics: { wave: points } });
    const res = await getPage(browser, `${base}/${c.id}/metrics.json?key=wave`);
    expect(res.status).toBe(200);
    const data = (await res.json()) as { key: string; steps: number[]; values: (number | null)[] };
    expect(data.key).toBe('wave');
    expect(data.steps.length).toBeGreaterThan(100);
    expect(data.steps.length).toBeLessThanOrEqual(300);
    expect(data.steps[0]).toBe(0);
    expect(data.steps.at(-1)).toBe(999);
    expect(data.values.at(-1)).toBeCloseTo(Math.sin(999 / 50));
    expect((await getPage(browser, `${base}/${c.id}/metrics.json?key=nope`)).status).toBe(404);
  });

  it('is 404 for a candidate of another project, a non-member, or with the flag off', async () => {
    const a = await setup();
    const b = await setup();
    const theirs = await seedCandidate(b.experiment);
    expect((await getPage(a.browser, `${a.base}/${theirs.id}`)).status).toBe(404);
    expect((await getPage(a.browser, `${b.base}/${theirs.id}`)).status).toBe(404);
    expect((await getPage(a.browser, `${a.base}/nope`)).status).toBe(404);
    const { user, token } = await seedUser();
    const off = await seedProject(user.id, { ml: false });
    const exp = await seedExperiment(off.id);
    const c = await seedCandidate(exp);
    const res = await getPage(await signIn(token), `/${off.namespace}/${off.path}/-/ml/candidates/${c.id}`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain(c.runId);
  });
});
