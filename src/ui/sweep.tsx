/**
 * Sweep analysis of an experiment: `/:namespace/:project/-/ml/experiments/:iid/sweep`. Over the
 * candidates the table's filter matches, parallel coordinates (params and metrics as axes, lines
 * coloured by a metric, brushing an axis narrows the selection, which opens as a comparison or
 * as a filter of the table) and a scatter of any two axes. The data (at most SWEEP_LINES
 * candidates, sampled on the server) is carried in the page: one request per view. With
 * JavaScript off the page shows the best candidates as a table.
 */
import { type Context } from 'hono';
import { routes } from '../http/routes';
import { handlers } from '../http/mount';
import type { AppEnv } from '../http/env';
import type { Project } from '../access/policy';
import { InvalidInputError } from '../errors';
import { experimentColumnKeys, type ExperimentHeader } from '../tracking/candidate-table';
import { loadSweep, MAX_AXES, SWEEP_LINES, type Sweep, type SweepAxis } from '../tracking/sweep';
import { Num } from './kit/components';
import { experimentsCrumbs } from './kit/crumbs';
import { DataTable } from './kit/tables';
import { experimentOf } from './route-params';
import { combineFilter, extrasQuery, FilterError, readSearchExtras, SearchFields, type SearchExtras } from './search-box';
import { page } from './layout';
import { CHART_ASSETS, ChartFigure } from './charts';
import { candidatePath, experimentPath, projectLink, projectParams, withQuery } from './paths';

/** The axes to choose from come from the keys of this many newest candidates (as the table's columns). */
const KEYS_FROM_RECENT = 1000;
/** Rows of the table shown with JavaScript off (and under the charts). */
const FALLBACK_ROWS = 20;
/** Axes drawn when none are chosen: the params first, then the metrics. */
const DEFAULT_PARAMS = 6;
const DEFAULT_METRICS = 4;

/** The view's state, all in the URL: the filter, the axes (`param:<key>` / `metric:<key>`) and the colour metric. */
type SweepView = { extras: SearchExtras; axes: SweepAxis[]; color?: string };

function readView(c: Context<AppEnv>, keys: { params: string[]; metrics: string[] }): SweepView {
  const extras = readSearchExtras(c);
  const chosen = (c.req.queries('axis') ?? []).map(axisOf);
  const axes = chosen.length
    ? chosen
    : [...keys.params.slice(0, DEFAULT_PARAMS).map((key) => ({ kind: 'param' as const, key })), ...keys.metrics.slice(0, DEFAULT_METRICS).map((key) => ({ kind: 'metric' as const, key }))];
  const color = c.req.query('color') || axes.find((a) => a.kind === 'metric')?.key || keys.metrics[0];
  return { extras, axes, color };
}

function axisOf(text: string): SweepAxis {
  const m = /^(param|metric):(.+)$/s.exec(text);
  if (!m) throw new InvalidInputError(`axis '${text}' must be param:<key> or metric:<key>`, 'axis');
  return { kind: m[1] as SweepAxis['kind'], key: m[2] };
}

const axisId = (a: SweepAxis) => `${a.kind}:${a.key}`;

/** Sweep analysis (routes declared in `routes.ui`). */
export const sweepRoutes = handlers();

sweepRoutes.on(routes.ui.sweep, async (c) => {
  const experiment = await experimentOf(c);
  const keys = await experimentColumnKeys(c.get('db'), experiment.id, { recent: KEYS_FROM_RECENT });
  let view: SweepView = { extras: { filter: '', status: '', mine: false, deleted: false }, axes: [] };
  let sweep: Sweep | undefined;
  let problem: string | undefined;
  try {
    view = readView(c, keys);
    const filter = combineFilter(undefined, view.extras, c.get('actor')!.user.username);
    sweep = await loadSweep(c.get('db'), { experimentId: experiment.id, filter, axes: view.axes, colorBy: view.color });
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    problem = error.message;
  }
  return page(c, {
    title: `Sweep · ${experiment.name}`,
    status: problem ? 400 : 200,
    crumbs: crumbs(c.get('access').project, experiment),
    scripts: [...CHART_ASSETS.scripts, '/assets/sweep.js'],
    styles: [...CHART_ASSETS.styles, '/assets/ml.css'],
    body: <SweepPage project={c.get('access').project} experiment={experiment} keys={keys} view={view} sweep={sweep} problem={problem} />,
  });
});

function crumbs(project: Project, experiment: ExperimentHeader) {
  return experimentsCrumbs(project, { label: experiment.name, href: experimentPath(project, experiment.iid) }, { label: 'Sweep' });
}

type PageProps = { project: Project; experiment: ExperimentHeader; keys: { params: string[]; metrics: string[] }; view: SweepView; sweep?: Sweep; problem?: string };

