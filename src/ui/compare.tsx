/**
 * Visual comparison: `/:namespace/:project/-/ml/experiments/:iid/compare?candidates=1,2,3` —
 * params side by side with the differing ones marked (and a "show only differences" switch,
 * `only_diff=1`), latest metrics side by side with the best of each marked, one chart per metric
 * with one line per candidate (sampled on the server), and one metric's latest value across all
 * candidates of the experiment (`metric=`). Also the pieces the Experiment Candidates page uses
 * to pick candidates (a checkbox per row and the compare bar).
 *
 * Best value: higher is better unless the metric's name reads as a loss or error (see
 * `defaultDirection`); each metric's direction can be flipped (`dir=<key>:min|max`, repeatable).
 */
import type { Context } from 'hono';
import type { AppEnv } from '../http/env';
import { handlers } from '../http/mount';
import { routes } from '../http/routes';
import type { Database } from '../db/client';
import { InvalidInputError } from '../errors';
import { experimentColumnKeys, type ExperimentHeader } from '../tracking/candidate-table';
import {
  compareCandidates,
  defaultDirection,
  MAX_ACROSS,
  MAX_COMPARED,
  metricAcrossCandidates,
  metricCurves,
  parseCandidateIds,
  type Direction,
} from '../tracking/comparison';
import { Num, Status, Time } from './kit/components';
import { experimentsCrumbs } from './kit/crumbs';
import { Alert } from './kit/problems';
import { DataTable } from './kit/tables';
import { experimentOf } from './route-params';
import { page } from './layout';
import { CHART_ASSETS, ChartFigure } from './charts';
import { candidatePath, experimentPath, projectLink, withQuery } from './paths';

/** At most this many metric charts on one comparison (the table lists every metric). */
const MAX_CHARTS = 24;
/**
 * How each compared candidate is drawn, in column order: its legend glyph, and the marker shape
 * and line dash (pixels) its curves get; the charts receive this list with their data
 * (compare.js), so legend and curves cannot drift apart.
 */
const STYLES = [
  { glyph: '●', shape: 'circle', dash: [] },
  { glyph: '■', shape: 'square', dash: [8, 4] },
  { glyph: '▲', shape: 'triangle', dash: [2, 3] },
  { glyph: '◆', shape: 'diamond', dash: [10, 3, 2, 3] },
  { glyph: '✚', shape: 'plus', dash: [4, 4] },
  { glyph: '✖', shape: 'cross', dash: [12, 4] },
  { glyph: '▼', shape: 'down', dash: [2, 6] },
  { glyph: '○', shape: 'ring', dash: [6, 2, 2, 2] },
  { glyph: '□', shape: 'box', dash: [1, 2] },
  { glyph: '△', shape: 'open-triangle', dash: [14, 2, 2, 2, 2, 2] },
];

type ProjectRef = { namespace: string; path: string };

/** The compare page's URL for some candidates. */
export const comparePath = (p: ProjectRef, iid: number, ids: number[], extra: Record<string, string | undefined> = {}) =>
  withQuery(projectLink(routes.ui.compare, p, { iid }), { candidates: ids.join(','), ...extra });

/** The selection checkbox of one candidate row (it belongs to the compare bar's form). */
export function CompareCheckbox(props: { id: number; label: string }) {
  return <input type="checkbox" form="compare-form" name="candidates" value={String(props.id)} class="pick" aria-label={`Select ${props.label} to compare`} />;
}

/**
 * The bar above the candidates table: "Compare selected" submits the checked rows of this page
 * and, with JavaScript (compare-select.js), the ones picked on other pages (kept in localStorage).
 */
export function CompareBar(props: { project: ProjectRef; iid: number }) {
  return (
    <form id="compare-form" class="compare-bar" method="get" action={projectLink(routes.ui.compare, props.project, { iid: props.iid })} data-experiment={experimentPath(props.project, props.iid)}>
      <input type="hidden" name="candidates" value="" id="compare-others" />
      <button type="submit">Compare selected</button>
      <span id="compare-count" class="muted" aria-live="polite">
        Tick up to {MAX_COMPARED} candidates to compare them.
      </span>
      <button type="button" class="secondary" id="compare-clear" hidden>
        Clear selection
      </button>
    </form>
  );
}

function readDirections(values: string[]): Map<string, Direction> {
  const out = new Map<string, Direction>();
  for (const v of values) {
    const m = /^(.*):(min|max)$/s.exec(v);
    if (m) out.set(m[1], m[2] as Direction);
  }
  return out;
}

