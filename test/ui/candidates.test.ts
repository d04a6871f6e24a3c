import { describe, expect, it } from 'vitest';
import { getPage, type Browser } from './helpers';
import { seedCandidate, seedSignedInExperiment } from './seed';

const XSS = '<script>alert(1)</script>';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';

async function setup() {
  const { user, project, experiment, browser, ml } = await seedSignedInExperiment();
  const path = `${ml}/experiments/${experiment.iid}`;
  return { user, project, experiment, browser, path };
}

const rowNames = (html: string) => [...html.matchAll(/<td class="text"><a href="[^"]*\/-\/ml\/candidates\/\d+">([^<]*)<\/a>/g)].map((m) => m[1]);

async function text(browser: Browser, path: string, htmx = false) {
  const res = await getPage(browser, path, { htmx });
  return { status: res.status, html: await res.text(), res };
}

describe('Experiment Candidates', () => {
  it('shows one row per candidate with status, user, a column per param and metric (4 significant decimals, full value on hover)', async () => {
    const { experiment, browser, path } = await setup();
    await seedCandidate(experiment, { name: 'alpha', user: 'bob', params: { lr: '0.01', depth: '3' }, metrics: { acc: [0.5, 0.912345678], loss: [Infinity] } });
    await seedCandidate(experiment, { name: 'beta', status: 'FAILED', params: { lr: '0.1' }, metrics: { acc: [Number.NaN] } });
    const { status, html, res } = await text(browser, path);
    expect(status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(html).toContain('<h1>');
    expect(rowNames(html).sort()).toEqual(['alpha', 'beta']);
    expect(html).toContain('<span title="0.912345678">0.9123</span>');
    expect(html).toContain('<span title="Infinity">∞</span>');
    expect(html).toContain('<span title="NaN">NaN</span>');
    expect(html).toMatch(/>depth<\/a><\/th>/);
    expect(html).toContain('status-FAILED');
    expect(html).toContain('>bob</td>');
    expect(html).toMatch(/href="[^"]*\/-\/ml\/candidates\/\d+#artifacts">Artifacts</);
  });

  it('escapes an XSS payload in param name and value, tag and run name', async () => {
    const { experiment, browser, path } = await setup();
    await seedCandidate(experiment, { name: XSS, params: { [XSS]: XSS }, tags: { [XSS]: XSS }, metrics: { [XSS]: [1] } });
    const { html } = await text(browser, path);
    expect(html).not.toContain(XSS);
    expect(html).toContain(ESCAPED);
    expect(rowNames(html)).toEqual([ESCAPED]);
  });

  it('filters by name, answers only the fragment to htmx, and keeps the filter in the links', async () => {
    const { experiment, browser, path } = await setup();
    for (const name of ['train-a', 'train-b', 'eval-a']) await seedCandidate(experiment, { name });
    const full = await text(browser, `${path}?name=train`);
    expect(rowNames(full.html).sort()).toEqual(['train-a', 'train-b']);
    expect(full.html).toContain('<html');
    expect(full.html).toContain('name="name" value="train"');
    const fragment = await text(browser, `${path}?name=eval`, true);
    expect(fragment.html.startsWith('<div id="candidates"')).toBe(true);
    expect(fragment.html).not.toContain('<html');
    expect(rowNames(fragment.html)).toEqual(['eval-a']);
    expect(fragment.html).toContain('candidates.csv?name=eval');
    expect(fragment.res.headers.get('vary')).toContain('HX-Request');
    // a name with quotes is a name, not a broken filter
    const quoted = await text(browser, `${path}?name=${encodeURIComponent("it's")}`);
    expect(quoted.status).toBe(200);
    expect(quoted.html).toContain('No candidates match this filter.');
  });

  it('sorts by name, created, a metric or a param, ascending or descending', async () => {
    const { experiment, browser, path } = await setup();
    const t = Date.now();
    await seedCandidate(experiment, { name: 'b', startTime: t + 1, params: { opt: 'sgd' }, metrics: { acc: [0.7] } });
    await seedCandidate(experiment, { name: 'c', startTime: t + 2, params: { opt: 'adam' }, metrics: { acc: [0.9] } });
    await seedCandidate(experiment, { name: 'a', startTime: t + 3, params: { opt: 'rms' }, metrics: { acc: [0.8] } });
    expect(rowNames((await text(browser, path)).html)).toEqual(['a', 'c', 'b']);
    expect(rowNames((await text(browser, `${path}?sort=created&order=asc`)).html)).toEqual(['b', 'c', 'a']);
    expect(rowNames((await text(browser, `${path}?sort=name&order=asc`)).html)).toEqual(['a', 'b', 'c']);
    expect(rowNames((await text(browser, `${path}?sort=metric:acc`)).html)).toEqual(['c', 'a', 'b']);
    expect(rowNames((await text(browser, `${path}?sort=metric:acc&order=asc`)).html)).toEqual(['b', 'a', 'c']);
    expect(rowNames((await text(browser, `${path}?sort=param:opt&order=asc`)).html)).toEqual(['c', 'a', 'b']);
    const bad = await text(browser, `${path}?sort=bogus`);
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('sort must be name, created');
  });

  it('pages 30 at a time with keyset tokens kept in the URL with filter and sort', async () => {
    const { experiment, browser, path } = await setup();
    const t = Date.now();
    for (let i = 0; i < 65; i++) await seedCandidate(experiment, { name: `run-${String(i).padStart(3, '0')}`, startTime: t + i });
    const seen: string[] = [];
    let url: string | undefined = `${path}?sort=name&order=asc`;
    let pages = 0;
    while (url) {
      const { html } = await text(browser, url, pages > 0);
      const names = rowNames(html);
      expect(names.length).toBe(pages < 2 ? 30 : 5);
      seen.push(...names);
      const next = /href="([^"]*page_token=[^"]*)" [^>]*rel="next"/.exec(html)?.[1];
      if (next) expect(next).toContain('sort=name&amp;order=asc');
      url = next?.replaceAll('&amp;', '&');
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 65 }, (_, i) => `run-${String(i).padStart(3, '0')}`));
    const broken = await text(browser, `${path}?page_token=garbage`);
    expect(broken.status).toBe(400);
  });

  it('streams the CSV of every candidate with params and metrics, quoting what needs it', async () => {
    const { experiment, browser, path } = await setup();
    await seedCandidate(experiment, { name: 'x,"y"', params: { lr: '0.1' }, metrics: { acc: [0.5, 0.123456789] } });
    await seedCandidate(experiment, { name: 'plain', params: { note: 'line1\nline2' }, metrics: { acc: [Number.NaN] } });
    const res = await getPage(browser, `${path}/candidates.csv?sort=name&order=asc`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".*-candidates\.csv"$/);
    const csv = await res.text();
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('run_id,name,status,user,start_time,end_time,params.lr,params.note,metrics.acc');
    expect(lines[1]).toMatch(/^[0-9a-f]{32},plain,FINISHED,alice,\d{4}-[^,]*Z,\d{4}-[^,]*Z,,"line1\nline2",NaN$/);
    expect(csv).toMatch(/,"x,""y""",FINISHED,alice,[^,]+,[^,]+,0\.1,,0\.123456789\r\n$/);
  });

  it('neutralises text cells a spreadsheet would run as a formula, and leaves numbers alone', async () => {
    const { experiment, browser, path } = await setup();
    await seedCandidate(experiment, { name: '=HYPERLINK("http://evil.example","x")', user: '@SUM(A1)', params: { a: '+cmd', b: '-0.5', c: '\tx', d: '-1+2', e: 'ok' }, metrics: { m: [-2] } });
    const csv = await (await getPage(browser, `${path}/candidates.csv`)).text();
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('run_id,name,status,user,start_time,end_time,params.a,params.b,params.c,params.d,params.e,metrics.m');
    expect(lines[1]).toMatch(/^[0-9a-f]{32},"'=HYPERLINK\(""http:\/\/evil\.example"",""x""\)",FINISHED,'@SUM\(A1\),[^,]+,[^,]+,'\+cmd,-0\.5,'\tx,'-1\+2,ok,-2$/);
  });

  it('is 404 for an experiment of another project, and for non-members', async () => {
    const { browser, project } = await setup();
    const other = await setup();
    expect((await getPage(browser, `/${project.namespace}/${project.path}/-/ml/experiments/${other.experiment.iid}`)).status).toBe(404);
    expect((await getPage(browser, other.path)).status).toBe(404);
    expect((await getPage(browser, `/${project.namespace}/${project.path}/-/ml/experiments/abc`)).status).toBe(404);
  });
});
