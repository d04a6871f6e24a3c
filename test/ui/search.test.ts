import { describe, expect, it } from 'vitest';
import { seedProject, seedUser } from '../helpers';
import { getPage, signIn, type Browser } from './helpers';
import { seedCandidate, seedExperiment, seedSignedInExperiment } from './seed';
import { setExperimentTag } from '../../src/tracking/experiments';
import { db } from '../helpers';

async function setup() {
  const { user, project, experiment, browser, ml } = await seedSignedInExperiment();
  const path = `${ml}/experiments/${experiment.iid}`;
  await seedCandidate(experiment, { name: 'cnn-good', params: { model: 'cnn' }, metrics: { acc: [0.5, 0.95] } });
  await seedCandidate(experiment, { name: 'cnn-bad', params: { model: 'cnn' }, metrics: { acc: [0.7] } });
  await seedCandidate(experiment, { name: 'mlp-good', params: { model: 'mlp' }, metrics: { acc: [0.93] } });
  await seedCandidate(experiment, { name: 'rnn-running', status: 'RUNNING', user: user.username, params: { model: 'rnn' }, metrics: { acc: [0.2] } });
  await seedCandidate(experiment, { name: 'rnn-failed', status: 'FAILED', params: { model: 'rnn' }, metrics: { acc: [0.1] } });
  return { user, project, experiment, browser, path };
}

const rowNames = (html: string) => [...html.matchAll(/<td class="text"><a href="[^"]*\/-\/ml\/candidates\/\d+">([^<]*)<\/a>/g)].map((m) => m[1]).sort();

async function get(browser: Browser, path: string, query: Record<string, string>, htmx = false) {
  const res = await getPage(browser, `${path}?${new URLSearchParams(query)}`, { htmx });
  return { status: res.status, html: await res.text() };
}

describe('searching candidates', () => {
  it('filters with the API language: a metric and a param, an OR, and parentheses', async () => {
    const { browser, path } = await setup();
    let r = await get(browser, path, { filter: "metrics.acc > 0.9 and params.model = 'cnn'" });
    expect(r.status).toBe(200);
    expect(rowNames(r.html)).toEqual(['cnn-good']);
    // The query stays in the page: the box shows it, paging and CSV links carry it.
    expect(r.html).toContain('value="metrics.acc &gt; 0.9 and params.model = &#39;cnn&#39;"');
    expect(r.html).toMatch(/candidates\.csv\?filter=metrics\.acc\+%3E\+0\.9/);
    r = await get(browser, path, { filter: "params.model = 'mlp' OR metrics.acc < 0.15" });
    expect(rowNames(r.html)).toEqual(['mlp-good', 'rnn-failed']);
    r = await get(browser, path, { filter: "(params.model = 'cnn' OR params.model = 'mlp') AND metrics.acc >= 0.9" });
    expect(rowNames(r.html)).toEqual(['cnn-good', 'mlp-good']);
  });

  it('shows a malformed filter inline where it is, with a 400 and never a 500', async () => {
    const { browser, path } = await setup();
    const bad = "metrics.acc >> 0.9";
    const r = await get(browser, path, { filter: bad });
    expect(r.status).toBe(400);
    expect(r.html).toContain('<h1>'); // the whole page, the box still there to fix it
    expect(r.html).toMatch(/Invalid filter at column 14: expected a value/);
    expect(r.html).toContain(`<pre class="filter-caret" aria-hidden="true">${bad.replaceAll('>', '&gt;')}\n${' '.repeat(13)}^</pre>`);
    const fragment = await get(browser, path, { filter: "params.model = 'cnn' AND (" }, true);
    expect(fragment.status).toBe(400);
    expect(fragment.html.startsWith('<div id="candidates"')).toBe(true);
    expect(fragment.html).toContain('role="alert"');
    const unknown = await get(browser, path, { filter: 'foo.bar = 1' });
    expect(unknown.status).toBe(400);
    expect(unknown.html).toContain('column 1');
  });

  it('has quick filters for status and for only my candidates, composable with the filter and the name', async () => {
    const { browser, path } = await setup();
    expect(rowNames((await get(browser, path, { status: 'RUNNING' })).html)).toEqual(['rnn-running']);
    expect(rowNames((await get(browser, path, { status: 'FAILED' })).html)).toEqual(['rnn-failed']);
    expect(rowNames((await get(browser, path, { mine: '1' })).html)).toEqual(['rnn-running']);
    expect(rowNames((await get(browser, path, { status: 'FINISHED', filter: 'metrics.acc > 0.9' })).html)).toEqual(['cnn-good', 'mlp-good']);
    expect(rowNames((await get(browser, path, { status: 'FINISHED', filter: 'metrics.acc > 0.9', name: 'mlp' })).html)).toEqual(['mlp-good']);
    const page = (await get(browser, path, { status: 'FAILED', mine: '1' })).html;
    expect(page).toContain('No candidates match this filter.');
    expect(page).toContain('<option value="FAILED" selected="">Failed</option>');
    expect(page).toMatch(/<input type="checkbox" name="mine" value="1" checked=""/);
    const bad = await get(browser, path, { status: 'PAUSED' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('status must be one of RUNNING, FINISHED, FAILED, KILLED');
  });
});

describe('searching experiments', () => {
  it('finds experiments by name as you type and by tag, keeping the search in the URL', async () => {
    const { user, token } = await seedUser();
    const project = await seedProject(user.id);
    const a = await seedExperiment(project.id, 'vision-resnet');
    const b = await seedExperiment(project.id, 'vision-vit');
    await seedExperiment(project.id, 'nlp-bert');
    await setExperimentTag(db(), project.id, String(a.iid), { key: 'team', value: 'alpha' });
    await setExperimentTag(db(), project.id, String(b.iid), { key: 'team', value: 'beta' });
    const browser = await signIn(token);
    const base = `/${project.namespace}/${project.path}/-/ml/experiments`;
    const names = (html: string) => [...html.matchAll(/\/-\/ml\/experiments\/\d+">([^<]*)<\/a>/g)].map((m) => m[1]).sort();
    let r = await get(browser, base, { q: 'VISION' }, true);
    expect(r.html.startsWith('<div id="experiments"')).toBe(true);
    expect(names(r.html)).toEqual(['vision-resnet', 'vision-vit']);
    r = await get(browser, base, { tag: 'team=beta' });
    expect(names(r.html)).toEqual(['vision-vit']);
    expect(r.html).toContain('name="tag" value="team=beta"');
    r = await get(browser, base, { tag: 'team', q: 'resnet' });
    expect(names(r.html)).toEqual(['vision-resnet']);
    r = await get(browser, base, { q: 'nothing-like-this' });
    expect(r.html).toContain('No experiments match this search.');
  });
});