/** A legend entry: the candidate's marker and line pattern, then its name. */
function SeriesKey(props: { index: number }) {
  const i = props.index % STYLES.length;
  const { glyph, dash } = STYLES[i];
  return (
    <span class={`series-key s${i}`} aria-hidden="true">
      <svg width="28" height="10" viewBox="0 0 28 10" focusable="false">
        <line x1="0" y1="5" x2="28" y2="5" stroke-width="2" stroke-dasharray={dash.join(' ') || undefined} />
      </svg>
      {glyph}
    </span>
  );
}

/** The comparison's state, all of it in the URL; `problem` is what was wrong with the candidate list. */
type CompareView = { ids: number[]; problem?: string; onlyDiff: boolean; dirValues: string[]; directions: Map<string, Direction>; metric?: string };

function readCompareView(c: Context<AppEnv>): CompareView {
  const dirValues = c.req.queries('dir') ?? [];
  const view: CompareView = { ids: [], onlyDiff: c.req.query('only_diff') === '1', dirValues, directions: readDirections(dirValues), metric: c.req.query('metric') || undefined };
  try {
    view.ids = parseCandidateIds(c.req.queries('candidates') ?? []);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    view.problem = error.message;
  }
  if (view.ids.length > MAX_COMPARED) view.problem = `At most ${MAX_COMPARED} candidates can be compared at once; showing the first ${MAX_COMPARED}.`;
  return view;
}

/** The candidates side by side, their metric curves, and one metric (`metric=`, else the first) across the experiment. */
async function loadComparison(db: Database, projectId: number, experiment: ExperimentHeader, view: CompareView) {
  const [comparison, keys] = await Promise.all([compareCandidates(db, experiment.id, view.ids, view.directions), experimentColumnKeys(db, experiment.id)]);
  const cands = comparison.candidates;
  const acrossKey: string | undefined = view.metric || comparison.metrics[0]?.key || keys.metrics[0];
  const [curves, across] = await Promise.all([
    cands.length === 0 ? [] : Promise.all(comparison.metrics.slice(0, MAX_CHARTS).map((m) => metricCurves(db, projectId, cands.map((r) => r.runId), m.key))),
    acrossKey && keys.metrics.includes(acrossKey) ? metricAcrossCandidates(db, experiment.id, acrossKey) : [],
  ]);
  return { comparison, keys, acrossKey, curves, across, labels: cands.map((r) => r.name || r.runId), shownIds: cands.map((r) => r.id) };
}

type Loaded = Awaited<ReturnType<typeof loadComparison>>;

/** What every part of the page needs: the experiment, the view, what was loaded, and the page's links. */
type Ctx = { project: ProjectRef; experiment: ExperimentHeader; view: CompareView; data: Loaded; links: CompareLinks };
type CompareLinks = { self: string; compare: string; to: (ids: number[], dirs: string[]) => string; flip: (key: string, current: Direction) => string };

/** This page's URL with other candidates or other direction overrides, the rest kept; and the link that flips a metric's direction. */
function compareLinks(project: ProjectRef, experiment: ExperimentHeader, view: CompareView, shownIds: number[]): CompareLinks {
  const state = { only_diff: view.onlyDiff ? '1' : undefined, metric: view.metric };
  const to = (ids: number[], dirs: string[]) => {
    const base = comparePath(project, experiment.iid, ids, state);
    return dirs.length ? `${base}&${dirs.map((d) => `dir=${encodeURIComponent(d)}`).join('&')}` : base;
  };
  const flip = (key: string, current: Direction) => {
    const others = [...view.directions].filter(([k]) => k !== key).map(([k, d]) => `${k}:${d}`);
    const next: Direction = current === 'max' ? 'min' : 'max';
    return to(shownIds, next === defaultDirection(key) ? others : [...others, `${key}:${next}`]);
  };
  return { self: experimentPath(project, experiment.iid), compare: projectLink(routes.ui.compare, project, { iid: experiment.iid }), to, flip };
}

/** The comparison page. */
export const compareRoutes = handlers();

compareRoutes.on(routes.ui.compare, async (c) => {
  const { project } = c.get('access');
  const experiment = await experimentOf(c);
  const view = readCompareView(c);
  const data = await loadComparison(c.get('db'), project.id, experiment, view);
  const ctx: Ctx = { project, experiment, view, data, links: compareLinks(project, experiment, view, data.shownIds) };
  return page(c, {
    title: `Compare · ${experiment.name}`,
    status: view.problem && data.shownIds.length === 0 ? 400 : 200,
    crumbs: experimentsCrumbs(project, { label: experiment.name, href: ctx.links.self }, { label: 'Compare' }),
    scripts: [...CHART_ASSETS.scripts, '/assets/compare.js'],
    styles: [...CHART_ASSETS.styles, '/assets/ml.css'],
    body: <ComparePage ctx={ctx} />,
  });
});

