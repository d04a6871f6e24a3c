// W4 pages: the Experiment Candidates page of an experiment with 25,000 candidates (first page
// sorted by a metric, and a page deep into the keyset), its sweep page (every candidate ordered by
// a metric, 2,000 of them drawn over 10 axes) and the Candidate Detail page of a run with 100,000
// metric points. Time per page = the whole request as the client sees it over loopback
// (send to last byte of the full HTML document); the worker's Server-Timing header, when it sends
// one, is recorded next to it.
import { w1Top } from '../data.mjs';
import { median, now, summarize } from '../stats.mjs';

/** Rows per page of Experiment Candidates (src/ui/candidates.tsx PER_PAGE). */
const PER_PAGE = 30;
/** How many pages deep W4 walks at most before timing a page. */
const MAX_WALK = 150;

/** The href of the first <a> whose attributes or text match `test`, resolved against `base`. */
function findLink(html, base, test) {
  for (const m of html.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a>/gi)) {
    const href = m[1].match(/\bhref\s*=\s*"([^"]*)"/i)?.[1];
    if (href && test(m[1], m[2].replace(/<[^>]*>/g, '').trim(), href.replace(/&amp;/g, '&'))) return new URL(href.replace(/&amp;/g, '&'), base);
  }
  return null;
}

/** The page's link to the next page of candidates (rel="next", or a link reading "Next"). */
const nextLink = (html, base) => findLink(html, base, (attrs, text) => /\brel\s*=\s*"[^"]*\bnext\b/i.test(attrs) || /^next\b/i.test(text));

async function page(ctx, url) {
  const r = await ctx.client.request('GET', url.pathname + url.search, { headers: { accept: 'text/html' } });
  const html = r.body.toString('utf8');
  if (r.status !== 200) throw new Error(`GET ${url.pathname}${url.search} answered ${r.status}: ${html.slice(0, 300)}`);
  return { html, ms: r.ms, bytes: r.bytes, serverTiming: r.headers['server-timing'] ?? null };
}

async function timePage(ctx, url, calls) {
  const ms = [];
  let last;
  for (let k = 0; k < calls; k++) {
    last = await page(ctx, url);
    ms.push(last.ms);
  }
  return { ms, bytes: last.bytes, serverTiming: last.serverTiming, html: last.html };
}