function SweepPage(props: PageProps) {
  const { project, experiment, view, sweep } = props;
  const self = experimentPath(project, experiment.iid);
  return (
    <article class="sweep">
      <h1>Sweep of {experiment.name}</h1>
      <p class="muted">
        <a href={withQuery(self, extrasQuery(view.extras))}>← Back to the candidates</a>
      </p>
      <SweepForm {...props} />
      {props.problem ? <FilterError message={props.problem} filter={view.extras.filter} /> : null}
      {sweep ? <SweepViews project={project} iid={experiment.iid} self={self} view={view} sweep={sweep} /> : null}
    </article>
  );
}

/** The filter (the table's), the colour metric and the axes; a plain GET form. */
function SweepForm(props: PageProps) {
  const { keys, view } = props;
  const chosen = new Set(view.axes.map(axisId));
  const box = (a: SweepAxis) => (
    <label class="check">
      <input type="checkbox" name="axis" value={axisId(a)} checked={chosen.has(axisId(a))} /> {a.key}
    </label>
  );
  return (
    <form method="get" class="card stack sweep-form" aria-label="What the sweep shows">
      <SearchFields extras={view.extras} />
      <div class="toolbar">
        <label>
          Colour by metric
          <select name="color">
            {keys.metrics.map((k) => (
              <option value={k} selected={k === view.color}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Show</button>
      </div>
      <details>
        <summary>Axes ({view.axes.length} of at most {MAX_AXES})</summary>
        <fieldset class="axis-choice">
          <legend>Params</legend>
          {keys.params.map((key) => box({ kind: 'param', key }))}
        </fieldset>
        <fieldset class="axis-choice">
          <legend>Metrics</legend>
          {keys.metrics.map((key) => box({ kind: 'metric', key }))}
        </fieldset>
      </details>
    </form>
  );
}

/** The two views over the same data, and the best candidates as a table (what shows with JavaScript off). */
function SweepViews(props: { project: Project; iid: number; self: string; view: SweepView; sweep: Sweep }) {
  const { project, self, view, sweep } = props;
  const colorBy = sweep.colorBy;
  const data = {
    axes: sweep.axes,
    color: colorBy ? { key: colorBy.key, direction: colorBy.direction, axis: sweep.axes.findIndex((a) => a.kind === 'metric' && a.key === colorBy.key) } : null,
    lines: sweep.lines,
    // a candidate's page: its id in place of `:candidate_id`
    links: { candidate: routes.ui.candidate.template(projectParams(project)), compare: projectLink(routes.ui.compare, project, { iid: props.iid }), table: self, filter: view.extras.filter },
  };
  const shown = sweep.lines.length;
  return (
    <>
      <p class="muted" id="sweep-count">
        {sweep.matched === 0
          ? 'No candidate matches.'
          : `${sweep.matched} candidates match${shown < sweep.matched ? `; ${shown} are drawn: the best ${colorBy ? `by ${colorBy.key}` : ''} and an even sample of the rest (at most ${SWEEP_LINES})` : ''}.`}
      </p>
      <section aria-labelledby="parcoords-title">
        <h2 id="parcoords-title">Parallel coordinates</h2>
        <ChartFigure
          wide
          kind="parcoords"
          data={{ sweep: data }}
          label={`Parallel coordinates of ${shown} candidates over ${sweep.axes.map((a) => a.key).join(', ')}`}
          fallback={<>The chart needs JavaScript; the best candidates are listed below.</>}
          caption={
            <>
              Drag along an axis to keep the candidates in that range (drag again elsewhere to change it, click the axis to clear). Lines are coloured by{' '}
              {colorBy ? `${colorBy.key} (${colorBy.direction === 'max' ? 'higher' : 'lower'} is better: brighter)` : 'nothing'}.
            </>
          }
        />
        <div class="sweep-selection" aria-live="polite"></div>
      </section>
      <section aria-labelledby="scatter-title">
        <h2 id="scatter-title">Param against metric</h2>
        <ChartFigure wide kind="sweep-scatter" data={{}} label="Scatter of one axis against another for the drawn candidates" fallback={<>The chart needs JavaScript.</>} />
      </section>
      <BestTable project={project} sweep={sweep} />
    </>
  );
}

function BestTable(props: { project: Project; sweep: Sweep }) {
  const { sweep } = props;
  const rows = sweep.lines.slice(0, FALLBACK_ROWS);
  if (rows.length === 0) return null;
  return (
    <section aria-labelledby="best-title">
      <h2 id="best-title">{sweep.colorBy ? `Best ${rows.length} by ${sweep.colorBy.key}` : `Newest ${rows.length}`}</h2>
      <DataTable columns={['Candidate', ...sweep.axes.map((a) => (a.kind === 'metric' ? { label: a.key, class: 'num' } : a.key))]}>
        {rows.map((line) => (
          <tr>
            <th scope="row">
              <a href={candidatePath(props.project, line.id)}>{line.name}</a>
            </th>
            {line.values.map((v) => (typeof v === 'number' ? <td class="num"><Num value={v} /></td> : <td class="text">{v ?? ''}</td>))}
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

