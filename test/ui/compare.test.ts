import { describe, expect, it } from 'vitest';
import { getPage } from './helpers';
import { seedCandidate, seedExperiment, seedSignedInExperiment } from './seed';
import { defaultDirection } from '../../src/tracking/comparison';

const XSS = '<script>alert(1)</script>';

async function setup() {
  const { project, experiment, browser, ml } = await seedSignedInExperiment('cmp experiment');
  const base = `${ml}/experiments/${experiment.iid}`;
  return { project, experiment, browser, base };
}

/** The cells of the table row whose header cell starts with `key`. */
function row(html: string, table: string, key: string): string {
  const t = html.slice(html.indexOf(`id="${table}"`));
  const body = t.slice(0, t.indexOf('</table>'));
  const rows = body.split('<tr').filter((r) => r.includes(`<th scope="row" class="text">${key}`));
  expect(rows.length, `row ${key}`).toBe(1);
  return rows[0];
}

describe('Compare candidates', () => {
  it('lines up params with the differing ones marked, and only those with the switch', async () => {
    const { experiment, browser, base } = await setup();
    const a = await seedCandidate(experiment, { name: 'run-a', params: { lr: '0.1', depth: '3', seed: '7' } });
    const b = await seedCandidate(experiment, { name: 'run-b', params: { lr: '0.01', depth: '3', seed: '7' } });
    const c = await seedCandidate(experiment, { name: 'run-c', params: { lr: '0.001', depth: '3' } });
    const res = await getPage(browser, `${base}/compare?candidates=${a.id},${b.id}&candidates=${c.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/run-a[^]*run-b[^]*run-c/);
    expect(row(html, 'params-table', 'lr')).toMatch(/^ class="differs"[^]*≠ differs[^]*>0.1<[^]*>0.01<[^]*>0.001</);
    expect(row(html, 'params-table', 'depth')).not.toContain('differs');
    // missing in one candidate counts as a difference
    expect(row(html, 'params-table', 'seed')).toContain('class="differs"');
    expect(html).toContain('2 of 3 params differ.');

    const only = await (await getPage(browser, `${base}/compare?candidates=${a.id},${b.id},${c.id}&only_diff=1`)).text();
    expect(only).toContain('<th scope="row" class="text">lr');
    expect(only).not.toContain('<th scope="row" class="text">depth');
    expect(only).toMatch(/name="only_diff" value="1" checked/);
    // removing a candidate keeps the switch
    expect(only).toContain(`href="${base}/compare?candidates=${a.id}%2C${c.id}&amp;only_diff=1" aria-label="Remove run-b from the comparison"`);
  });

  it('marks the best latest value of each metric: highest by default, lowest for losses, flippable', async () => {
    const { experiment, browser, base } = await setup();
    const a = await seedCandidate(experiment, { name: 'run-a', metrics: { accuracy: [0.5, 0.8], loss: [2, 0.3], speed: [5] } });
    const b = await seedCandidate(experiment, { name: 'run-b', metrics: { accuracy: [0.9], loss: [0.1, 0.4], speed: [9] } });
    const html = await (await getPage(browser, `${base}/compare?candidates=${a.id},${b.id}`)).text();
    expect(row(html, 'metrics-table', 'accuracy')).toMatch(/highest[^]*<td class="num"><span title="0.8">0.8<\/span><\/td><td class="num best"><strong><span class="best-mark" title="Best">★ <\/span><span title="0.9">0.9</);
    expect(row(html, 'metrics-table', 'loss')).toMatch(/lowest[^]*<td class="num best"><strong>[^]*0.3<\/span><\/strong><\/td><td class="num"><span title="0.4">0.4</);
    // flip speed to lower-is-better: the best moves to run-a
    const flipped = await (await getPage(browser, `${base}/compare?candidates=${a.id},${b.id}&dir=speed:min`)).text();
    expect(row(flipped, 'metrics-table', 'speed')).toMatch(/lowest[^]*<td class="num best"><strong>[^]*>5<\/span><\/strong><\/td><td class="num"><span title="9">9</);
    expect(row(html, 'metrics-table', 'speed')).toMatch(/<td class="num"><span title="5">5<\/span><\/td><td class="num best">/);
    expect(defaultDirection('val_loss')).toBe('min');
    expect(defaultDirection('test/error_rate')).toBe('min');
    expect(defaultDirection('rmse')).toBe('min');
    expect(defaultDirection('f1_score')).toBe('max');
    expect(defaultDirection('accuracy')).toBe('max');
  });

  it('puts each metric curve, sampled on the server, and the across-candidates values in the page as data', async () => {
    const { experiment, browser, base } = await setup();
    const long = Array.from({ length: 700 }, (_, i) => 1 / (i + 1));
    const a = await seedCandidate(experiment, { name: 'run-a', metrics: { loss: long } });
    const b = await seedCandidate(experiment, { name: 'run-b', metrics: { loss: [3, 2, 1] } });
    await seedCandidate(experiment, { name: 'run-other', metrics: { loss: [0.5] } });
    const html = await (await getPage(browser, `${base}/compare?candidates=${a.id},${b.id}`)).text();
    expect(html).toContain('src="/assets/compare.js"');
    const attr = /data-chart="([^"]*)"/.exec(html)![1].replaceAll('&quot;', '"').replaceAll('&amp;', '&');
    const chart = JSON.parse(attr) as { key: string; labels: string[]; steps: number[]; series: (number | null)[][] };
    expect(chart.key).toBe('loss');
    expect(chart.labels).toEqual(['run-a', 'run-b']);
    expect(chart.steps.length).toBeLessThanOrEqual(310);
    expect(chart.steps.slice(0, 3)).toEqual([0, 1, 2]);
    expect(chart.steps.at(-1)).toBe(699);
    expect(chart.series[1].slice(0, 3)).toEqual([3, 2, 1]);
    expect(chart.series[1].at(-1)).toBeNull();
    expect(chart.series[0].at(-1)).toBeCloseTo(1 / 700);
    const across = JSON.parse(/data-across="([^"]*)"/.exec(html)![1].replaceAll('&quot;', '"')) as { names: string[]; values: number[]; selected: number[] };
    expect(across.names.slice(-3)).toEqual(['run-a', 'run-b', 'run-other']);
    expect(across.values.at(-1)).toBe(0.5);
    expect(across.selected.map((i) => across.names[i])).toEqual(['run-a', 'run-b']);
  }, 30_000);

  it('escapes hostile names and values everywhere, the chart data included', async () => {
    const { experiment, browser, base } = await setup();
    const a = await seedCandidate(experiment, { name: XSS, params: { [XSS]: XSS }, metrics: { [XSS]: [1, 2] } });
    const b = await seedCandidate(experiment, { name: `"${XSS}`, params: { [XSS]: 'x' }, metrics: { [XSS]: [3] } });
    const res = await getPage(browser, `${base}/compare?candidates=${a.id},${b.id}&metric=${encodeURIComponent(XSS)}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).not.toContain(XSS);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('leaves out candidates of other experiments and projects, and refuses bad ids in place', async () => {
    const { project, experiment, browser, base } = await setup();
    const a = await seedCandidate(experiment, { name: 'mine' });
    const elsewhere = await seedExperiment(project.id);
    const stray = await seedCandidate(elsewhere, { name: 'stray-run' });
    const html = await (await getPage(browser, `${base}/compare?candidates=${a.id},${stray.id}`)).text();
    expect(html).toContain('mine');
    expect(html).not.toContain('stray-run');
    expect(html).toContain('Only one candidate picked.');
    const bad = await getPage(browser, `${base}/compare?candidates=1,abc`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('&#39;abc&#39; is not a candidate id');
    expect((await getPage(browser, `/${project.namespace}/${project.path}/-/ml/experiments/999999/compare?candidates=1`)).status).toBe(404);
  });

  it('gives the candidates table a checkbox per row and the compare bar', async () => {
    const { experiment, browser, base } = await setup();
    const a = await seedCandidate(experiment, { name: 'run-a' });
    const html = await (await getPage(browser, base)).text();
    expect(html).toContain(`<form id="compare-form" class="compare-bar" method="get" action="${base}/compare"`);
    expect(html).toContain(`<input type="checkbox" form="compare-form" name="candidates" value="${a.id}" class="pick" aria-label="Select run-a to compare"/>`);
    expect(html).toContain('src="/assets/compare-select.js"');
  });
});
