import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { candidates } from '../../src/db/schema';
import { logBatch } from '../../src/tracking/batch';
import { db } from '../helpers';
import { getPage } from './helpers';
import { seedCandidate, seedSignedInExperiment } from './seed';

async function setup() {
  const { project, experiment, browser, ml } = await seedSignedInExperiment();
  return { project, experiment, browser, base: ml };
}

describe('live updates of a running candidate', () => {
  it('polls its metrics section while running, carries the new points, and stops once finished', async () => {
    const { project, experiment, browser, base } = await setup();
    const c = await seedCandidate(experiment, { status: 'RUNNING', metrics: { loss: [3, 2] } });
    const self = `${base}/candidates/${c.id}`;
    const page = await (await getPage(browser, self)).text();
    expect(page).toContain(`<section id="metrics-section" aria-labelledby="metrics" hx-get="${self}/live" hx-trigger="every 2s" hx-target="this" hx-swap="outerHTML"`);

    await logBatch(db(), project.id, c.runId, { metrics: [{ key: 'loss', value: 1.5, timestamp: Date.now(), step: 2 }, { key: 'acc', value: 0.5, timestamp: Date.now(), step: 0 }] });
    let res = await getPage(browser, `${self}/live`, { htmx: true });
    expect(res.status).toBe(200);
    let html = await res.text();
    expect(html.startsWith('<section id="metrics-section"')).toBe(true);
    expect(html).toContain('hx-trigger="every 2s"');
    expect(html).toContain('&quot;steps&quot;:[0,1,2],&quot;values&quot;:[3,2,1.5]');
    expect(html).toContain('>acc</a>');

    await db().update(candidates).set({ status: 'FINISHED', endTime: Date.now() }).where(eq(candidates.id, c.id));
    res = await getPage(browser, `${self}/live`, { htmx: true });
    html = await res.text();
    expect(html.startsWith('<section id="metrics-section" aria-labelledby="metrics">')).toBe(true);
    expect(html).not.toContain('hx-trigger');
    expect(html).toContain('status-FINISHED');
    // the status badge at the top of the page changes too (out of band)
    expect(html).toContain('<span id="candidate-status" hx-swap-oob="true"><span class="status status-FINISHED">FINISHED</span></span>');
    // and the whole page settles in place: htmx fetches the candidate page once and swaps its article
    expect(JSON.parse(res.headers.get('hx-location')!)).toEqual({ path: self, target: '#candidate', select: '#candidate', swap: 'outerHTML', push: 'false' });
    expect(await (await getPage(browser, self)).text()).toContain('<article class="candidate" id="candidate">');
  });

  it('polls a running candidate row in the candidates table, not a finished one, with the latest values', async () => {
    const { project, experiment, browser, base } = await setup();
    const running = await seedCandidate(experiment, { name: 'still-going', status: 'RUNNING', params: { lr: '0.1' }, metrics: { acc: [0.1] } });
    const done = await seedCandidate(experiment, { name: 'done', status: 'FINISHED', metrics: { acc: [0.9] } });
    const table = await (await getPage(browser, `${base}/experiments/${experiment.iid}`)).text();
    expect(table).toContain(`<tr hx-get="${base}/candidates/${running.id}/row" hx-trigger="every 2s"`);
    expect(table).not.toContain(`${base}/candidates/${done.id}/row`);

    await logBatch(db(), project.id, running.runId, { metrics: [{ key: 'acc', value: 0.4567, timestamp: Date.now(), step: 1 }] });
    let row = await (await getPage(browser, `${base}/candidates/${running.id}/row`, { htmx: true })).text();
    expect(row.startsWith('<tr hx-get=')).toBe(true);
    expect(row).toContain('>still-going</a>');
    expect(row).toContain('<span title="0.4567">0.4567</span>');
    expect(row).toContain('>0.1</td>'); // the param column, in the table's order

    await db().update(candidates).set({ status: 'KILLED' }).where(eq(candidates.id, running.id));
    row = await (await getPage(browser, `${base}/candidates/${running.id}/row`, { htmx: true })).text();
    expect(row.startsWith('<tr>')).toBe(true);
    expect(row).toContain('status-KILLED');
  });

  it('answers 404 for the fragments of another project, and stops polling a deleted candidate', async () => {
    const a = await setup();
    const b = await setup();
    const c = await seedCandidate(b.experiment, { status: 'RUNNING' });
    expect((await getPage(a.browser, `${a.base}/candidates/${c.id}/live`, { htmx: true })).status).toBe(404);
    expect((await getPage(a.browser, `${a.base}/candidates/${c.id}/row`, { htmx: true })).status).toBe(404);
    await db().update(candidates).set({ lifecycleStage: 'deleted' }).where(eq(candidates.id, c.id));
    expect((await getPage(b.browser, `${b.base}/candidates/${c.id}/live`, { htmx: true })).status).toBe(404);
    // a row polling when its candidate was deleted gets its last state and stops
    const row = await getPage(b.browser, `${b.base}/candidates/${c.id}/row`, { htmx: true });
    expect(row.status).toBe(200);
    expect(await row.text()).toMatch(/^<tr>/);
  });
});