function ComparePage(props: { ctx: Ctx }) {
  const { ctx } = props;
  const count = ctx.data.shownIds.length;
  return (
    <article class="compare">
      <h1>Compare candidates</h1>
      <p class="muted">
        <a href={ctx.links.self}>← Back to {ctx.experiment.name}</a> · pick candidates with the checkboxes on the experiment page.
      </p>
      {ctx.view.problem ? <Alert>{ctx.view.problem}</Alert> : null}
      {count < 2 ? (
        <p class="note">{count === 0 ? 'No candidates picked.' : 'Only one candidate picked.'} Tick two or more on the experiment page and press "Compare selected".</p>
      ) : null}
      {count > 0 ? (
        <>
          <Legend ctx={ctx} />
          <ParamsSection ctx={ctx} />
          <MetricsSection ctx={ctx} />
          <CurvesSection ctx={ctx} />
        </>
      ) : null}
      {ctx.data.keys.metrics.length > 0 ? <AcrossSection ctx={ctx} /> : null}
    </article>
  );
}

/** The compared candidates, each with its series key and a link that removes it. */
function Legend(props: { ctx: Ctx }) {
  const { project, view, data, links } = props.ctx;
  return (
    <section class="card" aria-labelledby="legend-title">
      <h2 id="legend-title">Candidates</h2>
      <ol class="legend" id="legend">
        {data.comparison.candidates.map((r, i) => (
          <li>
            <SeriesKey index={i} /> <a href={candidatePath(project, r.id)}>{data.labels[i]}</a> <Status status={r.status} /> <span class="muted">started</span> <Time ms={r.startTime} />{' '}
            <a class="remove" href={links.to(data.shownIds.filter((id) => id !== r.id), view.dirValues)} aria-label={`Remove ${data.labels[i]} from the comparison`}>
              remove
            </a>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The columns of a side-by-side table: `first`, then one per compared candidate. */
function sideBySide(ctx: Ctx, ...first: string[]) {
  const { project, data } = ctx;
  return [
    ...first,
    ...data.comparison.candidates.map((r, i) => ({
      label: (
        <>
          <SeriesKey index={i} /> <a href={candidatePath(project, r.id)}>{data.labels[i]}</a>
        </>
      ),
      class: 'cand',
    })),
  ];
}

/** The hidden fields that keep the rest of the view when one of the page's GET forms changes a part of it. */
function KeepView(props: { ctx: Ctx; except: 'only_diff' | 'metric' }) {
  const { view, data } = props.ctx;
  return (
    <>
      <input type="hidden" name="candidates" value={data.shownIds.join(',')} />
      {props.except !== 'metric' && view.metric ? <input type="hidden" name="metric" value={view.metric} /> : null}
      {props.except !== 'only_diff' && view.onlyDiff ? <input type="hidden" name="only_diff" value="1" /> : null}
      {view.dirValues.map((d) => (
        <input type="hidden" name="dir" value={d} />
      ))}
    </>
  );
}

/** Params side by side, the differing ones marked; "show only differences" hides the rest. */
function ParamsSection(props: { ctx: Ctx }) {
  const { ctx } = props;
  const all = ctx.data.comparison.params;
  const onlyDiff = ctx.view.onlyDiff;
  const params = onlyDiff ? all.filter((p) => p.differs) : all;
  return (
    <section aria-labelledby="params-title">
      <h2 id="params-title">Parameters</h2>
      <form method="get" action={ctx.links.compare} class="toolbar">
        <KeepView ctx={ctx} except="only_diff" />
        <label class="switch">
          <input type="checkbox" name="only_diff" value="1" checked={onlyDiff} data-autosubmit="" />
          Show only differences
        </label>
        <button type="submit" class="secondary" data-autosubmit-button="">
          Apply
        </button>
        <span class="muted">
          {all.filter((p) => p.differs).length} of {all.length} params differ.
        </span>
      </form>
      {params.length === 0 ? (
        <p class="empty">{onlyDiff ? 'All params are the same.' : 'No params logged.'}</p>
      ) : (
        <DataTable columns={sideBySide(ctx, 'Param')} class="side-by-side" id="params-table">
          {params.map((p) => (
            <tr class={p.differs ? 'differs' : undefined}>
              <th scope="row" class="text">
                {p.key}
                {p.differs ? (
                  <span class="diff-mark" title="The values differ">
                    {' '}
                    ≠ differs
                  </span>
                ) : null}
              </th>
              {p.values.map((v) => (
                <td class="text">{v ?? <span class="muted">—</span>}</td>
              ))}
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

/** Latest metrics side by side, the best of each starred, each metric's direction flippable. */
function MetricsSection(props: { ctx: Ctx }) {
  const { ctx } = props;
  const metrics = ctx.data.comparison.metrics;
  return (
    <section aria-labelledby="metrics-title">
      <h2 id="metrics-title">Metrics</h2>
      <p class="muted">
        Latest values; ★ marks the best of each. Higher is better, except for names that read as a loss or error (loss, error, mse, mae, rmse,
        perplexity, wer, latency, time…), where lower is. Flip a metric with its link.
      </p>
      {metrics.length === 0 ? (
        <p class="empty">No metrics logged.</p>
      ) : (
        <DataTable columns={sideBySide(ctx, 'Metric', 'Best is')} class="side-by-side" id="metrics-table">
          {metrics.map((m) => (
            <tr>
              <th scope="row" class="text">
                {m.key}
              </th>
              <td>
                <a href={ctx.links.flip(m.key, m.direction)} title="Flip which way is better" class="direction">
                  {m.direction === 'max' ? 'highest ⇅' : 'lowest ⇅'}
                </a>
              </td>
              {m.values.map((v, i) => (
                <td class={m.best.has(i) ? 'num best' : 'num'}>
                  {m.best.has(i) ? (
                    <strong>
                      <span class="best-mark" title="Best">
                        ★{' '}
                      </span>
                      <Num value={v} />
                    </strong>
                  ) : (
                    <Num value={v} />
                  )}
                </td>
              ))}
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

/** One chart per metric (the first MAX_CHARTS), one line per candidate. */
function CurvesSection(props: { ctx: Ctx }) {
  const { curves, labels, comparison } = props.ctx.data;
  if (curves.length === 0) return null;
  return (
    <section aria-labelledby="curves-title">
      <h2 id="curves-title">Metric curves</h2>
      {comparison.metrics.length > MAX_CHARTS ? <p class="muted">The first {MAX_CHARTS} metrics are charted.</p> : null}
      <div class="charts">
        {curves.map((curve) => (
          <ChartFigure
            title={curve.key}
            kind="compare-chart"
            data={{ chart: { key: curve.key, labels, steps: curve.steps, series: curve.series, times: curve.times, styles: labels.map((_, i) => STYLES[i % STYLES.length]) } }}
            label={`Chart of ${curve.key} by step for ${labels.join(', ')}`}
            fallback={<>The curves need JavaScript; the latest values are in the table above.</>}
          />
        ))}
      </div>
    </section>
  );
}

/** One metric's latest value across every candidate of the experiment, the compared ones marked. */
function AcrossSection(props: { ctx: Ctx }) {
  const { ctx } = props;
  const { keys, acrossKey, across, shownIds } = ctx.data;
  const selected = new Set(shownIds);
  return (
    <section aria-labelledby="across-title">
      <h2 id="across-title">One metric across all candidates</h2>
      <form method="get" action={ctx.links.compare} class="toolbar">
        <KeepView ctx={ctx} except="metric" />
        <label>
          Metric
          <select name="metric" data-autosubmit="">
            {keys.metrics.map((k) => (
              <option value={k} selected={k === acrossKey}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="secondary" data-autosubmit-button="">
          Show
        </button>
      </form>
      <ChartFigure
        wide
        title={<>Latest {acrossKey} of {across.length} candidates{across.length >= MAX_ACROSS ? ` (the newest ${MAX_ACROSS})` : ''}, oldest first</>}
        kind="across-chart"
        data={{
          across: {
            key: acrossKey,
            names: across.map((p) => p.name),
            values: across.map((p) => (Number.isFinite(p.value) ? p.value : null)),
            selected: across.flatMap((p, i) => (selected.has(p.id) ? [i] : [])),
          },
        }}
        label={`Latest ${acrossKey} of every candidate of the experiment`}
        fallback={<>The chart needs JavaScript; the compared candidates' latest values are in the table above.</>}
        caption={<>Small dots: every candidate · larger dots: the compared ones. Hover a point for the candidate's name; drag to zoom.</>}
      />
    </section>
  );
}
