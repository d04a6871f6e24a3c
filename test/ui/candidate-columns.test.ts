import { describe, expect, it } from 'vitest';
import { call, getPage } from './helpers';
import { seedCandidate, seedSignedInExperiment } from './seed';

async function setup() {
  const { experiment, browser, ml } = await seedSignedInExperiment();
  const path = `${ml}/experiments/${experiment.iid}`;
  return { experiment, browser, path };
}

/** The table's column headings after User, in order. */
const headings = (html: string) => {
  const head = html.slice(html.indexOf('<table class="candidates">'), html.indexOf('</thead>'));
  const cells = [...head.matchAll(/<th scope="col"[^>]*>([^]*?)<\/th>/g)].map((m) => m[1].replace(/<[^>]*>/g, '').replace(/ [▲▼]$/, '').trim());
  return cells.slice(cells.indexOf('User') + 1, -2);
};
const rowNames = (html: string) => [...html.matchAll(/<td class="text">(?:<span class="child-mark"[^>]*>[^<]*<\/span>)?<a href="[^"]*\/-\/ml\/candidates\/\d+">([^<]*)<\/a>/g)].map((m) => m[1]);

describe('Experiment Candidates: columns, nested runs, pages', () => {
  it('shows metrics before params by default, the chosen columns in the URL, and remembers them per user', async () => {
    const { experiment, browser, path } = await setup();
    const a = await seedCandidate(experiment, { name: 'a', status: 'RUNNING', params: { lr: '0.1', depth: '3' }, metrics: { acc: [0.9], loss: [0.2] }, tags: { team: 'vision' } });
    expect(headings(await (await getPage(browser, path)).text())).toEqual(['acc', 'loss', 'depth', 'lr']);
    // chosen in the URL: a tag, a param and a metric, in that order
    const chosen = `${path}?col=tag:team&col=param:lr&col=metric:loss`;
    const html = await (await getPage(browser, chosen)).text();
    expect(headings(html)).toEqual(['team', 'lr', 'loss']);
    expect(html).toMatch(/<td class="text">vision<\/td><td class="text">0.1<\/td><td class="num"><span title="0.2">0.2<\/span><\/td>/);
    // sort links and the filter form keep the columns
    expect(html).toMatch(/href="[^"]*sort=name[^"]*col=tag%3Ateam&amp;col=param%3Alr&amp;col=metric%3Aloss"/);
    // remember them: the plain table then shows them too, for this user only
    const saved = await call('POST', `${path}/columns`, {
      body: new URLSearchParams([['_csrf', browser.csrf], ['col', 'param:lr'], ['col', 'metric:acc'], ['view', 'sort=name']]).toString(),
      headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`${path}?sort=name&col=param%3Alr&col=metric%3Aacc`);
    expect(headings(await (await getPage(browser, path)).text())).toEqual(['lr', 'acc']);
    // a live row asked from a page with columns in its URL keeps them (htmx sends the page's URL)
    const rowPath = `${path.replace(/experiments\/\d+$/, 'candidates')}/${a.id}/row`;
    const row = await call('GET', rowPath, { headers: { cookie: browser.cookie, 'hx-request': 'true', 'hx-current-url': `http://flaretrack.test${chosen}` } });
    expect(await row.text()).toMatch(/<td class="text">vision<\/td><td class="text">0.1<\/td><td class="num"><span title="0.2">0.2<\/span><\/td><td><a [^>]*>Artifacts<\/a><\/td><td><a [^>]*>Details/);
    // and one asked from the plain page shows the remembered ones
    const plainRow = await call('GET', rowPath, { headers: { cookie: browser.cookie, 'hx-request': 'true', 'hx-current-url': `http://flaretrack.test${path}` } });
    expect(await plainRow.text()).toMatch(/<td class="text">0.1<\/td><td class="num"><span title="0.9">0.9<\/span><\/td><td><a [^>]*>Artifacts<\/a><\/td><td><a [^>]*>Details/);
    // back to the default
    await call('POST', `${path}/columns`, {
      body: new URLSearchParams([['_csrf', browser.csrf], ['reset', '1']]).toString(),
      headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(headings(await (await getPage(browser, path)).text())).toEqual(['acc', 'loss', 'depth', 'lr']);
    // a bad column is the inline error, 400
    const bad = await getPage(browser, `${path}?col=nope`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('must be param:&lt;key&gt;, metric:&lt;key&gt; or tag:&lt;key&gt;');
    // remembering without the CSRF token is refused
    const forged = await call('POST', `${path}/columns`, { body: 'col=param%3Alr', headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(forged.status).toBe(403);
  });

  it('groups child runs under their parent, once, with a fold button', async () => {
    const { experiment, browser, path } = await setup();
    const parent = await seedCandidate(experiment, { name: 'parent', startTime: 1_000 });
    await seedCandidate(experiment, { name: 'lonely', startTime: 2_000 });
    for (const [k, name] of ['kid-1', 'kid-2'].entries()) await seedCandidate(experiment, { name, startTime: 3_000 + k, tags: { 'mlflow.parentRunId': parent.runId } });
    const html = await (await getPage(browser, `${path}?sort=name&order=asc`)).text();
    expect(rowNames(html)).toEqual(['lonely', 'parent', 'kid-1', 'kid-2']);
    expect(html).toMatch(/<tr class="child" data-parent="\d+"><td>[^]*?↳[^]*?kid-1/);
    expect(html).toContain('aria-label="Hide the 2 child runs of parent"');
    expect(html).toContain('(2 children below)');
  });

  it('pages back with Previous and says how many candidates match', async () => {
    const { experiment, browser, path } = await setup();
    for (let i = 0; i < 65; i++) await seedCandidate(experiment, { name: `run-${String(i).padStart(2, '0')}`, startTime: 10_000 + i });
    const first = await (await getPage(browser, `${path}?sort=name&order=asc`)).text();
    expect(first).toContain('1–30 of 65 candidates');
    expect(first).not.toContain('Previous page');
    const href = (html: string, rel: string) => new RegExp(`href="([^"]*)"[^>]*rel="${rel}"`).exec(html)![1].replaceAll('&amp;', '&');
    const second = await (await getPage(browser, href(first, 'next'))).text();
    expect(second).toContain('31–60 of 65 candidates');
    const third = await (await getPage(browser, href(second, 'next'))).text();
    expect(third).toContain('61–65 of 65 candidates');
    expect(rowNames(third)).toEqual(['run-60', 'run-61', 'run-62', 'run-63', 'run-64']);
    const back = await (await getPage(browser, href(third, 'prev'))).text();
    expect(rowNames(back)).toEqual(rowNames(second));
    expect(back).toContain('31–60 of 65 candidates');
    const start = await (await getPage(browser, href(back, 'prev'))).text();
    expect(rowNames(start)).toEqual(rowNames(first));
    // a filter counts what it matches
    expect(await (await getPage(browser, `${path}?name=run-1`)).text()).toContain('1–10 of 10 candidates');
  });
});