/** W4. */
export async function run(ctx) {
  const { project } = ctx;
  const exp = ctx.shared.w1;
  const w3 = ctx.shared.w3;
  if (!exp || !w3) throw new Error('W4 needs the W1/W2 experiment and the W3 run');
  const base = new URL(ctx.worker.origin);
  const calls = ctx.sizes.w4Calls;

  // the Experiment Candidates page sorted by metric m1, descending (src/ui/candidates.tsx: sort=metric:<key>, desc by default)
  const sorted = new URL(`/${project.path_with_namespace}/-/ml/experiments/${exp.experimentId}?sort=${encodeURIComponent('metric:m1')}`, base);
  const firstPage = await timePage(ctx, sorted, calls);
  if (!findLink(firstPage.html, base, (_a, text, href) => /m1/.test(text) && /sort=metric/.test(href))) throw new Error('the Experiment Candidates page has no column for metric m1');
  const top = w1Top(exp.logged, 'm1');
  const shownFirst = firstPage.html.match(/>(run-\d+)</)?.[1] ?? null;

  // walk the keyset by each page's "next" link to half of the candidates, at most
  // MAX_WALK pages (row 4,500 of 25,000: every page costs a request), then time that page
  const perPage = PER_PAGE;
  const target = Math.min(MAX_WALK, Math.floor(exp.logged / perPage / 2));
  let deep = sorted;
  let html = firstPage.html;
  const walkMs = [];
  for (let p = 0; p < target; p++) {
    const next = nextLink(html, base);
    if (!next) throw new Error(`no next-page link after page ${p + 1}`);
    deep = next;
    const r = await page(ctx, deep);
    html = r.html;
    walkMs.push(r.ms);
  }
  const deepPage = await timePage(ctx, deep, calls);

  // the Candidate Detail page of W3's run (100,000 points of one metric), and its chart's data
  const candidateId = /ml_candidate_(\d+)/.exec(w3.run.artifact_uri)?.[1];
  if (!candidateId) throw new Error(`cannot tell W3's candidate id from ${w3.run.artifact_uri}`);
  const detailUrl = new URL(`/${project.path_with_namespace}/-/ml/candidates/${candidateId}`, base);
  const detail = await timePage(ctx, detailUrl, calls);
  // the page carries each chart's sampled points (data-points); metrics.json serves the same data alone
  if (!/id="chart-loss"[^]*?data-points="/.test(detail.html)) throw new Error('the Candidate Detail page has no chart of its metric');
  const chartUrl = new URL(`${detailUrl.pathname}/metrics.json?key=loss`, base);
  const chart = await timePage(ctx, chartUrl, calls);

  // the sweep page over every candidate: 6 params and 4 metrics as axes, coloured (and ordered) by m1
  const sweepAxes = { params: ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'], metrics: ['m0', 'm1', 'm2', 'm3'] };
  const sweepQuery = [...sweepAxes.params.map((k) => `axis=param:${k}`), ...sweepAxes.metrics.map((k) => `axis=metric:${k}`), 'color=m1'].join('&');
  const sweepUrl = new URL(`/${project.path_with_namespace}/-/ml/experiments/${exp.experimentId}/sweep?${sweepQuery}`, base);
  const sweep = await timePage(ctx, sweepUrl, calls);
  const sweepData = JSON.parse((/data-sweep="([^"]*)"/.exec(sweep.html)?.[1] ?? '{}').replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
  const sweepFirst = sweepData.lines?.[0]?.name ?? null;

  // the floor: the same reads the pages make (see floor.mjs), with no HTML
  const floorFirst = [];
  const floorDeep = [];
  const floorDetail = [];
  const floorChart = [];
  const floorSweep = [];
  const floorExp = exp.floorExperimentId;
  for (let k = 0; k < calls; k++) {
    floorFirst.push(ctx.floor.candidatesPage(floorExp, { sortMetric: 'm1', perPage, skip: 0 }).ms);
    floorDeep.push(ctx.floor.candidatesPage(floorExp, { sortMetric: 'm1', perPage, skip: target * perPage }).ms);
    let t = now();
    ctx.floor.candidateDetail(w3.floorRun, w3.floorExp);
    floorDetail.push(now() - t);
    t = now();
    ctx.floor.chartData(w3.floorRun, 'loss');
    floorChart.push(now() - t);
    floorSweep.push(ctx.floor.sweep(floorExp, { colorBy: 'm1', ...sweepAxes, lines: 2000, best: 200 }).ms);
  }

  const rows = [];
  const row = (id, what, ours, floor) =>
    rows.push({ id, workload: `W4 ${what}: median of ${calls}`, unit: 'ms', better: 'lower', ours: median(ours.ms), floor: median(floor), target: { op: '<=', value: 100 } });
  row('w4.candidates_first', `Experiment Candidates, ${exp.logged.toLocaleString('en-US')} candidates, sorted by m1, first page`, firstPage, floorFirst);
  if (shownFirst !== top) rows.at(-1).note = `WRONG ANSWER: first row ${shownFirst}, expected ${top} (largest m1)`;
  row('w4.candidates_deep', `Experiment Candidates, page ${target + 1} of the keyset`, deepPage, floorDeep);
  row('w4.candidate_detail', `Candidate Detail, ${w3.points.toLocaleString('en-US')} metric points`, detail, floorDetail);
  row('w4.candidate_chart', 'Candidate Detail chart data (metrics.json, 300 of them)', chart, floorChart);
  row('w4.sweep', `Sweep page, ${exp.logged.toLocaleString('en-US')} candidates, 10 axes, 2,000 drawn`, sweep, floorSweep);
  if (sweepFirst !== top) rows.at(-1).note = `WRONG ANSWER: first line ${sweepFirst}, expected ${top} (largest m1)`;
  else if (sweepData.lines.length !== Math.min(2000, exp.logged)) rows.at(-1).note = `WRONG ANSWER: ${sweepData.lines.length} lines drawn`;
  for (const r of rows) ctx.row(r);
  ctx.details.w4 = {
    timing: 'client-side, send to last byte of the full document, loopback keep-alive',
    perPage,
    deepPageNumber: target + 1,
    urls: { first: sorted.pathname + sorted.search, deep: deep.pathname + deep.search, detail: detailUrl.pathname },
    first: { ours: summarize(firstPage.ms), bytes: firstPage.bytes, serverTiming: firstPage.serverTiming, floor: summarize(floorFirst) },
    deep: { ours: summarize(deepPage.ms), bytes: deepPage.bytes, serverTiming: deepPage.serverTiming, floor: summarize(floorDeep) },
    detail: { ours: summarize(detail.ms), bytes: detail.bytes, serverTiming: detail.serverTiming, floor: summarize(floorDetail) },
    chart: { url: chartUrl.pathname + chartUrl.search, ours: summarize(chart.ms), bytes: chart.bytes, floor: summarize(floorChart) },
    keysetWalk: summarize(walkMs),
    sweep: { url: sweepUrl.pathname + sweepUrl.search, ours: summarize(sweep.ms), bytes: sweep.bytes, floor: summarize(floorSweep) },
  };
}
