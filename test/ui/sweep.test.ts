import { describe, expect, it } from 'vitest';
import { getPage } from './helpers';
import { seedCandidate, seedSignedInExperiment } from './seed';
import { sample } from '../../src/tracking/sweep';

const XSS = '<script>alert(1)</script>';

async function setup() {
  const { experiment, browser, ml } = await seedSignedInExperiment('sweep experiment');
  const base = `${ml}/experiments/${experiment.iid}`;
  return { experiment, browser, base };
}

type SweepData = { links: { candidate: string }; axes: { kind: string; key: string }[]; color: { key: string; direction: string; axis: number }; lines: { id: number; name: string; values: (number | string | null)[] }[] };

function sweepOf(html: string): SweepData {
  const attr = /data-sweep="([^"]*)"/.exec(html)![1];
  return JSON.parse(attr.replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&#39;', "'").replaceAll('&amp;', '&')) as SweepData;
}

describe('Sweep analysis', () => {
  it('draws params and metrics as axes, best candidate first by the colour metric, over the filtered candidates', async () => {
    const { experiment, browser, base } = await setup();
    for (const [name, lr, opt, acc] of [['a', '0.1', 'adam', 0.7], ['b', '0.01', 'sgd', 0.9], ['c', '0.001', 'adam', 0.8], ['d', '0.5', 'sgd', NaN]] as const) {
      await seedCandidate(experiment, { name, params: { lr, opt }, metrics: { acc: [0.1, acc], loss: [1 - (Number.isNaN(acc) ? 0 : acc)] } });
    }
    const res = await getPage(browser, `${base}/sweep?color=acc`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const data = sweepOf(html);
    expect(data.axes).toEqual([{ kind: 'param', key: 'lr' }, { kind: 'param', key: 'opt' }, { kind: 'metric', key: 'acc' }, { kind: 'metric', key: 'loss' }]);
    expect(data.color).toEqual({ key: 'acc', direction: 'max', axis: 2 });
    // best first; NaN last; numeric params as numbers, others as text, NaN as a gap
    expect(data.lines.map((l) => l.name)).toEqual(['b', 'c', 'a', 'd']);
    expect(data.lines[0].values).toEqual([0.01, 'sgd', 0.9, expect.closeTo(0.1)]);
    expect(data.lines[3].values[2]).toBeNull();
    expect(html).toContain('4 candidates match.');
    // a brushed candidate links to its page: the script fills the id into the route's template
    const best = await getPage(browser, data.links.candidate.replace(':candidate_id', String(data.lines[0].id)));
    expect(best.status).toBe(200);
    expect(await best.text()).toMatch(/<h1[^>]*>\s*b\b/);
    // the fallback table lists the best by the colour metric
    expect(html).toMatch(/Best 4 by acc[^]*>b<[^]*>c<[^]*>a</);

    // the table's filter, and chosen axes with a lower-is-better colour metric
    const narrowed = await (await getPage(browser, `${base}/sweep?filter=${encodeURIComponent("params.opt = 'adam'")}&axis=param:lr&color=loss`)).text();
    const n = sweepOf(narrowed);
    expect(n.axes).toEqual([{ kind: 'param', key: 'lr' }, { kind: 'metric', key: 'loss' }]); // the colour metric is always an axis
    expect(n.color.direction).toBe('min');
    expect(n.lines.map((l) => l.name)).toEqual(['c', 'a']);
  });

  it('answers a bad filter with the inline error and 400, and a bad axis too', async () => {
    const { browser, base } = await setup();
    const res = await getPage(browser, `${base}/sweep?filter=${encodeURIComponent('metrics.acc >')}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Invalid filter');
    const axis = await getPage(browser, `${base}/sweep?axis=nope`);
    expect(axis.status).toBe(400);
    expect(await axis.text()).toContain('axis &#39;nope&#39; must be param:&lt;key&gt; or metric:&lt;key&gt;');
  });

  it('escapes hostile names everywhere, the data included', async () => {
    const { experiment, browser, base } = await setup();
    await seedCandidate(experiment, { name: XSS, params: { [XSS]: XSS }, metrics: { [XSS]: [1] } });
    const html = await (await getPage(browser, `${base}/sweep`)).text();
    expect(html).not.toContain(XSS);
    expect(sweepOf(html).lines[0].name).toBe(XSS);
  });

  it('samples a large sweep: the best always, then evenly spaced, never more than the limit', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => i);
    const s = sample(ids, 2000, 200);
    expect(s).toHaveLength(2000);
    expect(s.slice(0, 200)).toEqual(ids.slice(0, 200));
    expect(new Set(s).size).toBe(2000);
    expect(s.at(-1)).toBeGreaterThan(9900);
    expect(sample([1, 2, 3], 2000, 200)).toEqual([1, 2, 3]);
  });
});
